import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RunAccumulator } from '../src/engine/merge.js';
import { FastRecorder } from '../src/engine/recorder.js';
import { main } from '../src/cli/main.js';
import { planProfile } from '../src/plan/plan.js';
import { normalizeProfile, readProfileFile } from '../src/profile/load.js';
import { applyOverrides } from '../src/profile/overrides.js';
import { breakpoint, endurance, ramp, spike } from '../src/profile/presets.js';
import { runStress } from '../src/run.js';
import { captureIo, fixture, ROOT, tempDir } from './helpers.js';

const base = { extractor: fixture('noop.mjs') };

describe('presets expand into phases', () => {
  it('spike: baseline, N× jump, back to baseline', () => {
    const p = spike({ ...base, baseline: 2, factor: 3, baselineDuration: '1s', spikeDuration: '2s', recoveryDuration: '3s' });
    const plan = planProfile(normalizeProfile(p, ROOT));
    assert.deepEqual(plan.steps.map((s) => [s.phase, s.concurrency, s.durationMs]), [['baseline', 2, 1000], ['spike', 6, 2000], ['recovery', 2, 3000]]);
    const r = spike({ ...base, mode: 'rate', baseline: 100, baselineDuration: '1s', spikeDuration: '1s', recoveryDuration: '1s' });
    assert.deepEqual(planProfile(normalizeProfile(r, ROOT)).steps.map((s) => s.open?.rate), [100, 400, 100]);
  });
  it('ramp, endurance and breakpoint', () => {
    assert.deepEqual(planProfile(normalizeProfile(ramp({ ...base, from: 1, to: 7, step: 3, stepDuration: '1s' }), ROOT)).steps.map((s) => s.concurrency), [1, 4, 7]);
    const e = planProfile(normalizeProfile(endurance({ ...base, load: 50, duration: '2h' }), ROOT));
    assert.equal(e.steps[0]?.open?.rate, 50);
    assert.equal(e.steps[0]?.durationMs, 7_200_000);
    const b = planProfile(normalizeProfile(breakpoint({ ...base, from: 100, step: 100, max: 500, stepDuration: '1s', stopWhen: { errorRate: 0.01 } }), ROOT));
    assert.deepEqual(b.steps.map((s) => s.open?.rate), [100, 200, 300, 400, 500]);
    assert.deepEqual(b.steps[0]?.stopWhen, { errorRate: 0.01 });
  });
});

describe('profile files', () => {
  it('loads a .ts profile module built with defineProfile, paths relative to it', async () => {
    const { profile, baseDir } = await readProfileFile(path.join(ROOT, 'scenarios', 'spike.ts'));
    assert.equal(profile.name, 'spike');
    assert.equal(baseDir, path.join(ROOT, 'scenarios'));
    assert.deepEqual(profile.phases.map((p) => p.name), ['baseline', 'spike', 'recovery']);
  });
  it('loads a .mjs profile module and validates it', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.mjs'), `export default { extractor: ${JSON.stringify(fixture('noop.mjs'))}, phases: [{ executor: 'iterations', iterations: 5, concurency: 2 }] };`);
    await assert.rejects(readProfileFile(path.join(dir, 'p.mjs')), /\$\.phases\[0\]\.concurency: unknown key.*did you mean "concurrency"/s);
  });
  it('CLI overrides apply on top and are checked', () => {
    const p = { extractor: 'x.js', phases: [
      { executor: 'constant-concurrency' as const, concurrency: 1, duration: '1m' },
      { executor: 'constant-arrival-rate' as const, rate: 10, duration: '1m' },
      { executor: 'ramping-concurrency' as const, from: 1, to: 3, stepDuration: '1m' },
    ] };
    const q = applyOverrides(p, { duration: '5s', concurrency: 3, rate: 50, data: 'd.csv' }, '/tmp');
    assert.deepEqual(q.phases, [
      { executor: 'constant-concurrency', concurrency: 3, duration: '5s' },
      { executor: 'constant-arrival-rate', rate: 50, duration: '5s', maxConcurrency: 3 },
      { executor: 'ramping-concurrency', from: 1, to: 3, stepDuration: '5s' },
    ]);
    assert.equal(q.data, '/tmp/d.csv');
    assert.throws(() => applyOverrides(p, { duration: 'soon' }, '/tmp'), /--duration/);
    assert.throws(() => applyOverrides(p, { concurrency: 0 }, '/tmp'), /--concurrency must be a positive integer/);
    assert.throws(() => applyOverrides({ ...p, phases: [p.phases[0]!] }, { rate: 5 }, '/tmp'), /--rate applies to constant-arrival-rate/);
  });
  it('strain run with --duration and --concurrency overrides', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.json'), JSON.stringify({ extractor: fixture('noop.mjs'), phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '1h' }] }));
    const io = captureIo(dir);
    const started = Date.now();
    assert.equal(await main(['run', 'p.json', '--duration', '600ms', '--concurrency', '2', '--out', 'o', '--quiet'], io), 0, io.err.join(''));
    assert.ok(Date.now() - started < 15_000);
    const r = JSON.parse(readFileSync(path.join(dir, 'o', 'result.json'), 'utf8')) as { steps: { load: { concurrency: number } }[] };
    assert.equal(r.steps[0]?.load.concurrency, 2);
  });
});

