import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runStress } from '../src/run.js';
import { fixture } from './helpers.js';

describe('analysis, end to end', () => {
  // The host's two vCPUs are shared (see test/engine.test.ts): a neighbour's
  // burst can halve one step's throughput. Up to five ramps; each is logged.
  it('a CPU-bound extractor ramped 1 → 6 workers on this 2-core machine has its knee at 2', async (t) => {
    const seen: string[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const result = await runStress({
        extractor: fixture('cpu.mjs'),
        stepWarmup: '300ms',
        snapshotInterval: '250ms',
        phases: [{ executor: 'ramping-concurrency', from: 1, to: 6, stepDuration: '1300ms' }],
      });
      const summary = result.steps.map((s) => `${s.load.concurrency}:${s.throughput.toFixed(0)}/s p99 ${s.latencyMs.p99.toFixed(2)}`).join(', ');
      const line = `attempt ${attempt}: knee ${result.knee.load} by ${result.knee.method} (${result.knee.reason}) [${summary}]`;
      t.diagnostic(line);
      seen.push(line);
      if (result.knee.detected && result.knee.load === 2) return;
    }
    assert.fail(`no attempt put the knee at 2:\n${seen.join('\n')}`);
  });

  it('an abortOnFail threshold stops the run early with exit code 1', async () => {
    const started = Date.now();
    const result = await runStress({
      extractor: fixture('throw-every-10th.mjs'),
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '20s' }],
      thresholds: { errors: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '500ms' }] },
    });
    assert.ok(Date.now() - started < 8000, 'stopped long before 20 s');
    assert.equal(result.status, 'aborted');
    assert.equal(result.exitCode, 1);
    assert.equal(result.verdict.passed, false);
    assert.match(result.verdict.reasons[0] ?? '', /abortOnFail/);
  });

  it('judges thresholds per step and per phase', async () => {
    const result = await runStress({
      extractor: fixture('busy.mjs'),
      extractorOptions: { ms: 1 },
      phases: [
        { name: 'light', executor: 'iterations', iterations: 50 },
        { name: 'ramp', executor: 'ramping-concurrency', from: 1, to: 2, stepDuration: '600ms' },
      ],
      thresholds: {
        latency: [{ threshold: 'p(50)<50', scope: 'step' }, { threshold: 'p(50)<50', phase: 'ramp' }],
        throughput: [{ threshold: 'avg>1000000', scope: 'step', phase: 'ramp' }],
      },
    });
    const scopes = result.thresholds.map((t) => `${t.metric} ${t.scope} ${t.passed}`);
    assert.deepEqual(scopes, [
      'latency step:1 true', 'latency step:2 true', 'latency step:3 true',
      'latency phase:ramp true',
      'throughput step:2 false', 'throughput step:3 false',
    ]);
    assert.equal(result.exitCode, 1);
  });

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
