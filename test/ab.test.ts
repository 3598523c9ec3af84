import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runAB } from '../src/ab/run-ab.js';
import { main } from '../src/cli/main.js';
import { gabEntries } from '../src/report/gab.js';
import { markdownSummary } from '../src/report/markdown.js';
import type { StrainResult } from '../src/result/schema.js';
import { onBusyHost } from './busy-host.js';
import { captureIo, fixture, spawnStrain, tempDir, waitFor } from './helpers.js';

const WORK = fixture('work-ab.mjs');
const constant = (concurrency: number, duration: string) => [{ executor: 'constant-concurrency' as const, concurrency, duration }];
const metric = (r: StrainResult, name: string) => r.comparison!.metrics.find((m) => m.metric === name)!;

/** A process that keeps a core busy, and how to stop it (by its process id; twice is harmless). */
function neighbour(): { stop: () => Promise<void> } {
  const p: ChildProcess = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  return {
    stop: async () => {
      if (p.exitCode === null && p.signalCode === null && p.pid !== undefined) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await gone;
    },
  };
}

describe('paired A/B runs', () => {
  it('B does 3% more work than A: the mean regressed, with an interval that holds +3%, within 20 s of measurement', async (t) => onBusyHost(t, async () => {
    const r = await runAB({ name: 'ab-3', extractor: `${WORK}#more`, phases: constant(1, '3s') }, { base: `${WORK}#base`, maxStepMs: 20_000 });
    const mean = metric(r, 'mean');
    assert.equal(r.comparison!.paired, true);
    assert.equal(mean.verdict, 'regressed', mean.reason);
    assert.ok(mean.interval[0]! < 0.03 && mean.interval[1]! > 0.03, `interval ${mean.interval} should hold +3%: ${mean.reason}`);
    assert.ok(r.steps[0]!.durationMs <= 20_500, `measured ${r.steps[0]!.durationMs} ms`);
    assert.equal(r.exitCode, 1);
    assert.equal(r.verdict.passed, false);
    assert.match(r.verdict.reasons.join('\n'), /the candidate regressed against the base, side by side: mean \+\d/);
    // Each side keeps its own figures in the step.
    const [a, b] = r.steps[0]!.functions!;
    assert.deepEqual([a!.name, b!.name], ['base', 'candidate']);
    assert.ok(Math.abs(a!.count - b!.count) / a!.count < 0.1, 'both sides had the same share of the time');
    assert.ok(b!.latencyMs.p50 > a!.latencyMs.p50);
    // Reports say which side is which, and CI dashboards get the ratio.
    assert.match(markdownSummary(r), /\| metric \| base \| candidate \| change/);
    const ratio = gabEntries(r).find((e) => e.name === 'ab-3 mean candidate ÷ base')!;
    assert.ok(ratio && Math.abs(ratio.value - 1.03) < 0.015 && ratio.unit === 'ratio', JSON.stringify(ratio));
  }, { attempts: 3 }));

  it('A/A (the same function as both sides) with a neighbour busy for the first half: unchanged on every metric, never regressed', async (t) => onBusyHost(t, async () => {
    const hog = neighbour();
    const timer = setTimeout(() => void hog.stop(), 3000);
    let r: StrainResult;
    try {
      r = await runAB({ name: 'aa', extractor: `${WORK}#same`, phases: constant(2, '6s') }, { base: `${WORK}#base`, maxStepMs: 25_000 });
    } finally {
      clearTimeout(timer);
      await hog.stop();
    }
    for (const m of r.comparison!.metrics) {
      assert.notEqual(m.verdict, 'regressed', `${m.metric}: ${m.reason}`);
      assert.notEqual(m.verdict, 'improved', `${m.metric}: ${m.reason}`);
    }
    assert.equal(r.exitCode, 0);
    for (const m of r.comparison!.metrics) assert.equal(m.verdict, 'unchanged', `${m.metric}: ${m.reason}`);
  }, { attempts: 2 }));

  it('both sides see the same rows in the same order', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'rows.jsonl');
    writeFileSync(data, Array.from({ length: 300 }, (_, i) => JSON.stringify({ v: i })).join('\n'));
    const seen = fixture('rows-seen-ab.mjs');
    const r = await runAB({ name: 'rows', extractor: seen, data, extractorOptions: { dir }, phases: constant(2, '1500ms') }, { base: seen, maxStepMs: 1500 });
    assert.equal(r.status, 'completed');
    for (const w of [0, 1]) {
      const read = (side: number): number[] => readFileSync(path.join(dir, `seen-${w}-${side}`), 'utf8').split('\n').filter(Boolean).map(Number);
      const a = read(0);
      const b = read(1);
      assert.ok(a.length > 300 && b.length > 300, `worker ${w} saw ${a.length} and ${b.length} rows`);
      const n = Math.min(a.length, b.length);
      assert.deepEqual(a.slice(0, n), b.slice(0, n), `worker ${w}: the shorter sequence is the start of the longer`);
      assert.deepEqual(a.slice(0, 5), [0, 1, 2, 3, 4]);
    }
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('seen-')).sort(), ['seen-0-0', 'seen-0-1', 'seen-1-0', 'seen-1-1']);
  });
});

