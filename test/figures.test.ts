import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateThreshold, parseThreshold } from '../src/analysis/thresholds.js';
import { ResourceSampler, type ResourceSample } from '../src/engine/sampler.js';
import { poissonTimes, scheduledCount, stepSeed } from '../src/engine/schedule.js';
import { resourcesOver } from '../src/result/resources.js';
import { spikeOf } from '../src/result/endurance.js';
import type { StepResult } from '../src/result/schema.js';
import { seededRandom } from '../src/analysis/random.js';
import type { HistoryEntry } from '../src/history/store.js';
import { historyReport } from '../src/report/history.js';
import { runStress } from '../src/run.js';
import { fixture, tempDir } from './helpers.js';
import { onBusyHost } from './busy-host.js';

describe('figures that mean what they say', () => {
  it('failures are timed apart: latency and throughput describe the successful calls', async () => {
    const r = await runStress({
      extractor: fixture('fail-every-other.mjs'),
      snapshotInterval: '200ms',
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '1500ms' }],
    });
    const s = r.steps[0]!;
    assert.ok(Math.abs(s.errorRate - 0.5) < 0.01, `error rate ${s.errorRate}`);
    assert.ok(s.latencyMs.p50 > 0.95 && s.latencyMs.p50 < 1.3, `p50 of successes ≈ 1 ms, got ${s.latencyMs.p50}`);
    assert.ok(s.latencyMs.min >= 0.99, `the fastest success still spun 1 ms (${s.latencyMs.min})`);
    assert.ok(s.failedLatencyMs!.p50 < 0.2, `failures fail at once (${s.failedLatencyMs!.p50} ms)`);
    // One success per ~1 ms: throughput counts them only; attempts are about twice that.
    assert.ok(s.throughput > 600 && s.throughput < 1050, `successes/s ${s.throughput}`);
    assert.ok(Math.abs(s.attemptThroughput! / s.throughput - 2) < 0.05, `attempts ${s.attemptThroughput} ≈ 2 × successes ${s.throughput}`);
    assert.equal(r.total.count - r.total.errors, Math.round(r.total.throughput * r.total.durationMs / 1000));
  });

  it('run-level figures exclude the warm-up: an extractor slow only for its first calls', async (t) => onBusyHost(t, async () => {
    const r = await runStress({
      extractor: fixture('slow-start.mjs'),
      snapshotInterval: '100ms',
      stepWarmup: '1500ms',
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '2500ms' }],
    });
    // 20 calls × 50 ms = 1 s, all inside the 1.5 s warm-up.
    assert.ok(r.total.warmupCount! > 20);
    assert.ok(r.total.latencyMs.p99 < 1, `run p99 ${r.total.latencyMs.p99} ms holds no 50 ms warm-up call`);
    // Every warm-up call took 50 ms; a steady 0.1 ms one may be preempted on a shared host (17.6 ms seen in CI), not for 45.
    assert.ok(r.total.latencyMs.max < 45, `run max ${r.total.latencyMs.max} ms holds no warm-up call`);
  }));

  it('Poisson schedules: gaps with a coefficient of variation near 1, counts near their mean, a new draw per seed', () => {
    const meanMs = 1;
    const cvs: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const t = poissonTimes(stepSeed(seed, 0), meanMs, 20_000);
      const gaps = t.slice(1).map((x, i) => x - (t[i] as number));
      const m = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - m) ** 2, 0) / gaps.length);
      cvs.push(sd / m);
      // Counts per 100 ms window: Poisson, so variance ≈ mean (100).
      const counts = new Array(200).fill(0) as number[];
      for (const x of t) counts[Math.floor(x / 100)]!++;
      const cm = counts.reduce((a, b) => a + b, 0) / counts.length;
      const cv = counts.reduce((a, b) => a + (b - cm) ** 2, 0) / (counts.length - 1);
      assert.ok(cv / cm > 0.7 && cv / cm < 1.4, `seed ${seed}: dispersion ${(cv / cm).toFixed(2)}`);
      assert.equal(scheduledCount({ arrival: 'poisson', rate: 1000 }, stepSeed(seed, 0), 20_000), t.length);
    }
    // Even spacing would give CV 0; 20 000 exponential gaps give 1 ± 0.02.
    for (const cv of cvs) assert.ok(Math.abs(cv - 1) < 0.05, `CV ${cv.toFixed(3)}`);
    assert.notEqual(poissonTimes(stepSeed(1, 0), 1, 50)[0], poissonTimes(stepSeed(2, 0), 1, 50)[0], 'seeds differ');
    assert.equal(scheduledCount({ arrival: 'uniform', rate: 100 }, 0, 1005), 101, 'uniform: arrivals at 0, 10, …, 1000 ms');
  });

  it('a Poisson ramp of a near-free extractor at low rates: no step saturated, no knee', async () => {
    const r = await runStress({
      extractor: fixture('noop.mjs'),
      phases: [{ executor: 'ramping-arrival-rate', from: 20, to: 80, step: 30, stepDuration: '1500ms', arrival: 'poisson', maxConcurrency: 2 }],
    });
    for (const s of r.steps) {
      assert.equal(s.saturated, false, `step ${s.index}: achieved ${s.openLoop?.achieved} of ${s.openLoop?.scheduledRate} drawn`);
      assert.equal(s.openLoop!.dropped, 0, 'every drawn arrival was served');
      assert.equal(s.count, s.openLoop!.scheduled, 'one call per drawn arrival, no more');
    }
    assert.equal(r.knee.detected, false, r.knee.reason);
    assert.equal(typeof r.meta.seed, 'number');
  });
});

