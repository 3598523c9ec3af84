import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { runStress } from '../src/run.js';
import { mergeShards } from '../src/index.js';
import type { StrainResult } from '../src/result/schema.js';
import { captureIo, fixture, spawnStrain, tempDir, waitFor } from './helpers.js';

const profile = {
  name: 'sharded-closed',
  extractor: fixture('spin-us.mjs'),
  extractorOptions: { us: 50 },
  snapshotInterval: '250ms',
  phases: [
    { name: 'ramp', executor: 'ramping-concurrency' as const, from: 2, to: 4, step: 2, stepDuration: '1s' },
    { name: 'counted', executor: 'iterations' as const, iterations: 301, concurrency: 3 },
  ],
  // Fails on purpose: the merge judges the whole.
  thresholds: { throughput: ['rate>1000000000'] },
};

describe('shards through the library: closed loop and counted steps', () => {
  it('runStress({ shard }) twice, then mergeShards: loads, counts and throughputs add up; the merged verdict is judged on the whole', async () => {
    const dirs = [tempDir('strain-shard-a-'), tempDir('strain-shard-b-')];
    const parts = await Promise.all(dirs.map((d, i) => runStress(profile, { shard: { index: i + 1, count: 2 }, checkpointDir: d })));
    assert.deepEqual(parts.map((r) => r.steps.map((s) => s.load.concurrency)), [[1, 2, 2], [1, 2, 1]]);
    const m = await mergeShards(dirs);
    assert.deepEqual(m.steps.map((s) => s.load.concurrency), [2, 4, 3]);
    m.steps.forEach((s, k) => {
      const [a, b] = [parts[0]!.steps[k]!, parts[1]!.steps[k]!];
      assert.equal(s.count, a.count + b.count);
      assert.ok(Math.abs(s.throughput - (a.throughput + b.throughput)) <= 1e-9 * s.throughput, `step ${k}: ${s.throughput} vs ${a.throughput} + ${b.throughput}`);
    });
    // Counted: 301 iterations in all, split 151 + 150, none lost or doubled.
    assert.deepEqual(parts.map((r) => r.steps[2]!.count), [151, 150]);
    assert.equal(m.steps[2]!.count, 301);
    assert.equal(m.total.count, parts[0]!.total.count + parts[1]!.total.count);
    assert.equal(m.verdict.passed, false);
    assert.equal(m.exitCode, 1);
    assert.equal(m.workers.length, parts[0]!.workers.length + parts[1]!.workers.length);
  });

  it('a shard that starts after the agreed time (its start already past) measures the lateness and says so', async () => {
    const r = await runStress({ extractor: fixture('noop.mjs'), phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '300ms' }] }, { shard: { index: 1, count: 1, startAt: { atMs: Date.now() - 5000 } } });
    assert.ok(r.meta.shard!.skewMs! >= 5000, `skew ${r.meta.shard?.skewMs}`);
    assert.ok((r.warnings ?? []).some((w) => /started its first step \d+\.\d s after the agreed start/.test(w)), String(r.warnings));
  });

  it('a shard killed with SIGKILL is recovered (result and shard state) and merged; the merge says it is interrupted', async () => {
    const dir = tempDir('strain-shard-kill-');
    const file = path.join(dir, 'profile.json');
    const long = { ...profile, phases: [{ name: 'ramp', executor: 'ramping-concurrency', from: 2, to: 8, step: 2, stepDuration: '1s' }], thresholds: {} };
    writeFileSync(file, JSON.stringify(long));
    const [s1, s2] = [path.join(dir, 's1'), path.join(dir, 's2')];
    const whole = spawnStrain(['run', file, '--shard', '1/2', '--out', s1, '--quiet', '--format', 'none'], dir);
    const killed = spawnStrain(['run', file, '--shard', '2/2', '--out', s2, '--quiet', '--format', 'none'], dir);
    const cp = path.join(s2, 'checkpoint.json');
    // Killed once two steps are in its checkpoint (written at every step end).
    await waitFor(() => existsSync(cp) && (JSON.parse(readFileSync(cp, 'utf8')) as { started: number[] }).started.length >= 3, 30_000, 'two steps checkpointed');
    killed.proc.kill('SIGKILL');
    assert.equal((await killed.exit).code, null);
    assert.equal((await whole.exit).code, 0, whole.stderr.join(''));
    assert.equal(existsSync(path.join(s2, 'shard-state.json')), false);
    const io = captureIo(dir);
    assert.equal(await main(['recover', s2, '--quiet', '--format', 'none'], io), 0, io.err.join(''));
    const recovered = JSON.parse(readFileSync(path.join(s2, 'result.json'), 'utf8')) as StrainResult;
    assert.equal(recovered.status, 'interrupted');
    assert.equal(recovered.meta.shard?.index, 2);
    // Its steps carry its own part of the load, not the whole's.
    assert.deepEqual(recovered.steps.slice(0, 2).map((s) => s.load.concurrency), [1, 2]);
    const mio = captureIo(dir);
    const merged = path.join(dir, 'merged');
    await main(['merge', s1, s2, '--out', merged, '--quiet', '--format', 'none'], mio);
    const m = JSON.parse(readFileSync(path.join(merged, 'result.json'), 'utf8')) as StrainResult;
    assert.equal(m.status, 'interrupted');
    assert.deepEqual(m.meta.shards?.pieces.map((p) => p.status), ['completed', 'interrupted']);
    assert.deepEqual(m.steps.slice(0, 2).map((s) => s.load.concurrency), [2, 4]);
  });
});