describe('strain ab', () => {
  it('--base-ref: the base from a temporary git worktree at that commit; both commits recorded, the worktree removed', async () => {
    const dir = tempDir();
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'test');
    // The extractor imports a helper relatively: the worktree must hold both.
    const write = (rounds: number): void => {
      writeFileSync(path.join(dir, 'hash.mjs'), `export function hash(n) { let h = 0x011c9dc5; for (let i = 0; i < n; i++) h = Math.imul(h ^ i, 0x01000193); return h; }\nexport const ROUNDS = ${rounds};\n`);
      writeFileSync(path.join(dir, 'extract.mjs'), `import { hash, ROUNDS } from './hash.mjs';\nexport default function extract() { return hash(ROUNDS); }\n`);
    };
    write(10_000);
    writeFileSync(path.join(dir, 'p.json'), JSON.stringify({ name: 'git-ab', extractor: './extract.mjs', phases: constant(1, '2s') }));
    git('add', '.');
    git('commit', '-qm', 'base');
    const first = git('rev-parse', 'HEAD');
    write(15_000);
    git('commit', '-qam', '50% more work');
    const second = git('rev-parse', 'HEAD');
    const io = captureIo(dir);
    const code = await main(['ab', 'p.json', '--base-ref', 'HEAD~1', '--out', 'out', '--max-time', '10s', '--format', 'md'], io);
    const r = JSON.parse(readFileSync(path.join(dir, 'out', 'result.json'), 'utf8')) as StrainResult;
    assert.equal(code, 1, io.err.join(''));
    assert.equal(r.ab!.baseCommit, first);
    assert.equal(r.ab!.candidateCommit, second);
    const mean = metric(r, 'mean');
    assert.equal(mean.verdict, 'regressed');
    // 50% more rounds: V8 compiles the two loops differently from version to version (+50% on Node 20 and 24, +75% seen on 26).
    assert.ok(mean.relChange > 0.2, mean.reason);
    assert.match(io.out.join(''), /paired A\/B: the candidate against the base/);
    assert.match(readFileSync(path.join(dir, 'out', 'summary.md'), 'utf8'), /\| mean \|/);
    assert.equal(git('worktree', 'list').split('\n').length, 1, 'only the main worktree is left');
  });

  it('an A/B run killed with SIGKILL is recovered with its paired comparison: the pairs measured before the kill, judged', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'same.json');
    writeFileSync(file, JSON.stringify({ name: 'killed-ab', extractor: `${WORK}#base`, phases: constant(1, '2s') }));
    const out = path.join(dir, 'out');
    // The same function on both sides and a noise band of 1e-6: nothing can be called unchanged, so the run would go on to its 60 s; it is killed after a few.
    const child = spawnStrain(['ab', file, '--base', `${WORK}#base`, '--max-time', '60s', '--noise-mean', '0.000001', '--noise-throughput', '0.000001', '--out', out, '--quiet', '--format', 'none'], dir);
    const cp = path.join(out, 'checkpoint.json');
    const cycles = (): number => {
      try {
        const st = JSON.parse(readFileSync(cp, 'utf8')) as { steps: { cycles?: number[] }[] };
        return st.steps.reduce((a, x) => a + (x.cycles?.length ?? 0) / 5, 0);
      } catch {
        return 0;
      }
    };
    await waitFor(() => cycles() >= 100, 30_000, 'a checkpoint with 100 cycles');
    child.proc.kill('SIGKILL');
    await child.exit;
    const io = captureIo(dir);
    assert.equal(await main(['recover', out, '--quiet', '--format', 'none'], io), 0, io.err.join(''));
    const r = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as StrainResult;
    assert.equal(r.status, 'interrupted');
    assert.equal(r.comparison?.paired, true);
    assert.ok(r.ab!.steps[0]!.cycles >= 100, `${r.ab!.steps[0]!.cycles} cycles`);
    assert.ok(['inconclusive', 'regressed', 'improved', 'unchanged'].includes(metric(r, 'mean').verdict));
    assert.ok(Number.isFinite(metric(r, 'mean').interval[0]), 'an interval from the pairs measured');
  });

  it('refuses what cannot be paired, with the reason and where, before anything is written', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'open.json'), JSON.stringify({ name: 'o', extractor: WORK, phases: [{ executor: 'constant-arrival-rate', rate: 100, duration: '1s' }] }));
    writeFileSync(path.join(dir, 'mix.json'), JSON.stringify({ name: 'm', mix: [{ name: 'a', extractor: WORK, weight: 1 }], phases: constant(1, '1s') }));
    const run = async (args: string[]): Promise<{ code: number; err: string }> => {
      const io = captureIo(dir);
      const code = await main(args, io);
      return { code, err: io.err.join('') };
    };
    let x = await run(['ab', 'open.json', '--base', WORK, '--out', 'o1']);
    assert.equal(x.code, 2);
    assert.match(x.err, /STRAIN_PROFILE_INVALID: .*open\.json \$\.phases\[0\]\.executor.*closed-loop/s);
    x = await run(['ab', 'mix.json', '--base', WORK, '--out', 'o2']);
    assert.equal(x.code, 2);
    assert.match(x.err, /mix\.json \$\.mix/);
    x = await run(['ab', 'open.json', '--out', 'o3']);
    assert.equal(x.code, 2);
    assert.match(x.err, /name the base \(A\): --base/);
    x = await run(['ab', 'mix.json', '--base', WORK, '--block', '0ms']);
    assert.equal(x.code, 2);
    // Not a git repository: the ref cannot be read.
    writeFileSync(path.join(dir, 'x.mjs'), 'export default function x() { return 1; }\n');
    writeFileSync(path.join(dir, 'local.json'), JSON.stringify({ name: 'l', extractor: './x.mjs', phases: constant(1, '1s') }));
    x = await run(['ab', 'local.json', '--base-ref', 'HEAD']);
    assert.equal(x.code, 2);
    assert.match(x.err, /STRAIN_USAGE: .*git rev-parse --show-toplevel failed: .*not a git repository/);
    assert.deepEqual(readdirSync(dir).sort(), ['local.json', 'mix.json', 'open.json', 'x.mjs'], 'nothing written');
  });
});