describe('trends judged over time at constant load, never across load', () => {
  const leakOpts = { window: 2, minWindows: 8, minRelGrowth: 1000, minAbsGrowth: 20_000_000 };

  it('a 10-step concurrency ramp of a healthy extractor (100+ snapshots) passes: no leak, no drift', async () => {
    const r = await runStress({
      extractor: fixture('busy.mjs'),
      snapshotInterval: '100ms',
      phases: [{ executor: 'ramping-concurrency', from: 1, to: 10, step: 1, stepDuration: '1s' }],
      analysis: { leak: leakOpts, failOn: ['leak', 'drift'] },
    });
    assert.ok(r.series.length >= 90, `${r.series.length} series points`);
    assert.equal(r.exitCode, 0, r.verdict.reasons.join('; '));
    for (const h of r.endurance!.heap) assert.notEqual(h.trend.verdict, 'leak', h.trend.reason);
    assert.notEqual(r.endurance!.latency.verdict, 'drift', r.endurance!.latency.reason);
  });

  it('the same ramp followed by a constant phase finds a real leak there, and names that step', async () => {
    const r = await runStress({
      extractor: fixture('leaky.mjs'),
      snapshotInterval: '100ms',
      phases: [
        { executor: 'ramping-concurrency', from: 1, to: 3, step: 1, stepDuration: '1s' },
        { executor: 'constant-concurrency', concurrency: 1, duration: '4s', name: 'soak' },
      ],
      analysis: { leak: leakOpts, failOn: ['leak'] },
    });
    const soak = r.steps.find((s) => s.phase === 'soak')!;
    const t = r.endurance!.heap[0]!.trend;
    assert.equal(t.verdict, 'leak', t.reason);
    assert.equal(t.step, soak.index, 'judged on the constant phase');
    assert.equal(t.part, 'heap');
    assert.equal(r.exitCode, 1);
  });
});

describe('memory that counts all of it', () => {
  const run = (kind: string): Promise<import('../src/result/schema.js').StrainResult> => runStress({
    extractor: fixture('offheap.mjs'),
    extractorOptions: { kind },
    snapshotInterval: '100ms',
    phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '4s' }],
    // Material means 4 MB (or the floor itself, if smaller): the leaks here hold
    // 8 MB a second, while a 4 s run with no collection in it (Node 26's young
    // generation outlasts it) lets about 1 MB of garbage pile up and look like a rise.
    analysis: { leak: { window: 2, minWindows: 8, minRelGrowth: 1, minAbsGrowth: 4_000_000 }, failOn: ['leak'] },
  });

  for (const kind of ['typed', 'buffer']) {
    it(`a ${kind === 'typed' ? 'typed-array' : 'Buffer'} leak (off the V8 heap) is judged a leak of external memory`, async () => {
      const r = await run(kind);
      const t = r.endurance!.heap[0]!.trend;
      assert.equal(t.verdict, 'leak', t.reason);
      assert.equal(t.part, 'external');
      assert.ok(r.workers[0]!.peakMemoryBytes! - r.workers[0]!.peakHeapBytes > 10_000_000, 'external memory is counted');
      assert.equal(r.exitCode, 1);
    });
  }

  for (const kind of ['flat', 'sawtooth']) {
    it(`a ${kind} run is judged and is not a leak`, async () => {
      const r = await run(kind);
      const t = r.endurance!.heap[0]!.trend;
      assert.ok(t.verdict === 'none' || t.verdict === 'step', `${t.verdict}: ${t.reason}`);
      assert.equal(r.exitCode, 0, r.verdict.reasons.join('; '));
    });
  }
});

