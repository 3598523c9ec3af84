import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bootstrapRelChange, compareMetric, mannWhitneyU } from '../src/analysis/compare.js';

// Reference p-values: scipy 1.17.1, scipy.stats.mannwhitneyu(a, b,
// alternative='two-sided', method='exact' | 'asymptotic', use_continuity=True),
// an implementation independent of this one. The asymptotic branch differs
// from scipy's by the normal CDF approximation (under 1e-6).
describe('Mann–Whitney U against scipy', () => {
  it('exact branch, no ties, 5 vs 6: U = 2, p = 0.0173160', () => {
    const r = mannWhitneyU([1.1, 2.3, 3.2, 4.8, 5.5], [3.9, 6.1, 7.0, 8.4, 9.2, 10.5]);
    assert.equal(r.u, 2);
    assert.ok(Math.abs(r.p - 0.017316017316017316) < 1e-12, String(r.p));
  });
  it('tied samples take the normal branch with tie correction: U = 5, p = 0.0401243', () => {
    const r = mannWhitneyU([10, 10, 11, 12, 12, 12], [11, 12, 13, 13, 14, 14]);
    assert.equal(r.u, 5);
    assert.ok(Math.abs(r.p - 0.0401242572653558) < 1e-6, String(r.p));
    // Without the tie correction the variance is larger and p is 0.0437.
    assert.ok(r.p < 0.042, String(r.p));
  });
  it('more than 40 values take the normal branch: 21 vs 22, U = 120, p = 0.0072582', () => {
    const a = Array.from({ length: 21 }, (_, i) => i + 1);
    const b = Array.from({ length: 22 }, (_, i) => i + 6.5);
    const r = mannWhitneyU(a, b);
    assert.equal(r.u, 120);
    assert.ok(Math.abs(r.p - 0.007258176227616215) < 1e-6, String(r.p));
  });
  it('a run-set example: base vs current with one tie, U = 3, p = 0.0593271', () => {
    const r = mannWhitneyU([108, 104, 108, 120, 115], [156, 125, 119, 139, 114]);
    assert.equal(r.u, 3);
    assert.ok(Math.abs(r.p - 0.059327060946523506) < 1e-6, String(r.p));
  });
  it('the test is symmetric, and identical or empty samples give p = 1', () => {
    const a = [3, 1, 4, 1.5, 9, 2.6];
    const b = [5, 3.5, 8, 9.7, 7.9];
    assert.deepEqual(mannWhitneyU(a, b), mannWhitneyU(b, a));
    assert.equal(mannWhitneyU([5, 5, 5, 5], [5, 5, 5, 5]).p, 1);
    assert.deepEqual(mannWhitneyU([], [1, 2]), { u: 0, p: 1 });
    assert.deepEqual(mannWhitneyU([1, 2], []), { u: 0, p: 1 });
  });
  it('exact p for overlapping 4 vs 4 (U = 4): 2·7/70', () => {
    const r = mannWhitneyU([1, 2, 5, 6], [3, 4, 7, 8]);
    assert.equal(r.u, 4);
    // P(U ≤ 4) over the 70 orderings: counts of U = 0..4 are 1, 1, 2, 3, 5 → 12; two-sided 24/70.
    assert.ok(Math.abs(r.p - 24 / 70) < 1e-12, String(r.p));
  });
});

describe('bootstrap interval of the relative change of medians', () => {
  it('constant samples give a degenerate interval at the exact change', () => {
    assert.deepEqual(bootstrapRelChange([10, 10, 10, 10], [11, 11, 11, 11], 200, 3), [0.1, 0.1]);
  });
  it('the interval lies between the extreme resampled medians and contains the observed change', () => {
    const base = [100, 101, 102, 103, 104];
    const cur = [110, 111, 112, 113, 114];
    const [lo, hi] = bootstrapRelChange(base, cur, 2000, 5);
    assert.ok(lo >= (110 - 104) / 104 && hi <= (114 - 100) / 100, `${lo} ${hi}`);
    assert.ok(lo < 0.098 && hi > 0.098, `${lo} ${hi}`);
    assert.ok(lo < hi);
  });
  it('is reproducible per seed and differs between seeds', () => {
    const base = [100, 97, 103, 99, 105, 98];
    const cur = [104, 101, 99, 108, 102, 107];
    assert.deepEqual(bootstrapRelChange(base, cur, 500, 7), bootstrapRelChange(base, cur, 500, 7));
    assert.notDeepEqual(bootstrapRelChange(base, cur, 500, 7), bootstrapRelChange(base, cur, 500, 8));
  });
});

