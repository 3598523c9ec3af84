import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { readProfileFile } from '../src/profile/load.js';
import { prepareRun } from '../src/run.js';
import { suiteEntries } from '../src/suite/entries.js';
import type { SuiteRecord } from '../src/suite/summary.js';
import type { StrainResult } from '../src/result/schema.js';
import { captureIo, fixture, ROOT, spawnStrain, tempDir } from './helpers.js';

/** A small counted profile of busy.mjs (ms of CPU per call). */
function profile(dir: string, file: string, name: string, ms: number, extra: Record<string, unknown> = {}): void {
  writeFileSync(path.join(dir, file), JSON.stringify({
    name, extractor: fixture('busy.mjs'), extractorOptions: { ms },
    phases: [{ executor: 'iterations', iterations: 300 }], ...extra,
  }));
}

const readJson = <T>(...p: string[]): T => JSON.parse(readFileSync(path.join(...p), 'utf8')) as T;

describe('suites: several profiles in one run', () => {
  it('a suite file of three profiles, one failing a threshold: three result folders, a summary of all three, exit 1, JUnit with three testsuites', async () => {
    const dir = tempDir();
    profile(dir, 'a.json', 'cheap', 0.05);
    profile(dir, 'b.json', 'dear', 0.4, { thresholds: { latency: ['p(50)<0.1'] } });
    profile(dir, 'c.json', 'also-cheap', 0.05);
    writeFileSync(path.join(dir, 'nightly.suite.json'), JSON.stringify({
      name: 'nightly',
      profiles: ['a.json', { profile: 'b.json', concurrency: 1 }, 'c.json'],
    }));
    const run = spawnStrain(['run', 'nightly.suite.json', '--out', 'out'], dir);
    const { code } = await run.exit;
    const stdout = run.stdout.join('');
    assert.equal(code, 1, run.stderr.join(''));
    for (const name of ['cheap', 'dear', 'also-cheap']) {
      const r = readJson<StrainResult>(dir, 'out', name, 'result.json');
      assert.equal(r.name, name);
      assert.ok(existsSync(path.join(dir, 'out', name, 'report.html')), `${name} has its own report`);
    }
    const s = readJson<SuiteRecord>(dir, 'out', 'suite.json');
    assert.equal(s.name, 'nightly');
    assert.equal(s.exitCode, 1);
    assert.deepEqual(s.profiles.map((p) => [p.name, p.status]), [['cheap', 'passed'], ['dear', 'failed'], ['also-cheap', 'passed']]);
    assert.match(s.profiles[1]!.reasons.join(' '), /p\(50\)<0\.1/);
    const md = readFileSync(path.join(dir, 'out', 'summary.md'), 'utf8');
    for (const name of ['cheap', 'dear', 'also-cheap']) {
      assert.match(md, new RegExp(`\\[${name}\\]\\(${name}/summary\\.md\\)`));
      assert.ok(existsSync(path.join(dir, 'out', name, 'summary.md')), 'the link leads somewhere');
    }
    assert.match(md, /2 passed, 1 failed/);
    const html = readFileSync(path.join(dir, 'out', 'index.html'), 'utf8');
    for (const name of ['cheap', 'dear', 'also-cheap']) assert.ok(html.includes(`href="${name}/report.html"`), `index links ${name}`);
    const junit = readFileSync(path.join(dir, 'out', 'junit.xml'), 'utf8');
    assert.equal((junit.match(/<testsuite /g) ?? []).length, 3);
    assert.match(junit, /<testsuite name="dear" tests="\d+" failures="1"/);
    assert.match(junit, /<testsuite name="cheap" tests="\d+" failures="0"/);
    // The console table: one line per profile, after each run's own summary.
    assert.match(stdout, /strain suite nightly: 2 passed, 1 failed \(exit 1\)/);
    assert.match(stdout, /^dear\s+failed/m);
  });

  it('an invalid profile among others is reported by its path, and the others still run (exit 2)', async () => {
    const dir = tempDir();
    profile(dir, 'ok1.json', 'first', 0.05);
    writeFileSync(path.join(dir, 'broken.json'), JSON.stringify({ name: 'broken', extractor: fixture('busy.mjs'), phases: [{ executor: 'iterations', iterations: -3 }] }));
    profile(dir, 'ok2.json', 'second', 0.05);
    const run = spawnStrain(['run', 'ok1.json', 'broken.json', 'ok2.json', '--out', 'out', '--quiet'], dir);
    const { code } = await run.exit;
    assert.equal(code, 2);
    const err = run.stderr.join('');
    assert.match(err, /broken\.json: not a valid profile:\s+\$\.phases\[0\]\.iterations/);
    assert.ok(existsSync(path.join(dir, 'out', 'first', 'result.json')) && existsSync(path.join(dir, 'out', 'second', 'result.json')), 'both valid profiles ran');
    const s = readJson<SuiteRecord>(dir, 'out', 'suite.json');
    assert.deepEqual(s.profiles.map((p) => p.status), ['passed', 'invalid', 'passed']);
    assert.equal(s.profiles[1]!.error?.code, 'STRAIN_PROFILE_INVALID');
    assert.match(readFileSync(path.join(dir, 'out', 'junit.xml'), 'utf8'), /<testsuite name="broken" tests="1" failures="0" errors="1"/);

    // --fail-fast: nothing runs when a profile is invalid.
    const ff = spawnStrain(['run', 'ok1.json', 'broken.json', '--out', 'ff', '--quiet', '--fail-fast'], dir);
    assert.equal((await ff.exit).code, 2);
    assert.equal(existsSync(path.join(dir, 'ff')), false, 'nothing written');
  });

  it('a folder runs every profile in it, in name order; --json prints the suite record', async () => {
    const dir = tempDir();
    const folder = path.join(dir, 'set');
    await import('node:fs').then((fs) => fs.mkdirSync(folder));
    profile(folder, '2-second.json', 'second', 0.05);
    profile(folder, '1-first.json', 'first', 0.05);
    const io = captureIo(dir);
    assert.equal(await main(['run', 'set', '--out', 'out', '--json', '--format', 'none', '--history', 'hist', '--repeat', '2'], io), 0, io.err.join(''));
    const printed = JSON.parse(io.out.join('')) as SuiteRecord;
    assert.equal(printed.kind, 'strain-suite');
    assert.deepEqual(printed.profiles.map((p) => p.name), ['first', 'second']);
    // History, the lock and --repeat are per profile, as for one.
    for (const name of ['first', 'second']) {
      const lines = readFileSync(path.join(dir, 'hist', name, 'history.jsonl'), 'utf8').trim().split('\n');
      assert.equal(lines.length, 1);
      assert.equal((JSON.parse(lines[0]!) as { name: string }).name, name);
      assert.equal(readJson<StrainResult>(dir, 'out', name, 'result.json').runs?.length, 2, `${name} ran twice`);
      assert.equal(existsSync(path.join(dir, 'hist', name, 'strain.lock')), false, 'its lock released');
    }
  });

  it('a suite refuses --baseline and --save-baseline (one file cannot hold several profiles)', async () => {
    const dir = tempDir();
    profile(dir, 'a.json', 'a', 0.05);
    profile(dir, 'b.json', 'b', 0.05);
    const io = captureIo(dir);
    assert.equal(await main(['run', 'a.json', 'b.json', '--save-baseline', 'x.json'], io), 2);
    assert.match(io.err.join(''), /--baseline-dir/);
  });
});