describe('honest resources', () => {
  it('a window no sample covers has null figures; a sample is credited by the time it covers', () => {
    const sample = (tMs: number, cpu: number, rss: number): ResourceSample => ({
      tMs, step: 0, cpuPercent: cpu, rssBytes: rss, systemCpuPercent: 0, systemMemUsedBytes: 0, diskReadBytesPerSec: null, diskWriteBytesPerSec: null,
    });
    const samples = [sample(1000, 100, 10), sample(2000, 50, 30)];
    // [1500, 2000] lies inside the second sample's span (1000, 2000]: its figures alone.
    assert.deepEqual(resourcesOver(samples, 1500, 2000, 1000), { meanCpu: 50, peakCpu: 50, meanRss: 30, peakRss: 30, samples: 1 });
    // [500, 1500]: half of each sample's span: the time-weighted mean.
    assert.equal(resourcesOver(samples, 500, 1500, 1000).meanCpu, 75);
    assert.deepEqual(resourcesOver(samples, 2500, 3000, 1000), { meanCpu: null, peakCpu: null, meanRss: null, peakRss: null, samples: 0 });
  });

  it('a short allocation peak survives downsampling into the peaks', () => {
    const sampler = new ResourceSampler(0, () => 0, 1000, 100);
    for (let i = 0; i < 1000; i++) {
      sampler.push({ tMs: i * 1000, step: 0, cpuPercent: i === 7 ? 190 : 20, rssBytes: i === 7 ? 900e6 : 100e6, systemCpuPercent: 0, systemMemUsedBytes: 0, diskReadBytesPerSec: null, diskWriteBytesPerSec: null });
    }
    assert.ok(sampler.samples.length <= 100);
    assert.equal(Math.max(...sampler.samples.map((s) => s.rssBytes)), 900e6);
    assert.equal(Math.max(...sampler.samples.map((s) => s.cpuPercent)), 190);
    assert.equal(sampler.samples.at(-1)!.tMs, 999_000, 'the newest sample is kept');
  });

  it('steps too short for a sample report null resources, and a threshold on them fails as "no data"', async () => {
    // The sampler runs at a quarter of the shortest step (at least every 100 ms): 400 ms steps each get samples.
    const r = await runStress({
      extractor: fixture('busy.mjs'),
      phases: [{ executor: 'ramping-concurrency', from: 1, to: 2, step: 1, stepDuration: '400ms' }],
      thresholds: { cpu: [{ threshold: 'max<1000', scope: 'step' }] },
    });
    for (const s of r.steps) assert.notEqual(s.cpu.meanPercent, null, `step ${s.index} has a CPU figure`);
    assert.ok(r.thresholds.every((t) => t.passed && t.actual !== null));
    // A result whose steps got no sample: null, and the threshold fails with no data.
    const view = resourcesOver([], 0, 400, 100);
    assert.equal(view.meanCpu, null);
    const verdict = evaluateThreshold(parseThreshold('cpu', 'max<1000', 'test'), { count: 10, latencyMs: { avg: 1, min: 1, max: 1, med: 1, percentile: () => 1 }, errors: { rate: 0, count: 0 }, throughput: { avg: 1, min: 1, max: 1 }, cpu: { avg: null, max: null }, memoryMiB: { avg: null, max: null } }, 'step:1');
    assert.equal(verdict.passed, false);
    assert.equal(verdict.actual, null);
  });
});

