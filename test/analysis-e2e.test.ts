import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableParallelism } from 'node:os';
import { runStress } from '../src/run.js';
import { fixture } from './helpers.js';
import { onBusyHost } from './busy-host.js';

describe('analysis, end to end', () => {
  // One ramp, no retries: the knee of a CPU-bound call is the machine's core
  // count (throughput stops scaling there), whatever that count is.
  it('a CPU-bound extractor ramped past the core count has its knee at the core count', async (t) => onBusyHost(t, async () => {
    const cores = availableParallelism();
    const result = await runStress({
      extractor: fixture('cpu.mjs'),
      stepWarmup: '300ms',
      snapshotInterval: '250ms',
      phases: [{ executor: 'ramping-concurrency', from: 1, to: cores + 4, stepDuration: '1300ms' }],
    });
    const summary = result.steps.map((s) => `${s.load.concurrency}:${s.throughput.toFixed(0)}/s p99 ${s.latencyMs.p99.toFixed(2)}`).join(', ');
    t.diagnostic(`knee ${result.knee.load} by ${result.knee.method} (${result.knee.reason}) [${summary}]`);
    assert.equal(result.knee.detected, true, result.knee.reason);
    assert.equal(result.knee.load, cores, `${result.knee.reason} [${summary}]`);
  }));

  it('a spike profile: the spike and its recovery show in the result', async () => {
    const result = await runStress({
      extractor: fixture('cpu.mjs'),
      snapshotInterval: '200ms',
      phases: [{ executor: 'ramping-concurrency', stages: [{ target: 1, duration: '1200ms' }, { target: 6, duration: '1200ms' }, { target: 1, duration: '1600ms' }] }],
    });
    assert.ok(result.spike, 'spike found');
    assert.deepEqual(result.spike.steps, [1]);
    assert.ok(result.spike.peakP99Ms > result.spike.baselineP99Ms, JSON.stringify(result.spike));
    assert.ok(result.steps[1]!.latencyMs.p99 > result.steps[0]!.latencyMs.p99, '6 workers on 2 cores queue for CPU');
  });

  it('a leaking extractor is judged a leak; the configurable thresholds make a short test possible', async () => {
    const result = await runStress({
      extractor: fixture('leaky.mjs'),
      snapshotInterval: '100ms',
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '4s' }],
      analysis: { leak: { window: 2, minWindows: 8, minRelGrowth: 1000, minAbsGrowth: 20_000_000 }, failOn: ['leak'] },
    });
    const trend = result.endurance?.heap[0]?.trend;
    assert.equal(trend?.verdict, 'leak', trend?.reason);
    assert.ok((trend?.slopePerMin ?? 0) > 0);
    assert.equal(result.exitCode, 1);
    assert.match(result.verdict.reasons.join(' '), /worker 0 memory leaks \(heap\)/);
  });

  it('a clean extractor over the same short run is not a leak', async () => {
    const result = await runStress({
      extractor: fixture('cpu.mjs'),
      snapshotInterval: '100ms',
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '3s' }],
      analysis: { leak: { window: 2, minWindows: 8, minRelGrowth: 1000, minAbsGrowth: 20_000_000 } },
    });
    // Judged, and judged clean: insufficient data would not be an answer.
    assert.equal(result.endurance?.heap[0]?.trend.verdict, 'none', result.endurance?.heap[0]?.trend.reason);
  });
});

describe('ramps that check themselves, end to end', () => {
  it('a ramp up and back down of an extractor that slows down mid-run: the knee\'s confidence drops, with the reason', async () => {
    const r = await runStress({
      extractor: fixture('slows-down.mjs'),
      extractorOptions: { fastMs: 2200 },
      snapshotInterval: '200ms',
      phases: [{ executor: 'ramping-concurrency', stages: [{ target: 1, duration: '1s' }, { target: 2, duration: '1s' }, { target: 1, duration: '1s' }, { target: 2, duration: '1s' }] }],
    });
    assert.equal(r.knee.repeats!.length, 2, JSON.stringify(r.knee.repeats));
    assert.ok(r.knee.repeats!.some((q) => !q.agree), JSON.stringify(r.knee.repeats));
    assert.match(r.knee.checks!.join('; '), /level \d measured/);
    assert.equal(r.knee.confidence, 'low');
    assert.match(r.knee.reason, /confidence low: level/);
  });
});