describe('a regression needs both gates: an interval beyond the noise and a significant rank test', () => {
  const base = [108, 104, 108, 120, 115];
  const cur = [156, 125, 119, 139, 114];

  it('an interval beyond the noise whose rank test is not significant (p = 0.059) is unchanged', () => {
    const c = compareMetric('p50', base, cur, 'lower-is-better', 0.03);
    assert.ok(c.interval[0] > c.noise, `interval ${c.interval} must lie beyond the noise for this test to mean anything`);
    assert.ok(Math.abs(c.pValue - 0.059327) < 1e-5, String(c.pValue));
    assert.equal(c.verdict, 'unchanged');
    assert.match(c.reason, /p=0\.059/);
  });
  it('the same data with alpha 0.1 is regressed: alpha is the gate', () => {
    assert.equal(compareMetric('p50', base, cur, 'lower-is-better', 0.03, { alpha: 0.1 }).verdict, 'regressed');
  });
  // 1e5/x is monotone decreasing: the ranks (so p) are the same and each
  // resampled change r maps to 1/(1+r) − 1, so the interval stays beyond the noise.
  const inv = (xs: number[]): number[] => xs.map((x) => 1e5 / x);
  it('mirrored for throughput: a drop beyond the noise that is not significant is unchanged; at alpha 0.1 it regresses', () => {
    const c = compareMetric('throughput', inv(base), inv(cur), 'higher-is-better', 0.03);
    assert.ok(c.interval[1] < -c.noise, `interval ${c.interval}`);
    assert.ok(Math.abs(c.pValue - 0.059327) < 1e-5, String(c.pValue));
    assert.equal(c.verdict, 'unchanged');
    assert.equal(compareMetric('throughput', inv(base), inv(cur), 'higher-is-better', 0.03, { alpha: 0.1 }).verdict, 'regressed');
  });
  it('improvements pass the same gates: beyond the noise but p = 0.059 is unchanged, at alpha 0.1 improved', () => {
    const latency = compareMetric('p50', inv(base), inv(cur), 'lower-is-better', 0.03);
    assert.ok(latency.interval[1] < -latency.noise, `interval ${latency.interval}`);
    assert.equal(latency.verdict, 'unchanged');
    assert.equal(compareMetric('p50', inv(base), inv(cur), 'lower-is-better', 0.03, { alpha: 0.1 }).verdict, 'improved');
    assert.equal(compareMetric('throughput', base, cur, 'higher-is-better', 0.03).verdict, 'unchanged');
    assert.equal(compareMetric('throughput', base, cur, 'higher-is-better', 0.03, { alpha: 0.1 }).verdict, 'improved');
  });
  it('a significant shift (p = 0.0022) inside the noise is unchanged; outside a smaller noise it is regressed', () => {
    const b = [100, 100.2, 100.4, 100.6, 100.8, 101];
    const c = b.map((x) => x + 2);
    const within = compareMetric('p50', b, c, 'lower-is-better', 0.03);
    assert.ok(Math.abs(within.pValue - 2 / 924) < 1e-12, String(within.pValue));
    assert.ok(within.interval[0] < 0.03, String(within.interval));
    assert.equal(within.verdict, 'unchanged');
    assert.equal(compareMetric('p50', b, c, 'lower-is-better', 0.005).verdict, 'regressed');
    assert.equal(compareMetric('p50', c, b, 'lower-is-better', 0.005).verdict, 'improved');
    assert.equal(compareMetric('throughput', c, b, 'higher-is-better', 0.005).verdict, 'regressed');
  });
  it('reports the medians, the relative change and the p-value it judged', () => {
    const c = compareMetric('p99', [10, 12, 11, 13], [15, 16, 14, 17], 'lower-is-better', 0.02);
    assert.equal(c.metric, 'p99');
    assert.equal(c.direction, 'lower-is-better');
    assert.equal(c.baseMedian, 11.5);
    assert.equal(c.currentMedian, 15.5);
    assert.ok(Math.abs(c.relChange - 4 / 11.5) < 1e-12);
    assert.equal(c.pValue, mannWhitneyU([10, 12, 11, 13], [15, 16, 14, 17]).p);
    assert.equal(c.noise, 0.02);
    assert.match(c.reason, /^median 34\.8% \(95% CI \d+\.\d%\.\.\d+\.\d%\), p=0\.029, noise ±2\.0%$/);
  });
  it('exactly minRuns on each side is judged; one fewer, or a zero base median, is inconclusive', () => {
    const judged = compareMetric('p50', [1, 1.1, 1.2, 1.3], [2, 2.1, 2.2, 2.3], 'lower-is-better', 0.03);
    assert.equal(judged.verdict, 'regressed');
    const short = compareMetric('p50', [1, 1.1, 1.2, 1.3], [2, 2.1, 2.2], 'lower-is-better', 0.03);
    assert.equal(short.verdict, 'inconclusive');
    assert.equal(short.pValue, 1);
    assert.deepEqual(short.interval, [short.relChange, short.relChange]);
    assert.equal(short.reason, 'need at least 4 runs on each side (have 4 and 3)');
    assert.equal(compareMetric('p50', [1, 1.1, 1.2], [2, 2.1, 2.2, 2.3], 'lower-is-better', 0.03).verdict, 'inconclusive');
    assert.equal(compareMetric('p50', [2, 2.1, 2.2], [1, 1.1, 1.2], 'lower-is-better', 0.03, { minRuns: 3, alpha: 0.2 }).verdict, 'improved');
    const zero = compareMetric('errors', [0, 0, 0, 0], [1, 2, 1, 2], 'lower-is-better', 0.03);
    assert.equal(zero.verdict, 'inconclusive');
    assert.equal(zero.relChange, 0);
  });
});