describe('exact windows', () => {
  it('closed loop, one slow worker and one fast: the step throughput is the known rate, within 2%', async () => {
    const r = await runStress({
      extractor: fixture('per-worker-ms.mjs'),
      extractorOptions: { ms: [1, 5] },
      snapshotInterval: '250ms',
      phases: [{ executor: 'constant-concurrency', concurrency: 2, duration: '3s' }],
    });
    const s = r.steps[0]!;
    // 1000/s from the 1 ms worker plus 200/s from the 5 ms one.
    assert.ok(Math.abs(s.throughput / 1200 - 1) < 0.02, `throughput ${s.throughput.toFixed(1)}/s vs 1200/s`);
    assert.ok(Math.abs(s.steadyDurationMs - 3000) < 30, `window ${s.steadyDurationMs} ms is the step's 3 s`);
  });

  it('a steady load draws a flat series: no periodic dips of one worker in W', async () => {
    const r = await runStress({
      extractor: fixture('per-worker-ms.mjs'),
      extractorOptions: { ms: [0.7, 0.7] },
      snapshotInterval: '100ms',
      phases: [{ executor: 'constant-concurrency', concurrency: 2, duration: '2500ms' }],
    });
    const inner = r.series.slice(1, -1).map((p) => p.throughput).sort((a, b) => a - b);
    const med = inner[Math.floor(inner.length / 2)]!;
    // A whole snapshot in the wrong bucket moves half the load (W = 2); a flat line stays within a few percent.
    const worst = Math.max(...inner.map((x) => Math.abs(x / med - 1)));
    assert.ok(inner.length >= 20, `${inner.length} points`);
    assert.ok(worst < 0.25, `worst point ${((worst) * 100).toFixed(0)}% off the median ${med.toFixed(0)}/s`);
    assert.equal(r.series.reduce((a, p) => a + p.count, 0), r.total.count + r.total.warmupCount!, 'every call in exactly one bucket');
  });
});

describe('open loop in flight', () => {
  it('an async extractor awaiting a 20 ms timer reaches 300/s on 2 workers (3× maxConcurrency / latency)', async () => {
    const r = await runStress({
      extractor: fixture('async-timer.mjs'),
      extractorOptions: { ms: 20 },
      phases: [{ executor: 'constant-arrival-rate', rate: 300, duration: '3s', maxConcurrency: 2, concurrencyPerWorker: 16 }],
    });
    const s = r.steps[0]!;
    const o = s.openLoop!;
    assert.equal(o.dropped, 0);
    assert.ok(o.achieved > 0.97 * o.scheduledRate!, `achieved ${o.achieved}/s of ${o.scheduledRate}/s drawn`);
    assert.equal(s.saturated, false);
    assert.ok(s.latencyMs.p50 >= 19 && s.latencyMs.p50 < 40, `p50 ${s.latencyMs.p50} ms is the timer's`);
  });

  it('a sync extractor stays at one call per worker whatever concurrencyPerWorker says', async () => {
    const dir = tempDir();
    const r = await runStress({
      extractor: fixture('counter.mjs'),
      extractorOptions: { dir },
      phases: [{ executor: 'constant-arrival-rate', rate: 200, duration: '1s', maxConcurrency: 1, concurrencyPerWorker: 8 }],
    });
    assert.equal(r.steps[0]!.openLoop!.dropped, 0);
    assert.equal(r.steps[0]!.count, r.steps[0]!.openLoop!.scheduled);
  });
});

describe('history', () => {
  it('runs that did not complete stay listed, marked, and out of change-point detection', () => {
    const entry = (i: number, throughput: number, status = 'completed'): HistoryEntry => ({
      at: `2026-11-${String(i + 1).padStart(2, '0')}T01:30:00Z`, name: 'nightly', status, exitCode: status === 'completed' ? 0 : 130,
      throughput, p50: 1, p99: 2, errorRate: 0, kneeLoad: null, peakRssBytes: 1, result: null,
    });
    const rand = seededRandom(5);
    const entries: HistoryEntry[] = [];
    for (let i = 0; i < 24; i++) entries.push(entry(i, (i < 14 ? 1000 : 800) * (1 + 0.01 * (rand() - 0.5))));
    // Aborted and failed runs measure a fraction of a run: wild figures that must not make change points.
    entries.splice(5, 0, entry(5, 50, 'aborted'));
    entries.splice(9, 0, entry(9, 5000, 'failed'));
    const r = historyReport(entries, ['throughput'], 30);
    assert.equal(r.changePoints.length, 1, JSON.stringify(r.changePoints));
    // The shift is at the 15th completed run, which is entry 16 of the file (two incomplete runs came before it).
    assert.equal(r.changePoints[0]!.index, 16);
    assert.match(r.text, /2 run\(s\) that did not complete are listed but left out/);
    assert.match(r.text, /aborted/);
    assert.match(r.text, /failed/);
  });
});

