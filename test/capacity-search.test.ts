// The capacity search's decisions, driven by synthetic probes whose outcome the test sets: no worker runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeProbe } from '../src/capacity/judge.js';
import { CapacitySearch, type ProbeJudgement, type ProbeOrder, type SearchAnswer, type SearchSettings } from '../src/capacity/search.js';
import { progressLine } from '../src/report/progress.js';
import { capacityLine, capacityResult } from '../src/capacity/result.js';
import { parseThreshold, type MetricView } from '../src/analysis/thresholds.js';
import { StrainError } from '../src/errors.js';
import { prepareRun } from '../src/run.js';
import { fixture } from './helpers.js';

const SETTINGS: SearchSettings = {
  mode: 'rate', from: 100, max: undefined, growth: 2, precision: 0.02, margin: 0.1,
  probeMs: 1000, confirmMs: 3000, maxProbes: 40, maxDurationMs: undefined,
};

/** A load passes at or under `capacity`; within `nearBand` of it the figure is near the limit. */
function judgeBy(capacity: number, nearBand = 0): (o: ProbeOrder, k: number) => ProbeJudgement {
  return (o) => ({ passed: o.load <= capacity, near: Math.abs(o.load - capacity) / capacity < nearBand, checks: [] });
}

function run(settings: Partial<SearchSettings>, judge: (o: ProbeOrder, k: number) => ProbeJudgement, clock?: (k: number) => number): { search: CapacitySearch; orders: ProbeOrder[] } {
  const search = new CapacitySearch({ ...SETTINGS, ...settings });
  const orders: ProbeOrder[] = [];
  for (let k = 0; k < 1000; k++) {
    const o = search.next(clock ? clock(k) : 0);
    if (!o) break;
    orders.push(o);
    search.record(o, k, judge(o, k));
  }
  return { search, orders };
}

