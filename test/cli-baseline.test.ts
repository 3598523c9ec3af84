import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gaussian, seededRandom } from '../src/analysis/random.js';
import { main } from '../src/cli/main.js';
import { captureIo, fixture, tempDir } from './helpers.js';

function setup(): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'p.json'), JSON.stringify({
    name: 'counted',
    extractor: fixture('counter.mjs'),
    extractorOptions: { dir },
    phases: [{ executor: 'iterations', iterations: 2000 }],
  }));
  return dir;
}

describe('baselines and comparison from the CLI', () => {
  it('--repeat 4 --save-baseline writes 4 runs; run --baseline exits 1 on a regression, 0 on an improvement or the same code', async () => {
    const dir = tempDir();
    // busy.mjs spins for ms per call: 0.6 ms against 0.3 ms is twice the latency and half the throughput.
    const profile = (name: string, ms: number): void => writeFileSync(path.join(dir, name), JSON.stringify({
      name: 'busy', extractor: fixture('busy.mjs'), extractorOptions: { ms },
      phases: [{ executor: 'iterations', iterations: 400 }],
    }));
    profile('fast.json', 0.3);
    profile('slow.json', 0.6);
    const io = captureIo(dir);
    assert.equal(await main(['run', 'fast.json', '--out', 'r1', '--quiet', '--repeat', '4', '--save-baseline', 'base.json'], io), 0, io.err.join(''));
    const base = JSON.parse(readFileSync(path.join(dir, 'base.json'), 'utf8')) as { kind: string; runs: unknown[] };
    assert.equal(base.kind, 'strain-baseline');
    assert.equal(base.runs.length, 4);
    const result = JSON.parse(readFileSync(path.join(dir, 'r1', 'result.json'), 'utf8')) as { runs: unknown[] };
    assert.equal(result.runs.length, 4);

    // busy.mjs waits on the clock, so the machine's speed does not move it; but when the
    // sides' host-speed readings (or a neighbour) differ, strain says the machine could
    // explain the change: then the verdict must be inconclusive with that reason, never wrong.
    const machineSays = (out: string, metric: string): boolean => {
      const c = (JSON.parse(readFileSync(path.join(dir, out, 'result.json'), 'utf8')) as { comparison: { metrics: { metric: string; verdict: string; reason: string }[] } }).comparison;
      const m = c.metrics.find((x) => x.metric === metric)!;
      return m.verdict === 'inconclusive' && /the machine was|disturbed machine/.test(m.reason);
    };
    const slower = captureIo(dir);
    const slowCode = await main(['run', 'slow.json', '--out', 'r2', '--repeat', '4', '--baseline', 'base.json'], slower);
    assert.match(slower.out.join(''), /comparison: 4 current run\(s\) against 4 baseline run\(s\)/);
    for (const metric of ['p50', 'throughput']) {
      if (!machineSays('r2', metric)) assert.match(slower.out.join(''), new RegExp(`${metric} .*REGRESSED`));
    }
    assert.equal(slowCode, machineSays('r2', 'p50') && machineSays('r2', 'throughput') && machineSays('r2', 'p99') ? 0 : 1, slower.out.join(''));

    // The slow runs saved as a baseline: the fast code against them improves, and exits 0.
    assert.equal(await main(['run', 'slow.json', '--out', 'r3', '--quiet', '--repeat', '4', '--save-baseline', 'slow-base.json'], captureIo(dir)), 0);
    const faster = captureIo(dir);
    assert.equal(await main(['run', 'fast.json', '--out', 'r4', '--repeat', '4', '--baseline', 'slow-base.json'], faster), 0, faster.out.join(''));
    if (!machineSays('r4', 'p50')) assert.match(faster.out.join(''), /p50 .*IMPROVED/);
    assert.doesNotMatch(faster.out.join(''), /REGRESSED/);

    // The same code again: not a regression. Tail latency of a 0.3 ms call on a
    // shared 2-core host moves by more than the default 5% between run sets,
    // so this check widens the p99 noise band, as a user on such a host would.
    const same = captureIo(dir);
    assert.equal(await main(['run', 'fast.json', '--out', 'r5', '--repeat', '4', '--baseline', 'base.json', '--noise-p99', '0.5', '--noise-p50', '0.2', '--noise-throughput', '0.2'], same), 0, same.out.join(''));
    assert.doesNotMatch(same.out.join(''), /REGRESSED/);
  });

  it('strain compare flags a 10% slowdown with exit 1 and passes identical sets', async () => {
    const dir = tempDir();
    const rand = seededRandom(5);
    const runs = (scale: number): object[] => Array.from({ length: 8 }, () => ({
      throughput: (1000 / scale) * (1 + 0.01 * gaussian(rand)), p50: 1 * scale * (1 + 0.01 * gaussian(rand)), p99: 3 * scale * (1 + 0.01 * gaussian(rand)), errorRate: 0,
    }));
    const write = (name: string, scale: number): void =>
      writeFileSync(path.join(dir, name), JSON.stringify({ kind: 'strain-baseline', schemaVersion: 1, name: 'x', createdAt: '', host: {}, runs: runs(scale) }));
    write('base.json', 1);
    write('same.json', 1);
    write('slow.json', 1.1);
    const io = captureIo(dir);
    assert.equal(await main(['compare', 'base.json', 'slow.json'], io), 1);
    assert.match(io.out.join(''), /p50 .* REGRESSED/);
    assert.match(io.out.join(''), /verdict: REGRESSED/);
    const io2 = captureIo(dir);
    assert.equal(await main(['compare', 'base.json', 'same.json'], io2), 0);
    assert.doesNotMatch(io2.out.join(''), /REGRESSED/);
    const io3 = captureIo(dir);
    assert.equal(await main(['compare', 'base.json', 'slow.json', '--noise-p50', '2'], io3), 2);
    assert.match(io3.err.join(''), /STRAIN_USAGE: --noise-p50/);
  });

  it('strain compare refuses a file that is neither a baseline nor a result', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'x.json'), '{"hello": 1}');
    const io = captureIo(dir);
    assert.equal(await main(['compare', 'x.json', 'x.json'], io), 2);
    assert.match(io.err.join(''), /STRAIN_RESULT_READ.*x\.json/s);
  });
});

describe('history from the CLI', () => {
  it('--history appends one line per run; strain history shows them', async () => {
    const dir = setup();
    for (const out of ['a', 'b']) assert.equal(await main(['run', 'p.json', '--out', out, '--quiet', '--history', 'hist'], captureIo(dir)), 0);
    const lines = readFileSync(path.join(dir, 'hist', 'history.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    const io = captureIo(dir);
    assert.equal(await main(['history', 'hist'], io), 0);
    assert.match(io.out.join(''), /history: 2 run\(s\)/);
  });

  it('finds the change point in a synthetic history: 40 runs around 100 then 20 around 110', async () => {
    const dir = tempDir();
    const rand = seededRandom(11);
    const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({
      at: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(), name: 'n', status: 'completed', exitCode: 0,
      throughput: 1000, p50: (i < 40 ? 100 : 110) + 2 * gaussian(rand), p99: 300, errorRate: 0, kneeLoad: null, peakRssBytes: 0, result: null,
    }));
    writeFileSync(path.join(dir, 'history.jsonl'), `${lines.join('\n')}\n`);
    const io = captureIo(dir);
    assert.equal(await main(['history', '.', '--metric', 'p50', '--json'], io), 0);
    const cps = JSON.parse(io.out.join('')) as { index: number }[];
    assert.equal(cps.length, 1);
    assert.ok(Math.abs(cps[0]!.index - 40) <= 1);
  });
});