describe('one queue for Poisson arrivals', () => {
  it('W workers behind one queue: latency close to a single-queue simulation, clearly below W separate queues', async (t) => onBusyHost(t, async () => {
    const W = 4;
    const rate = 1600;
    const dur = 4000;
    const r = await runStress({
      extractor: fixture('sleep-ms.mjs'),
      extractorOptions: { ms: 2 },
      phases: [{ executor: 'constant-arrival-rate', rate, duration: `${dur}ms`, arrival: 'poisson', maxConcurrency: W }],
    });
    const s = r.steps[0]!;
    // Simulate both models on the very arrivals the run drew (its seed), with its measured service time (utilisation ≈ 0.85).
    const svc = s.openLoop!.serviceMs.mean;
    const arrivals = poissonTimes(stepSeed(r.meta.seed!, 0), 1000 / rate, dur);
    const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(0.99 * (xs.length - 1))]!;
    const free = new Array<number>(W).fill(0);
    const single = arrivals.map((a) => {
      const i = free.indexOf(Math.min(...free));
      free[i] = Math.max(a, free[i]!) + svc;
      return free[i]! - a;
    });
    const own = new Array<number>(W).fill(0);
    const rand = seededRandom(9);
    const separate = arrivals.map((a) => {
      const i = Math.floor(rand() * W);
      own[i] = Math.max(a, own[i]!) + svc;
      return own[i]! - a;
    });
    const measured = s.latencyMs.p99;
    assert.equal(s.count, arrivals.length, 'every drawn arrival was served');
    // The run adds its own dispatch lag and the host's noise to the simulation's
    // pure queueing (a stall lengthens every queued call's wait: 2.15× once on
    // Node 26 here), so within 3× of one queue; 0.7 of W queues is what tells the models apart.
    assert.ok(measured / p99(single) < 3, `measured p99 ${measured.toFixed(2)} ms vs one queue ${p99(single).toFixed(2)} ms, W queues ${p99(separate).toFixed(2)} ms`);
    assert.ok(measured / p99(separate) < 0.7, `measured p99 ${measured.toFixed(2)} ms vs separate queues ${p99(separate).toFixed(2)} ms`);
  }));

  for (const seed of [11, 12, 13]) {
    it(`a Poisson ramp 10 → 100/s of a near-free extractor (seed ${seed}): no step saturated, no knee`, async () => {
      const r = await runStress({
        extractor: fixture('noop.mjs'),
        seed,
        phases: [{ executor: 'ramping-arrival-rate', from: 10, to: 100, step: 45, stepDuration: '1s', arrival: 'poisson', maxConcurrency: 2 }],
      });
      assert.equal(r.meta.seed, seed);
      for (const st of r.steps) assert.equal(st.saturated, false, `step ${st.index}: ${st.count} of ${st.openLoop!.scheduled} drawn, late ${st.openLoop!.late}`);
      assert.equal(r.knee.detected, false, r.knee.reason);
    });
  }
});