describe('capacity search: growth, bisection, confirmation', () => {
  it('finds a known capacity to its precision, with an interval that holds it, confirmed', () => {
    for (const capacity of [137, 950, 1999, 2000, 5321, 77_777]) {
      const { search, orders } = run({}, judgeBy(capacity));
      const a = search.answer();
      assert.equal(a.status, 'found', `capacity ${capacity}`);
      assert.equal(a.confirmed, true);
      assert.ok(a.capacity !== null && a.capacity <= capacity && a.capacity >= capacity * (1 - SETTINGS.precision), `${capacity}: found ${a.capacity}`);
      assert.ok(a.passed !== null && a.failed !== null && a.passed <= capacity && capacity < a.failed, `${capacity}: [${a.passed}, ${a.failed}]`);
      assert.ok((a.failed - a.passed) / a.passed <= SETTINGS.precision);
      assert.equal(orders.at(-1)?.kind, 'confirm');
      assert.equal(orders.at(-1)?.durationMs, SETTINGS.confirmMs);
      // Grows geometrically: the loads before the first fail double.
      const firstFail = a.probes.findIndex((p) => !p.passed);
      assert.deepEqual(orders.slice(0, firstFail).map((o) => o.load), Array.from({ length: firstFail }, (_, i) => 100 * 2 ** i));
      // Few probes: log2 growth, log2 bisection, one repeat of the bounding fail, one confirmation.
      const bound = Math.ceil(Math.log2(capacity / 100)) + 1 + Math.ceil(Math.log2(1 / SETTINGS.precision)) + 3;
      assert.ok(orders.length <= bound, `${capacity}: ${orders.length} probes, bound ${bound}`);
    }
  });

  it('repeats the fail that bounds the answer, and a near pass, before either counts', () => {
    const { search } = run({}, judgeBy(1000, 0.03));
    const a = search.answer();
    const byLoad = new Map<number, string[]>();
    for (const p of a.probes) byLoad.set(p.load, [...(byLoad.get(p.load) ?? []), `${p.kind}:${p.passed ? 'P' : 'F'}`]);
    // The fail that bounds it was run twice.
    assert.equal(byLoad.get(a.failed as number)?.filter((k) => !k.startsWith('confirm')).length, 2, JSON.stringify([...byLoad]));
    // Every near run was followed by a repeat at the same load.
    a.probes.forEach((p, i) => {
      if (p.near && p.kind === 'probe') assert.equal(a.probes[i + 1]?.kind, 'repeat', `probe ${i} at ${p.load} was near`);
    });
  });

  it('a near pass whose repeat fails counts as a fail: no capacity a repeat failed is claimed', () => {
    // 1000 passes once (near), then fails its repeat; everything above fails.
    let seen1000 = 0;
    const { search } = run({ from: 250 }, (o) => {
      if (o.load === 1000 && o.kind !== 'confirm') return { passed: seen1000++ === 0, near: true, checks: [] };
      return { passed: o.load < 1000, near: false, checks: [] };
    });
    const a = search.answer();
    assert.equal(a.status, 'found');
    assert.ok((a.capacity as number) < 1000, `claimed ${a.capacity}`);
    assert.ok((a.failed as number) <= 1000);
  });

  it('one disturbed probe (a fail far below capacity) is caught by its repeat; the answer stays right', () => {
    // The second probe (200/s) fails once, as a busy machine would make it; the true capacity is 3000/s.
    const { search } = run({}, (o, k) => ({ passed: k === 1 ? false : o.load <= 3000, near: false, checks: [] }));
    const a = search.answer();
    assert.equal(a.status, 'found');
    assert.ok((a.capacity as number) <= 3000 && (a.capacity as number) >= 3000 * 0.98, `found ${a.capacity}`);
    const at200 = a.probes.filter((p) => p.load === 200).map((p) => `${p.kind}:${p.passed}`);
    assert.deepEqual(at200, ['probe:false', 'repeat:true', 'repeat:true']);
  });

  it('a failed confirmation is never claimed: the search steps down and says so', () => {
    // Probes pass up to 1000, but a long plateau holds only 980.
    const { search } = run({}, (o) => ({ passed: o.kind === 'confirm' ? o.load <= 980 : o.load <= 1000, near: false, checks: [] }));
    const a = search.answer();
    assert.equal(a.status, 'found');
    assert.ok((a.capacity as number) <= 980, `claimed ${a.capacity}`);
    assert.ok(a.probes.some((p) => p.kind === 'confirm' && !p.passed));
    assert.match(a.reason, /the confirmation failed at [\d.]+\/s(, [\d.]+\/s)*, so the search stepped down/);
  });

  it('an overloaded probe\'s achieved rate steers the next probe inside the interval', () => {
    // Over capacity (2000/s) a probe carries 2000/s: its estimate.
    const judge = (o: ProbeOrder): ProbeJudgement => ({ passed: o.load <= 2000, near: false, checks: [], estimate: o.load > 2000 ? 2000 : null });
    const { search, orders } = run({ from: 500 }, judge);
    const loads = orders.map((o) => o.load);
    assert.deepEqual(loads.slice(0, 4), [500, 1000, 2000, 4000]);
    assert.ok(loads.length < run({ from: 500 }, judgeBy(2000)).orders.length, `${loads.join(' ')}: fewer probes than halving`);
    assert.ok((search.answer().capacity as number) >= 1960);
  });

  it('a confirmation that fails steps down by one precision and confirms again', () => {
    // Probes pass up to 2000; a long plateau holds 1965.
    const { search, orders } = run({ from: 500 }, (o) => ({ passed: o.load <= (o.kind === 'confirm' ? 1965 : 2000), near: false, checks: [] }));
    const confirms = orders.filter((o) => o.kind === 'confirm').map((o) => o.load);
    assert.deepEqual(confirms, [2000, 1961]);
    const a = search.answer();
    assert.equal(a.capacity, 1961);
    assert.equal(a.failed, 2000);
    assert.ok((2000 - 1961) / 1961 <= SETTINGS.precision, 'the step down stays within the precision');
  });

  it('an objective no load meets: "not met at the lowest load", after one repeat, claiming nothing', () => {
    const { search, orders } = run({}, () => ({ passed: false, near: false, checks: [] }));
    const a = search.answer();
    assert.equal(a.status, 'not-met');
    assert.equal(a.capacity, null);
    assert.equal(a.passed, null);
    assert.equal(a.failed, 100);
    assert.deepEqual(orders.map((o) => `${o.kind}@${o.load}`), ['probe@100', 'repeat@100']);
    assert.match(a.reason, /not met at the lowest load \(100\/s\)/);
  });

  it('an objective met at the upper bound reports the bound as a lower limit', () => {
    const { search, orders } = run({ max: 700 }, () => ({ passed: true, near: false, checks: [] }));
    const a = search.answer();
    assert.equal(a.status, 'lower-limit');
    assert.equal(a.capacity, 700);
    assert.equal(a.failed, null);
    assert.deepEqual(orders.map((o) => o.load), [100, 200, 400, 700, 700]);
    assert.match(capacityLine(capacityResult({ phase: 'p', settings: { ...SETTINGS, max: 700 }, objective: ['x'], answer: a }, [], new Map())), /capacity at least 700\/s \(the upper bound\)/);
  });

  it('maxProbes and maxDuration end a search that cannot converge, with its best interval and the reason', () => {
    // 100 … 3200 pass, 6400 fails, 4800 passes: then the budget is spent.
    const capped = run({ maxProbes: 8 }, judgeBy(5000)).search.answer();
    assert.equal(capped.status, 'unconverged');
    assert.equal(capped.probes.length, 8);
    assert.equal(capped.confirmed, false);
    assert.ok(capped.passed !== null && capped.failed !== null && capped.passed <= 5000 && 5000 < capped.failed, `[${capped.passed}, ${capped.failed}]`);
    assert.equal(capped.capacity, capped.passed);
    assert.match(capped.reason, /maxProbes \(8\) reached/);
    // An injected clock: each probe takes 1.1 s; a 5 s budget fits four.
    const timed = run({ maxDurationMs: 5000 }, judgeBy(5000), (k) => k * 1100).search.answer();
    assert.equal(timed.status, 'unconverged');
    assert.equal(timed.probes.length, 4);
    assert.match(timed.reason, /maxDuration \(5 s\) would be passed by the next probe/);
  });

  it('concurrency is searched in whole calls and converges when the interval is one call wide', () => {
    const { search, orders } = run({ mode: 'concurrency', from: 1, max: 64 }, judgeBy(11));
    const a = search.answer();
    assert.equal(a.status, 'found');
    assert.equal(a.capacity, 11);
    assert.equal(a.failed, 12);
    for (const o of orders) assert.ok(Number.isInteger(o.load), `load ${o.load}`);
  });
});