describe('the shipped suite', () => {
  it('scenarios/market-short.suite.json names the four short market scenarios, each a valid profile', async () => {
    const input = suiteEntries(['scenarios/market-short.suite.json'], ROOT);
    assert.equal(input.isSuite, true);
    assert.equal(input.name, 'market-short');
    assert.deepEqual(input.entries.map((e) => path.basename(e.file)).sort(), ['high-volatility-short.json', 'market-open-short.json', 'normal-trading-short.json', 'overnight-short.json']);
    for (const e of input.entries) {
      const read = await readProfileFile(e.file);
      assert.ok(prepareRun(read.profile, { baseDir: read.baseDir, source: e.file }).plan.steps.length > 0, e.file);
    }
  });

  it('a suite file with a mistake is refused with its JSON path', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'x.suite.json'), JSON.stringify({ profiles: ['a.json', { profile: 'b.json', duraton: '1s' }] }));
    assert.throws(() => suiteEntries(['x.suite.json'], dir), /x\.suite\.json \$\.profiles\[1\]\.duraton: unknown key/);
    writeFileSync(path.join(dir, 'y.suite.json'), JSON.stringify({ profiles: [] }));
    assert.throws(() => suiteEntries(['y.suite.json'], dir), /y\.suite\.json \$\.profiles: must be a non-empty array/);
  });
});