describe('CPU of the code under test', () => {
  it('busy fraction matches a known duty cycle: 2 ms calls at 100/s on one worker ≈ 0.2', async () => {
    const r = await runStress({
      extractor: fixture('busy.mjs'),
      extractorOptions: { ms: 2 },
      phases: [{ executor: 'constant-arrival-rate', rate: 100, duration: '3s', maxConcurrency: 1 }],
    });
    const s = r.steps[0]!;
    assert.ok(Math.abs(s.busyFraction! - 0.2) <= 0.05, `busy ${s.busyFraction}`);
    assert.ok(Math.abs(r.workers[0]!.elu - 0.2) <= 0.05, `worker busy fraction ${r.workers[0]!.elu} (an idle Atomics.wait is not busy)`);
    // The worker thread's own CPU (Linux) is the calls' plus a little loop around them.
    if (s.cpu.workersPercent !== null && s.cpu.workersPercent !== undefined) {
      assert.ok(s.cpu.workersPercent >= 15 && s.cpu.workersPercent <= 35, `worker thread CPU ${s.cpu.workersPercent}% of a core`);
    }
  });

  it('the open-loop engine at a low rate costs a small multiple of the calls themselves, and its lag stays light', async (t) => onBusyHost(t, async () => {
    const r = await runStress({
      extractor: fixture('spin-us.mjs'),
      extractorOptions: { us: 20 },
      phases: [{ executor: 'constant-arrival-rate', rate: 500, duration: '3s', maxConcurrency: 2 }],
    });
    const s = r.steps[0]!;
    const callsCpu = 100 * s.busyFraction! * 2; // percent of one core spent inside calls
    assert.ok(callsCpu > 0.5 && callsCpu < 5, `calls use ${callsCpu.toFixed(2)}% of a core`);
    // Sleeping until the last fraction of a millisecond: the process costs about 7× the calls here (it spun 50× before).
    assert.ok(s.cpu.meanPercent! / callsCpu < 15, `process CPU ${s.cpu.meanPercent!.toFixed(1)}% vs the calls' ${callsCpu.toFixed(2)}%`);
    // Light lag, in a bound a busy host cannot break (a stall of this 2-vCPU VM put p99 at 1.5 ms once;
    // npm run bench holds the tight 0.5 ms goal): the generator keeps up with 500/s.
    assert.ok(s.openLoop!.lagMs.p99 < 10, `lag p99 ${s.openLoop!.lagMs.p99} ms`);
    assert.ok(s.openLoop!.lagMs.p50 < 1, `lag p50 ${s.openLoop!.lagMs.p50} ms`);
    assert.equal(s.saturated, false);
  }));
});

describe('automatic batching', () => {
  it('a sub-µs call is timed in batches chosen by the engine, and says so; a 40 µs call keeps per-call timing', async () => {
    const fast = await runStress({
      extractor: fixture('noop.mjs'),
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '1500ms' }],
    });
    assert.equal(fast.meta.timing.method, 'batched');
    assert.ok(fast.meta.timing.batchSizes!.every((b) => b >= 2), JSON.stringify(fast.meta.timing.batchSizes));
    assert.match(fast.meta.timing.note ?? '', /batched automatically/);
    const slow = await runStress({
      extractor: fixture('spin-us.mjs'),
      extractorOptions: { us: 40 },
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '1s' }],
    });
    assert.equal(slow.meta.timing.method, 'per-call');
    assert.deepEqual(slow.meta.timing.batchSizes, [1]);
    assert.ok(Math.abs(slow.total.latencyMs.p50 / 0.040 - 1) < 0.1, `p50 ${slow.total.latencyMs.p50} ms`);
  });

  it('a batchSize in the profile is used as given', async () => {
    const r = await runStress({
      extractor: fixture('noop.mjs'),
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '1s', batchSize: 7 }],
    });
    assert.deepEqual(r.meta.timing.batchSizes, [7]);
    assert.doesNotMatch(r.meta.timing.note ?? '', /automatically/);
  });
});

describe('spikes', () => {
  it('a ramp that climbs and comes back down is not a spike; a jump that holds one level is', () => {
    const step = (index: number, concurrency: number): StepResult => ({ index, load: { concurrency }, startMs: index * 1000, endMs: (index + 1) * 1000 } as unknown as StepResult);
    const series = Array.from({ length: 60 }, (_, i) => ({ tMs: (i + 1) * 100, step: 0, count: 1, errors: 0, throughput: 1, p50Ms: 1, p99Ms: 1, maxMs: 1 }));
    assert.equal(spikeOf([1, 2, 3, 4, 2, 1].map((c, i) => step(i, c)), series), null);
    assert.deepEqual(spikeOf([1, 6, 6, 1].map((c, i) => step(i, c)), series)?.steps, [1, 2]);
  });
});