describe('CPU pinning', () => {
  it('pins each worker thread to its own CPU and records the placement', async (t) => {
    if (process.platform !== 'linux') return t.skip('Linux only');
    const dir = tempDir();
    const r = await runStress({ extractor: fixture('affinity.mjs'), extractorOptions: { dir }, pin: true, phases: [{ executor: 'iterations', iterations: 10 }] });
    assert.equal(r.placement?.requested, true);
    assert.equal(r.placement?.pinned, true, r.placement?.note);
    const cpu = r.placement?.workers[0]?.cpu;
    assert.equal(typeof cpu, 'number');
    assert.equal(readFileSync(path.join(dir, 'worker-0.txt'), 'utf8'), String(cpu), 'the kernel agrees');
    assert.ok((r.placement?.workers[0]?.tid ?? 0) > process.pid, 'a thread id of its own');
  });
  it('without --pin nothing is pinned, and the result says so', async () => {
    const r = await runStress({ extractor: fixture('noop.mjs'), phases: [{ executor: 'iterations', iterations: 10 }] });
    assert.equal(r.placement?.pinned, false);
    assert.match(r.placement?.note ?? '', /not pinned/);
  });
});

describe('endurance runs keep the coordinator bounded', () => {
  it('the retained time series and the heap stay bounded over many snapshot intervals', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const rec = new FastRecorder();
    for (let i = 0; i < 10_000; i++) rec.record(10_000 + (i % 997) * 13);
    const encoded = rec.takeSparse().pairs;
    rec.record(5_000);
    const failures = rec.takeSparse().pairs;
    const acc = new RunAccumulator(0, 1000, () => true, 500);
    const snapshot = (i: number, w: number): Parameters<RunAccumulator['add']>[0] => ({
      type: 'snapshot', workerId: w, step: 0, warmup: false, final: false, startMs: i * 1000, endMs: (i + 1) * 1000,
      calls: 10_001, errors: 1, errorSamples: [{ message: `error ${i}`, count: 1, stack: undefined }], histogram: encoded, failures, busyMs: 900, cpuMs: 850, batch: 1,
      service: undefined, lag: undefined, late: 0, dropped: 0, overran: 0, heapUsedBytes: 5e6 + (i % 7), externalBytes: 1e5, arrayBuffersBytes: 1e4,
    });
    const heapAt = (): number => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    for (let i = 0; i < 2000; i++) for (let w = 0; w < 2; w++) acc.add(snapshot(i, w));
    const early = heapAt();
    for (let i = 2000; i < 12_000; i++) for (let w = 0; w < 2; w++) acc.add(snapshot(i, w));
    const late = heapAt();
    assert.ok(acc.series.length <= 500, `series points ${acc.series.length}`);
    assert.ok(acc.workers.get(0)!.heapY.length <= 4000);
    assert.equal(acc.workers.get(0)!.heapT.at(-1), 12_000 * 1000, 'folding keeps the newest heap sample');
    assert.ok(acc.steps.get(0)!.errorSamples.size <= 101, 'distinct error messages are capped');
    assert.equal(acc.steps.get(0)!.calls, 12_000 * 2 * 10_001, 'counts stay exact');
    // 5x more intervals must not mean 5x the memory: allow 2 MB of drift.
    assert.ok(late - early < 2 * 1024 * 1024, `heap grew ${((late - early) / 1024).toFixed(0)} KiB over 10 000 more intervals`);
  });
});
