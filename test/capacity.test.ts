// Capacity searches on the real engine, with extractors whose capacity is known:
// a 1 ms busy-wait on 2 workers carries just under 2,000 calls/s.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recoverResult } from '../src/checkpoint/recover.js';
import { consoleSummary } from '../src/report/console.js';
import { markdownSummary } from '../src/report/markdown.js';
import { runStress } from '../src/run.js';
import { fixture, tempDir } from './helpers.js';
import { onBusyHost } from './busy-host.js';

const OBJECTIVE = { latency: ['p(99)<20'] };

describe('capacity-search on the engine', () => {
  it('known answer: 1 ms calls on 2 workers with uniform arrivals carry just under 2,000/s; found within 20% below, in at most 16 probes', async (t) => onBusyHost(t, async () => {
    const dir = tempDir();
    const r = await runStress({
      extractor: fixture('busy.mjs'), extractorOptions: { ms: 1 },
      phases: [{ executor: 'capacity-search', from: 500, probeDuration: '1500ms', maxConcurrency: 2, arrival: 'uniform' }],
      thresholds: OBJECTIVE,
    }, { checkpointDir: dir, keepCheckpoint: true });
    const c = r.capacity;
    assert.ok(c, 'result.capacity is set');
    const trace = c.probes.map((p) => `${p.kind}@${p.load}:${p.passed ? 'P' : 'F'}`).join(' ');
    console.log(`# known answer: ${c.capacity}/s in ${c.probeCount} probes, ${(c.durationMs / 1000).toFixed(1)} s: ${trace}`);
    assert.equal(c.status, 'found', trace);
    assert.equal(c.confirmed, true);
    // 20%: on this shared VM a CI run found 1,719/s with 1,750/s failing twice (the host itself
    // carried less then); a search that stops growing early or overshoots the ceiling still fails.
    assert.ok(c.capacity !== null && c.capacity >= 1600 && c.capacity <= 2000, `capacity ${c.capacity}: ${trace}`);
    assert.ok(c.interval.passed !== null && c.interval.failed !== null && c.interval.passed <= c.capacity && c.capacity < c.interval.failed, JSON.stringify(c.interval));
    assert.ok((c.interval.relativeWidth as number) <= 0.02, `${JSON.stringify(c.interval)}: ${trace}`);
    // Growth (3), the first fail's repeat, five halvings to 2% of 2,000/s, the repeats a fail and a near pass
    // at the edge each get, the confirmation: 15 seen on a free host; a search that wanders takes 24.
    assert.ok(c.probeCount <= 16, `${c.probeCount} probes: ${trace}`);
    assert.deepEqual(c.objective, ['latency p(99)<20', 'achieved>=0.97']);
    // Each probe is a step of the result, measured like a ramp step, at the load the search chose.
    for (const p of c.probes) {
      const st = r.steps[p.step];
      assert.equal(st?.load.rate, p.load);
      assert.equal(st?.executor, 'capacity-search');
      assert.ok((st?.warmupMs ?? 0) > 0, 'each probe has its own warm-up');
    }
    assert.equal(r.steps.length, c.probeCount, 'unused probe slots are not steps');
    // The run's thresholds are judged on the confirmation the answer stands on, so the run passes.
    assert.equal(r.verdict.passed, true, r.verdict.reasons.join('; '));
    assert.equal(r.thresholds[0]?.passed, true);
    // The knee analysis runs on the same probes.
    assert.ok(r.knee.detected, r.knee.reason);
    assert.equal(r.spike, null, 'probes that jump up and down are no spike');
    const line = /capacity [\d,.]+\/s \(passed [\d,.]+\/s, failed [\d,.]+\/s: [\d.]+% wide\) for latency p\(99\)<20 & achieved>=0\.97; \d+ probes in [\d.]+ s/;
    assert.match(consoleSummary(r), line);
    assert.match(markdownSummary(r), line);
    // A killed run's checkpoint replays the search to the same answer.
    const back = recoverResult(dir);
    assert.equal(back.capacity?.capacity, c.capacity);
    assert.deepEqual(back.capacity?.probes.map((p) => [p.load, p.kind, p.passed]), c.probes.map((p) => [p.load, p.kind, p.passed]));
    assert.deepEqual(back.steps.map((s) => s.load.rate), r.steps.map((s) => s.load.rate));
  }));

  it('an objective no load can meet (p99 under the service time) ends with "not met at the lowest load" and fails the run', async () => {
    const r = await runStress({
      extractor: fixture('busy.mjs'), extractorOptions: { ms: 1 },
      phases: [{ executor: 'capacity-search', from: 100, probeDuration: '400ms', maxConcurrency: 2 }],
      thresholds: { latency: ['p(99)<0.5'] },
    });
    const c = r.capacity;
    assert.equal(c?.status, 'not-met');
    assert.equal(c?.capacity, null);
    assert.equal(c?.interval.failed, 100);
    assert.equal(c?.probeCount, 2, 'the first fail is repeated before the answer stands on it');
    assert.equal(r.verdict.passed, false);
    assert.equal(r.exitCode, 1);
    assert.ok(r.verdict.reasons.some((x) => /capacity search: the objective was not met at the lowest load \(100\/s\)/.test(x)), r.verdict.reasons.join('; '));
    assert.match(consoleSummary(r), /capacity: objective not met at the lowest load/);
  });

  it('an objective met at the upper bound reports the bound as a lower limit', async () => {
    const r = await runStress({
      extractor: fixture('busy.mjs'), extractorOptions: { ms: 1 },
      phases: [{ executor: 'capacity-search', from: 100, max: 300, probeDuration: '400ms', maxConcurrency: 2 }],
      thresholds: OBJECTIVE,
    });
    const c = r.capacity;
    assert.equal(c?.status, 'lower-limit', c?.reason);
    assert.equal(c?.capacity, 300);
    assert.equal(c?.interval.failed, null);
    assert.deepEqual(c?.probes.map((p) => p.load), [100, 200, 300, 300]);
    assert.match(consoleSummary(r), /capacity at least 300\/s \(the upper bound\)/);
    assert.equal(r.verdict.passed, true, r.verdict.reasons.join('; '));
  });

  it('a probe the test disturbs (calls 5x slower for 0.4 s inside it) is caught by its repeat; the answer stays in the known range', async (t) => onBusyHost(t, async () => {
    // Probe 1 (500/s) runs for 1 s from each worker's first call, probe 2 (1000/s) from about 1.07 s: calls
    // 1.3-1.7 s after the first are 5 ms long, so 2 workers carry 400/s for that while, and probe 2 fails.
    const r = await runStress({
      extractor: fixture('slow-window.mjs'), extractorOptions: { ms: 1, slowMs: 5, fromMs: 1300, toMs: 1700 },
      phases: [{ executor: 'capacity-search', from: 500, probeDuration: '1s', maxConcurrency: 2, arrival: 'uniform', maxProbes: 30 }],
      thresholds: OBJECTIVE,
    });
    const c = r.capacity;
    assert.ok(c);
    const trace = c.probes.map((p) => `${p.kind}@${p.load}:${p.passed ? 'P' : 'F'}`).join(' ');
    const at1000 = c.probes.filter((p) => p.load === 1000).map((p) => `${p.kind}:${p.passed ? 'P' : 'F'}`);
    assert.deepEqual(at1000, ['probe:F', 'repeat:P', 'repeat:P'], trace);
    assert.equal(c.status, 'found', trace);
    // 20%: on this shared VM a CI run found 1,719/s with 1,750/s failing twice (the host itself
    // carried less then); a search that stops growing early or overshoots the ceiling still fails.
    assert.ok(c.capacity !== null && c.capacity >= 1600 && c.capacity <= 2000, `capacity ${c.capacity}: ${trace}`);
  }));

  it('concurrency mode: searches calls in flight, with the pool sized for max', async (t) => onBusyHost(t, async () => {
    // Closed loop, 2 ms calls on 2 cores: p(99)<3 holds while each call has a core (concurrency 2), not at 4.
    const r = await runStress({
      extractor: fixture('busy.mjs'), extractorOptions: { ms: 2 },
      phases: [{ executor: 'capacity-search', mode: 'concurrency', from: 1, max: 8, probeDuration: '400ms' }],
      thresholds: { latency: ['p(99)<3'] },
    });
    const c = r.capacity;
    const trace = c?.probes.map((p) => `${p.kind}@${p.load}:${p.passed ? 'P' : 'F'}`).join(' ');
    assert.equal(c?.mode, 'concurrency');
    assert.equal(c?.status, 'found', trace);
    // Each call has a core up to 2 in flight; a busy host can take the second core from a 400 ms probe, and the search answers what the machine did.
    assert.ok(c?.capacity !== undefined && c.capacity !== null && c.capacity >= 1 && c.capacity <= 3, `capacity ${c?.capacity}: ${trace}`);
    assert.ok(c?.probes.some((p) => p.load >= 4 && !p.passed), `four calls in flight on two cores fail p(99)<3: ${trace}`);
    for (const p of c?.probes ?? []) assert.equal(r.steps[p.step]?.load.concurrency, p.load);
  }));

  it('follows a warm-up phase and is followed by another: the other phases run and are judged as usual', async (t) => onBusyHost(t, async () => {
    const r = await runStress({
      extractor: fixture('busy.mjs'), extractorOptions: { ms: 1 },
      phases: [
        { name: 'warm-up', executor: 'constant-arrival-rate', rate: 200, duration: '500ms', maxConcurrency: 2 },
        { name: 'search', executor: 'capacity-search', from: 100, max: 400, probeDuration: '400ms', maxConcurrency: 2 },
        { name: 'after', executor: 'iterations', iterations: 50 },
      ],
      thresholds: { latency: ['p(99)<20'], errors: [{ threshold: 'count<1', phase: 'after' }] },
    });
    assert.deepEqual(r.steps.map((s) => s.phase), ['warm-up', 'search', 'search', 'search', 'search', 'after']);
    assert.equal(r.capacity?.status, 'lower-limit');
    assert.equal(r.capacity?.phase, 'search');
    assert.deepEqual(r.capacity?.objective, ['latency p(99)<20', 'achieved>=0.97'], 'a threshold of another phase is not the search\'s objective');
    assert.equal(r.steps[5]?.count, 50);
    assert.equal(r.verdict.passed, true, r.verdict.reasons.join('; '));
    assert.deepEqual(r.thresholds.map((t) => t.scope), ['run', 'phase:after']);
  }));
});
