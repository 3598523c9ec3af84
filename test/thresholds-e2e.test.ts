import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runStress } from '../src/run.js';
import { fixture } from './helpers.js';

const within = (x: number | null | undefined, lo: number, hi: number, what: string): void => {
  assert.ok(typeof x === 'number' && x >= lo && x <= hi, `${what}: ${x} not in [${lo}, ${hi}]`);
};

describe('thresholds, end to end', () => {
  it('one expression passes in the phase where it holds and fails where it does not, each with its own actual', async () => {
    // Worker 0 completes a call every 1 ms, worker 1 every 5 ms. Phase "one"
    // runs worker 0 alone: every call is 1 ms. Phase "two" runs both: 1 call
    // in 6 is 5 ms, so p95 is 5 ms there; over the whole run 200 of 2200
    // calls are 5 ms, so the run's p95 is 5 ms and its p50 1 ms.
    const r = await runStress({
      extractor: fixture('per-worker-ms.mjs'),
      extractorOptions: { ms: [1, 5] },
      stepWarmup: '200ms',
      phases: [
        { name: 'one', executor: 'constant-concurrency', concurrency: 1, duration: '1200ms' },
        { name: 'two', executor: 'constant-concurrency', concurrency: 2, duration: '1200ms' },
      ],
      thresholds: {
        latency: [
          { threshold: 'p(95)<3', scope: 'phase' },
          { threshold: 'p(95)<3' },
          { threshold: 'p(50)<3' },
          { threshold: 'p(95)<3', scope: 'step', phase: 'two' },
        ],
      },
    });
    const by = (scope: string, expr = 'p(95)<3') => r.thresholds.find((t) => t.scope === scope && t.expression === expr);
    assert.deepEqual(r.thresholds.map((t) => `${t.expression} ${t.scope} ${t.passed}`), [
      'p(95)<3 phase:one true', 'p(95)<3 phase:two false', 'p(95)<3 run false', 'p(50)<3 run true', 'p(95)<3 step:2 false',
    ]);
    within(by('phase:one')?.actual, 0.9, 1.8, 'phase one p95');
    within(by('phase:two')?.actual, 4.5, 7, 'phase two p95');
    within(by('run')?.actual, 4.5, 7, 'run p95');
    within(by('run', 'p(50)<3')?.actual, 0.9, 1.8, 'run p50');
    assert.equal(r.exitCode, 1);
    assert.equal(r.verdict.passed, false);
  });

  it('CPU and memory thresholds are judged on the sampled figures of the run', async () => {
    const r = await runStress({
      extractor: fixture('busy.mjs'),
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '1500ms' }],
      thresholds: { cpu: ['avg>40', 'max<5'], memory: ['max>10', 'max<1'] },
    });
    const t = Object.fromEntries(r.thresholds.map((x) => [`${x.metric} ${x.expression}`, x]));
    // One worker spinning: about one core (100%) for the process, two at most.
    within(t['cpu avg>40']?.actual, 40, 210, 'mean CPU');
    assert.equal(t['cpu avg>40']?.passed, true);
    within(t['cpu max<5']?.actual, 40, 210, 'peak CPU');
    assert.equal(t['cpu max<5']?.passed, false);
    // A Node process with a worker thread holds tens of MiB of RSS.
    within(t['memory max>10']?.actual, 20, 4096, 'peak RSS MiB');
    assert.equal(t['memory max>10']?.passed, true);
    assert.equal(t['memory max<1']?.passed, false);
    assert.equal(t['memory max<1']?.actual, t['memory max>10']?.actual);
  });

  it('abortOnFail waits for delayAbortEval: a failing error rate stops the run after the delay, not before', async () => {
    const run = (delay: string) => runStress({
      extractor: fixture('throw-every-10th.mjs'),
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '20s' }],
      thresholds: { errors: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: delay }] },
    }, { progressIntervalMs: 100 });
    const late = await run('2500ms');
    assert.equal(late.status, 'aborted');
    assert.equal(late.exitCode, 1);
    assert.match(late.verdict.reasons[0] ?? '', /threshold errors rate<0\.01 failed during the run \(scope run, actual 0\.1\); abortOnFail stopped it/);
    within(late.meta.durationMs, 2400, 8000, 'run length with a 2.5 s delay');
    const early = await run('200ms');
    assert.equal(early.status, 'aborted');
    within(early.meta.durationMs, 150, 2000, 'run length with a 0.2 s delay');
  });
});
