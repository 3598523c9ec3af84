import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussian, seededRandom } from '../src/analysis/random.js';
import { mannKendall, theilSen, trendVerdict, windowFloors } from '../src/analysis/trend.js';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

// Mann–Kendall references: S, Var(S) with the tie term and the continuity-
// corrected z from Hipel & McLeod (1994), eqs. 23.2–23.5, computed in Python
// (scipy.stats.norm for p); Theil–Sen references: scipy.stats.theilslopes 1.17.1.
describe('Mann–Kendall against the textbook formulas', () => {
  it('no ties: [1,3,2,5,4,6] gives S = 11, Var = 28.333, z = 1.87867, p = 0.060289', () => {
    const r = mannKendall([1, 3, 2, 5, 4, 6]);
    assert.equal(r.s, 11);
    close(r.varS, 28.333333333333332, 1e-9, 'Var(S)');
    close(r.z, 1.8786728732554487, 1e-9, 'z');
    close(r.p, 0.060289173990602095, 1e-6, 'p');
  });
  it('ties: [1,2,2,3,3,3,4,2,5] gives S = 22, Var = 84.667, z = 2.28225, p = 0.022475', () => {
    const r = mannKendall([1, 2, 2, 3, 3, 3, 4, 2, 5]);
    assert.equal(r.s, 22);
    close(r.varS, 84.66666666666667, 1e-9, 'Var(S)');
    close(r.z, 2.282249201406988, 1e-9, 'z');
    close(r.p, 0.022474631782395366, 1e-6, 'p');
  });
  it('a falling series: S = −22, z = −2.59808, p = 0.0093748', () => {
    const r = mannKendall([9, 7, 8, 5, 6, 3, 4, 1]);
    assert.equal(r.s, -22);
    close(r.varS, 65.33333333333333, 1e-9, 'Var(S)');
    close(r.z, -2.598076211353316, 1e-9, 'z');
    close(r.p, 0.009374768459434876, 1e-6, 'p');
  });
  it('a constant series has no variance: S = 0, p = 1', () => {
    assert.deepEqual(mannKendall([4, 4, 4, 4]), { s: 0, varS: 0, z: 0, p: 1 });
    const flat = mannKendall([1, 2, 2, 1]);
    assert.equal(flat.s, 0);
    assert.equal(flat.z, 0);
  });
});

describe('Theil–Sen slope and Sen interval against scipy.stats.theilslopes', () => {
  it('a near-line: slope 2.0, interval [1.95, 2.06], intercept 1.05', () => {
    const r = theilSen([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1.0, 2.9, 5.2, 7.1, 8.8, 11.3, 13.0, 14.8, 17.2, 19.1]);
    close(r.slope, 2, 1e-12, 'slope');
    close(r.lo, 1.95, 1e-12, 'lo');
    close(r.hi, 2.06, 1e-12, 'hi');
    close(r.intercept, 1.05, 1e-12, 'intercept');
  });
  it('a noisy rise on a 10-unit axis: slope 0.114286, interval [0.0875, 0.14]; intercept is the median residual, 5', () => {
    const r = theilSen([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], [5, 7, 6, 9, 8, 12, 10, 13, 15, 14, 18, 16]);
    close(r.slope, 0.11428571428571428, 1e-12, 'slope');
    close(r.lo, 0.0875, 1e-12, 'lo');
    close(r.hi, 0.14, 1e-12, 'hi');
    // scipy's intercept is median(y) − slope·median(x) = 4.714; strain's is median(y − slope·x).
    close(r.intercept, 5, 1e-12, 'intercept');
  });
  it('no distinct times: slope 0 and the median as intercept', () => {
    assert.deepEqual(theilSen([3, 3, 3], [1, 5, 2]), { slope: 0, intercept: 2, lo: 0, hi: 0 });
  });
  it('the 95% interval covers the true slope in 93–98% of 400 noisy series', () => {
    let covered = 0;
    const seeds = 400;
    for (let seed = 1; seed <= seeds; seed++) {
      const rand = seededRandom(seed * 31 + 1);
      const xs = Array.from({ length: 30 }, (_, i) => i);
      const ys = xs.map((x) => 0.5 * x + 3 * gaussian(rand));
      const r = theilSen(xs, ys);
      if (r.lo <= 0.5 && 0.5 <= r.hi) covered++;
    }
    // Binomial SD at 0.95 × 400 is 4.4 (1.1%): the band is about ±2.5 SD.
    assert.ok(covered >= 0.93 * seeds && covered <= 0.98 * seeds, `covered ${covered} of ${seeds}`);
  });
});