describe('capacity probe judging', () => {
  const view = (p99: number, count = 1000): MetricView => ({
    count, latencyMs: { avg: 1, min: 1, max: p99, med: 1, percentile: (p) => (p >= 99 ? p99 : 1) },
    errors: { rate: 0, count: 0 }, throughput: { avg: 0, min: 0, max: 0 }, cpu: { avg: null, max: null }, memoryMiB: { avg: null, max: null },
  });
  const p99 = parseThreshold('latency', 'p(99)<20', 'test');

  it('passes, fails and flags a figure within the margin of its limit', () => {
    assert.deepEqual([judgeProbe(view(5), [p99], undefined, 0.1)].map((j) => [j.passed, j.near]), [[true, false]]);
    assert.deepEqual([judgeProbe(view(19), [p99], undefined, 0.1)].map((j) => [j.passed, j.near]), [[true, true]]);
    assert.deepEqual([judgeProbe(view(21), [p99], undefined, 0.1)].map((j) => [j.passed, j.near]), [[false, true]]);
    assert.deepEqual([judgeProbe(view(40), [p99], undefined, 0.1)].map((j) => [j.passed, j.near]), [[false, false]]);
    assert.equal(judgeProbe(view(19), [p99], undefined, 0.1).checks[0]?.headroom?.toFixed(3), '0.050');
  });

  it('judges the rate against the arrivals the schedule drew, with headroom against the 3% allowed', () => {
    const ok = judgeProbe(view(5), [p99], { calls: 990, scheduled: 1000, durationMs: 1000 }, 0.1);
    assert.equal(ok.passed, true);
    assert.equal(ok.checks[1]?.name, 'achieved>=0.97');
    assert.equal(ok.checks[1]?.actual, 0.99);
    const short = judgeProbe(view(5), [p99], { calls: 960, scheduled: 1000, durationMs: 1000 }, 0.1);
    assert.equal(short.passed, false);
    assert.equal(short.estimate, 960, 'an overloaded probe estimates what was carried');
    assert.equal(judgeProbe(view(5), [p99], { calls: 969, scheduled: 1000, durationMs: 1000 }, 0.1).near, true);
  });

  it('a probe that measured nothing fails: silence is not a pass', () => {
    assert.equal(judgeProbe(view(0, 0), [p99], undefined, 0.1).passed, false);
    assert.equal(judgeProbe(view(5), [], undefined, 0.1).passed, false, 'no objective at all');
  });
});