describe('--baseline-dir: a baseline per profile', () => {
  it('written by --update-baseline, compared each with its own, "baseline from a different profile" when one changed, kept after a failing run', async () => {
    const dir = tempDir();
    // Throughputs about 4 times apart: comparing one with the other's baseline could not pass as unchanged.
    profile(dir, 'fast.json', 'fast', 0.1);
    profile(dir, 'slow.json', 'slow', 0.4);
    const first = captureIo(dir);
    assert.equal(await main(['run', 'fast.json', 'slow.json', '--out', 'r1', '--quiet', '--repeat', '3', '--baseline-dir', 'base', '--update-baseline'], first), 0, first.err.join(''));
    const fastBase = readJson<{ name: string; runs: { throughput: number }[]; fingerprint: string; host: { cpus: number } }>(dir, 'base', 'fast.baseline.json');
    const slowBase = readJson<{ name: string; runs: { throughput: number }[] }>(dir, 'base', 'slow.baseline.json');
    assert.equal(fastBase.runs.length, 3);
    assert.match(fastBase.fingerprint, /^sha256:/);
    assert.ok(fastBase.host.cpus > 0, 'host facts recorded');
    assert.ok(fastBase.runs[0]!.throughput > 2 * slowBase.runs[0]!.throughput);

    const second = captureIo(dir);
    await main(['run', 'fast.json', 'slow.json', '--out', 'r2', '--quiet', '--baseline-dir', 'base'], second);
    for (const [name, base] of [['fast', fastBase], ['slow', slowBase]] as const) {
      const r = readJson<StrainResult>(dir, 'r2', name, 'result.json');
      const tp = r.comparison?.metrics.find((m) => m.metric === 'throughput');
      assert.ok(tp, `${name} was compared`);
      const median = [...base.runs.map((x) => x.throughput)].sort((a, b) => a - b)[1];
      assert.equal(tp.baseMedian, median, `${name} compared with its own baseline`);
      assert.equal(tp.verdict === 'regressed' || tp.verdict === 'improved', false, `${name} is the same code: ${tp.verdict} ${tp.reason}`);
    }

    // One profile's content changes: that one is not compared, and says why.
    profile(dir, 'slow.json', 'slow', 0.4, { phases: [{ executor: 'iterations', iterations: 200 }] });
    const third = captureIo(dir);
    await main(['run', 'fast.json', 'slow.json', '--out', 'r3', '--quiet', '--baseline-dir', 'base'], third);
    const s = readJson<SuiteRecord>(dir, 'r3', 'suite.json');
    assert.equal(s.profiles.find((p) => p.name === 'slow')?.comparison, 'baseline from a different profile');
    assert.notEqual(s.profiles.find((p) => p.name === 'fast')?.comparison, 'baseline from a different profile');
    const slow3 = readJson<StrainResult>(dir, 'r3', 'slow', 'result.json');
    assert.equal(slow3.comparison, undefined);
    assert.match((slow3.warnings ?? []).join(' '), /baseline from a different profile/);

    // A failing run never replaces its baseline; the passing one's is replaced.
    profile(dir, 'slow.json', 'slow', 0.4, { thresholds: { latency: ['p(50)<0.01'] } });
    const before = readFileSync(path.join(dir, 'base', 'slow.baseline.json'), 'utf8');
    const fastBefore = readFileSync(path.join(dir, 'base', 'fast.baseline.json'), 'utf8');
    const fourth = captureIo(dir);
    assert.equal(await main(['run', 'fast.json', 'slow.json', '--out', 'r4', '--quiet', '--baseline-dir', 'base', '--update-baseline'], fourth), 1);
    assert.equal(readFileSync(path.join(dir, 'base', 'slow.baseline.json'), 'utf8'), before, 'the failing profile kept its baseline');
    assert.notEqual(readFileSync(path.join(dir, 'base', 'fast.baseline.json'), 'utf8'), fastBefore, 'the passing one was replaced');
    const row = readJson<SuiteRecord>(dir, 'r4', 'suite.json').profiles.find((p) => p.name === 'slow');
    assert.equal(row?.baseline?.updated, false);
  });

  it('works for one profile too, and --update-baseline without --baseline-dir is refused', async () => {
    const dir = tempDir();
    profile(dir, 'one.json', 'one', 0.1);
    const a = captureIo(dir);
    assert.equal(await main(['run', 'one.json', '--out', 'a', '--quiet', '--baseline-dir', 'b', '--update-baseline'], a), 0, a.err.join(''));
    assert.ok(existsSync(path.join(dir, 'b', 'one.baseline.json')));
    const b = captureIo(dir);
    await main(['run', 'one.json', '--out', 'b2', '--quiet', '--baseline-dir', 'b'], b);
    assert.ok(readJson<StrainResult>(dir, 'b2', 'result.json').comparison, 'compared with its baseline');
    const c = captureIo(dir);
    assert.equal(await main(['run', 'one.json', '--update-baseline'], c), 2);
    assert.match(c.err.join(''), /--update-baseline needs --baseline-dir/);
  });
});
