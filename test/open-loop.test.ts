import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runStress } from '../src/run.js';
import { fixture } from './helpers.js';

describe('open loop: arrival rates without coordinated omission', () => {
  it('1000/s on 1 worker, one 1 s stall at t = 5 s: latency p99 ≥ 0.8 s and max ≈ 1 s; service p99 < 5 ms', async () => {
    const r = await runStress({
      extractor: fixture('stall.mjs'),
      extractorOptions: { stallAtMs: 5000, stallMs: 1000 },
      phases: [{ executor: 'constant-arrival-rate', rate: 1000, duration: '10s', maxConcurrency: 1 }],
    });
    const s = r.steps[0]!;
    assert.ok(s.latencyMs.p99 >= 800, `latency p99 ${s.latencyMs.p99}`);
    assert.ok(s.latencyMs.max >= 950 && s.latencyMs.max <= 1200, `latency max ${s.latencyMs.max}`);
    assert.ok(s.openLoop!.serviceMs.p99 < 5, `service p99 ${s.openLoop!.serviceMs.p99}`);
    assert.ok(s.openLoop!.lagMs.max >= 900, 'the stall shows as dispatch lag of the calls behind it');
    assert.ok(Math.abs(s.count - 10_000) <= 20, `every scheduled call ran (${s.count}): the rate did not silently drop`);
  });

  it('offered 200/s with a 0.5 ms extractor: achieved within 2% of offered, not saturated', async () => {
    const r = await runStress({
      extractor: fixture('half-ms.mjs'),
      phases: [{ executor: 'constant-arrival-rate', rate: 200, duration: '3s', maxConcurrency: 1 }],
    });
    const o = r.steps[0]!.openLoop!;
    assert.ok(Math.abs(o.achieved - 200) / 200 <= 0.02, `achieved ${o.achieved}`);
    assert.equal(o.offered, 200);
    assert.equal(r.steps[0]!.saturated, false);
    assert.equal(o.dropped, 0);
    assert.ok(r.steps[0]!.latencyMs.p50 < 2, `p50 ${r.steps[0]!.latencyMs.p50} ms`);
  });

  it('offered well past capacity: the step is saturated and late and dropped calls are counted', async () => {
    const r = await runStress({
      extractor: fixture('half-ms.mjs'),
      phases: [{ executor: 'constant-arrival-rate', rate: 6000, duration: '2s', maxConcurrency: 1 }],
    });
    const s = r.steps[0]!;
    assert.equal(s.saturated, true);
    assert.ok(s.openLoop!.late > 0, 'late calls counted');
    assert.ok(s.openLoop!.dropped > 1000, `dropped ${s.openLoop!.dropped}`);
    assert.ok(s.openLoop!.achieved < 0.6 * 6000, `achieved ${s.openLoop!.achieved}`);
    assert.ok(s.latencyMs.p99 > 100, 'latency from intended start grows with the backlog');
  });

  it('lateness confined to the step warm-up is reported but does not make the step saturated', async () => {
    const r = await runStress({
      extractor: fixture('stall.mjs'),
      extractorOptions: { stallAtMs: 0, stallMs: 300 },
      stepWarmup: '600ms',
      snapshotInterval: '100ms',
      phases: [{ executor: 'constant-arrival-rate', rate: 200, duration: '2s', maxConcurrency: 1 }],
    });
    const s = r.steps[0]!;
    assert.ok(s.openLoop!.late >= 40, `the 300 ms stall made about 60 calls late (${s.openLoop!.late})`);
    assert.equal(s.saturated, false);
    const steady = await runStress({
      extractor: fixture('stall.mjs'),
      extractorOptions: { stallAtMs: 1000, stallMs: 300 },
      stepWarmup: '600ms',
      snapshotInterval: '100ms',
      phases: [{ executor: 'constant-arrival-rate', rate: 200, duration: '2s', maxConcurrency: 1 }],
    });
    assert.equal(steady.steps[0]!.saturated, true, 'the same stall after the warm-up is judged');
  });

  it('Poisson arrivals average the offered rate', async () => {
    const r = await runStress({
      extractor: fixture('noop.mjs'),
      phases: [{ executor: 'constant-arrival-rate', rate: 2000, duration: '2s', maxConcurrency: 2, arrival: 'poisson' }],
    });
    const o = r.steps[0]!.openLoop!;
    assert.equal(o.arrival, 'poisson');
    assert.ok(Math.abs(o.scheduled - 4000) < 4 * Math.sqrt(4000), `scheduled ${o.scheduled}`);
    assert.ok(Math.abs(o.achieved - 2000) / 2000 < 0.1, `achieved ${o.achieved}`);
  });

  it('a breakpoint ramp stops at its condition and reports the last good load', async () => {
    const r = await runStress({
      extractor: fixture('half-ms.mjs'),
      phases: [{
        executor: 'ramping-arrival-rate', from: 500, to: 8000, step: 1500, stepDuration: '1s', maxConcurrency: 1,
        stopWhen: { achievedBelow: 0.9 },
      }],
    });
    assert.ok(r.breakpoint, 'stopped');
    assert.ok(r.steps.length < 6, `ran ${r.steps.length} of 6 planned steps`);
    assert.match(r.breakpoint.reason, /achieved .* fell under 0.9 of the [\d.]+\/s scheduled \(offered \d+\/s\)/);
    const last = r.steps[r.steps.length - 1]!;
    assert.equal(r.breakpoint.step, last.index);
    assert.ok((r.breakpoint.lastGoodLoad ?? 0) < last.load.rate!);
    assert.equal(r.status, 'completed');
    assert.equal(r.knee.detected, true, r.knee.reason);
    assert.ok((r.knee.load ?? Infinity) < last.load.rate!);
  });
});

describe('closed loop extras', () => {
  it('think time spaces calls out and is not counted in latency', async () => {
    const r = await runStress({
      extractor: fixture('noop.mjs'),
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '1s', thinkTime: '20ms' }],
    });
    const s = r.steps[0]!;
    assert.ok(s.count >= 25 && s.count <= 55, `about 50 calls in 1 s with 20 ms think time, got ${s.count}`);
    assert.ok(s.latencyMs.p99 < 5, `latency excludes think time: p99 ${s.latencyMs.p99}`);
  });

  it('concurrencyPerWorker runs several async calls in flight per worker', async () => {
    const run = (concurrency: number, perWorker: number) => runStress({
      extractor: `${fixture('async-sleep.mjs')}#waitABit`,
      phases: [{ executor: 'constant-concurrency', concurrency, duration: '1s', concurrencyPerWorker: perWorker }],
    });
    const one = await run(2, 1);
    const many = await run(8, 4);
    assert.equal(many.workers.length, 2, 'eight in flight on two workers');
    assert.equal(many.steps[0]!.load.concurrency, 8);
    const ratio = many.steps[0]!.throughput / one.steps[0]!.throughput;
    assert.ok(ratio > 2.5, `4 lanes per worker give ${ratio.toFixed(2)}x the throughput of 1`);
  });
});