describe('capacity-search profiles: bad input named by path', () => {
  const base = { extractor: fixture('noop.mjs') };
  const refused = (phases: unknown[]): StrainError => {
    try {
      prepareRun({ ...base, phases }, { source: 'p.json' });
    } catch (e) {
      assert.ok(e instanceof StrainError);
      assert.equal(e.code, 'STRAIN_PROFILE_INVALID');
      return e;
    }
    assert.fail('accepted');
  };
  it('refuses what a search cannot run, saying where and why', () => {
    assert.match(refused([{ executor: 'capacity-search', mode: 'concurrency', from: 1, probeDuration: '1s' }]).message, /p\.json \$\.phases\[0\]\.max: is required in concurrency mode/);
    assert.match(refused([{ executor: 'capacity-search', from: 100, max: 50, probeDuration: '1s' }]).message, /\$\.phases\[0\]\.max: expected max \(50\) to be at least from \(100\)/);
    assert.match(refused([{ executor: 'capacity-search', mode: 'concurrency', from: 1.5, max: 4, probeDuration: '1s' }]).message, /\$\.phases\[0\]\.from: a concurrency is a whole number/);
    assert.match(refused([{ executor: 'capacity-search', mode: 'concurrency', from: 1, max: 4, probeDuration: '1s', arrival: 'poisson' }]).message, /\$\.phases\[0\]\.arrival: applies to mode "rate" only/);
    assert.match(refused([{ executor: 'capacity-search', from: 100, probeDuration: '1s', probeWarmup: '1s' }]).message, /\$\.phases\[0\]\.probeWarmup: the probe warm-up \(1000 ms\) must be shorter/);
    const two = { executor: 'capacity-search', from: 100, probeDuration: '1s' };
    assert.match(refused([two, two]).message, /\$\.phases\[1\]: a profile has at most one capacity-search phase/);
    assert.match(refused([{ executor: 'capacity-search', from: 100 }]).message, /probeDuration/);
  });
  it('plans one slot per allowed probe, with the defaults a user would expect', () => {
    const { plan } = prepareRun({ ...base, phases: [{ executor: 'capacity-search', from: 100, probeDuration: '1s', maxConcurrency: 2 }] });
    assert.equal(plan.steps.length, 24);
    const s = plan.steps[0]!;
    assert.equal(s.phase, 'capacity-search from 100/s');
    assert.equal(s.warmupMs, 200, 'a fifth of the probe');
    assert.equal(s.workers, 2);
    assert.deepEqual({ ...s.search!.settings }, { mode: 'rate', from: 100, max: undefined, growth: 2, precision: 0.02, margin: 0.1, probeMs: 1000, confirmMs: 3000, maxProbes: 24, maxDurationMs: undefined });
    const c = prepareRun({ ...base, phases: [{ executor: 'capacity-search', mode: 'concurrency', from: 1, max: 6, probeDuration: '1s', concurrencyPerWorker: 2 }] }).plan;
    assert.equal(c.maxWorkers, 3, 'the pool is sized for max');
  });
});

describe('capacity in words', () => {
  const answer = (status: SearchAnswer['status'], capacity: number | null, passed: number | null, failed: number | null, confirmed = true): SearchAnswer =>
    ({ status, capacity, passed, failed, confirmed, reason: 'r', probes: [] });
  const line = (a: SearchAnswer, mode: 'rate' | 'concurrency' = 'rate'): string =>
    capacityLine(capacityResult({ phase: 'p', settings: { ...SETTINGS, mode }, objective: ['latency p(99)<20', 'achieved>=0.97'], answer: a }, [], new Map()));
  it('one line per outcome, with the interval and how sure it is', () => {
    assert.equal(line(answer('found', 1961, 1961, 2000)), 'capacity 1,961/s (passed 1,961/s, failed 2,000/s: 2.0% wide) for latency p(99)<20 & achieved>=0.97; 0 probes in 0.0 s');
    assert.equal(line(answer('not-met', null, null, 100, false)), 'capacity: objective not met at the lowest load (passed none, failed 100/s) for latency p(99)<20 & achieved>=0.97; 0 probes in 0.0 s');
    assert.match(line(answer('unconverged', 4800, 4800, 6400, false)), /^capacity 4,800\/s, not converged, unconfirmed \(passed 4,800\/s, failed 6,400\/s: 33\.3% wide\)/);
    assert.match(line(answer('running', null, 800, null, false)), /^capacity search interrupted \(passed 800\/s, failed none\)/);
    assert.match(line(answer('found', 11, 11, 12), 'concurrency'), /^capacity 11 in flight \(passed 11 in flight, failed 12 in flight: 9\.1% wide\)/);
    const r = capacityResult({ phase: 'p', settings: SETTINGS, objective: [], answer: answer('running', null, 800, null, false) }, [], new Map());
    assert.equal(r.status, 'interrupted');
    assert.match(r.reason, /the run ended before the search did/);
  });
  it('progress names the probe and its load, and bounds the time left', () => {
    const p = { phase: 'cap', step: 3, steps: 24, concurrency: 2, elapsedMs: 4000, remainingMs: 40_000, throughput: 1990, p50Ms: 1, p99Ms: 2, errors: 0, cpuPercent: null, rssBytes: null };
    assert.match(progressLine({ ...p, search: { kind: 'repeat', mode: 'rate', load: 2000 } }), /^cap repeat 3 of at most 24 at 2000\/s \| conc 2 \| 4s elapsed, at most 40s left/);
    assert.match(progressLine(p), /^cap step 3\/24 \| conc 2 \| 4s elapsed, 40s left/);
  });
});