describe('window floors', () => {
  it('keeps each window\'s minimum at its middle time; a partial window is dropped', () => {
    assert.deepEqual(windowFloors([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [5, 3, 4, 9, 1, 7, 8, 2, 6, 0], 3), { t: [1, 4, 7], y: [3, 1, 2] });
    assert.deepEqual(windowFloors([0, 10], [1, 2], 3), { t: [], y: [] });
  });
});

describe('trend verdicts, branch by branch', () => {
  const MB = 1024 * 1024;
  const series = (n: number, f: (i: number) => number): { t: number[]; y: number[] } => ({
    t: Array.from({ length: n }, (_, i) => i * 1000),
    y: Array.from({ length: n }, (_, i) => f(i)),
  });
  const opts = { window: 2, minWindows: 8, warmupFraction: 0 };

  it('too few windows: insufficient-data, with the count, the window and the need', () => {
    const s = series(15, (i) => i);
    const v = trendVerdict(s.t, s.y, 'leak', opts);
    assert.equal(v.verdict, 'insufficient-data');
    assert.equal(v.reason, '7 windows of 2 points after the warm-up; need 8');
    assert.equal(v.windows, 7);
    assert.equal(trendVerdict(series(16, (i) => i).t, series(16, (i) => i).y, 'leak', opts).windows, 8);
  });
  it('the warm-up fraction is cut before the windows are formed', () => {
    const s = series(20, (i) => i);
    assert.equal(trendVerdict(s.t, s.y, 'leak', { ...opts, warmupFraction: 0.2 }).windows, 8);
    assert.equal(trendVerdict(s.t, s.y, 'leak', { ...opts, warmupFraction: 0.25 }).verdict, 'insufficient-data');
  });
  it('a steady rise is a leak: slope per ms, growth over the span, the floor and the reason', () => {
    const s = series(40, (i) => 100 * MB + i * MB); // 1 MiB a second
    const v = trendVerdict(s.t, s.y, 'leak', opts);
    assert.equal(v.verdict, 'leak');
    close(v.slopePerMs, MB / 1000, 1e-6, 'slope');
    // Floors at 100, 102, … MiB timed 0.5 s, 2.5 s, …: the span is 38 s.
    close(v.growth, 38 * MB, 1, 'growth');
    close(v.floor, 100 * MB, 0, 'floor');
    assert.equal(v.windows, 20);
    assert.ok(v.pValue < 1e-6);
    assert.ok(v.slopeInterval[0] > 0 && v.slopeInterval[0] <= v.slopePerMs && v.slopeInterval[1] >= v.slopePerMs);
    assert.match(v.reason, /^rising 3\.98e\+7 over the run \(p=[\d.e-]+\), still rising in the second half$/);
  });
  it('the same rise under the materiality bounds is not a leak: "not material"', () => {
    const s = series(40, (i) => 1000 * MB + i * 1000); // 38 KB over a 1 GB floor
    const v = trendVerdict(s.t, s.y, 'leak', opts);
    assert.equal(v.verdict, 'none');
    assert.equal(v.reason, 'the rise is not material');
    // Either bound makes it material: 10% of the floor, or the absolute bound.
    assert.equal(trendVerdict(s.t, s.y, 'leak', { ...opts, minAbsGrowth: 30_000 }).verdict, 'leak');
    assert.equal(trendVerdict(s.t, s.y, 'leak', { ...opts, minRelGrowth: 0.00003, minAbsGrowth: Infinity }).verdict, 'leak');
  });
  it('a rise that stops halfway is not a leak: "the rise stops in the second half"', () => {
    const s = series(60, (i) => 100 * MB + Math.min(i, 25) * MB + (i % 2) * 0.1 * MB * ((i * 7) % 3));
    const v = trendVerdict(s.t, s.y, 'leak', opts);
    assert.equal(v.verdict, 'none', v.reason);
    assert.equal(v.reason, 'the rise stops in the second half');
  });
  it('a one-off jump with flat segments is a step, named with its size and window (a jump inside noise: trend-extra, over seeds)', () => {
    const rand = seededRandom(3);
    const s = series(40, (i) => (i < 20 ? 100 : 140) * MB + 0.5 * MB * gaussian(rand));
    const v = trendVerdict(s.t, s.y, 'leak', opts);
    assert.equal(v.verdict, 'step', v.reason);
    assert.match(v.reason, /^a one-off step of 4\.\d+e\+7 at window 10, flat before and after$/);
  });
  it('a flat noisy series: "no significant trend" with its p', () => {
    const rand = seededRandom(8);
    const s = series(40, () => 100 * MB + MB * gaussian(rand));
    const v = trendVerdict(s.t, s.y, 'leak', opts);
    assert.equal(v.verdict, 'none');
    assert.match(v.reason, /^no significant trend \(p=0\.\d+\)$/);
    assert.ok(v.pValue >= 0.01);
  });
  it('a falling series is never a leak', () => {
    const s = series(40, (i) => 200 * MB - i * MB);
    assert.equal(trendVerdict(s.t, s.y, 'leak', opts).verdict, 'none');
  });
  it('drift has no absolute bound: a 10% rise of p99 over the run is drift, a 5% rise is not material', () => {
    const rise = (total: number) => series(40, (i) => 5 * (1 + (total * i) / 39));
    const big = rise(0.2);
    assert.equal(trendVerdict(big.t, big.y, 'drift', opts).verdict, 'drift');
    const small = rise(0.05);
    assert.equal(trendVerdict(small.t, small.y, 'drift', opts).reason, 'the rise is not material');
  });
  it('drift over 100 seeds: p99 creeping 20% is found in at least 95; flat p99 in at most 2', () => {
    let found = 0;
    let falsePos = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const rand = seededRandom(seed * 977);
      const t = Array.from({ length: 200 }, (_, i) => i * 1000);
      const creeping = t.map((_, i) => 5 * (1 + (0.2 * i) / 199) + 0.2 * gaussian(rand));
      const flat = t.map(() => 5 + 0.2 * gaussian(rand));
      if (trendVerdict(t, creeping, 'drift', { window: 5 }).verdict === 'drift') found++;
      if (trendVerdict(t, flat, 'drift', { window: 5 }).verdict === 'drift') falsePos++;
    }
    assert.ok(found >= 95, `found ${found} of 100`);
    assert.ok(falsePos <= 2, `flat called drift in ${falsePos} of 100`);
  });
});
