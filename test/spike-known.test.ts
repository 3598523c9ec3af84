import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyseSpike, type LatencyPoint } from '../src/analysis/spike.js';

const series = (start: number, values: number[]): LatencyPoint[] => values.map((p99Ms, i) => ({ tMs: start + 100 * i, p99Ms }));

// Worked by hand from the definition in src/analysis/spike.ts: baseline = the
// median of the buckets up to the spike's start, limit = their 90th
// percentile (interpolated) × (1 + tolerance), recovery = the first bucket
// after the spike at or under the limit from which at most a fifth exceed it.
describe('spike analysis on hand-worked series', () => {
  // Before (t ≤ 1000): nine 1s and a 2 at t = 1000 → median 1, 90th percentile 1.1.
  const before = series(100, [1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
  // During (1000 < t ≤ 1500): the peak 9 at 1200 and again at 1400; 1500 is still the spike.
  const during = series(1100, [5, 9, 7, 9, 5]);
  // After: 4, 3, 2, then 1.2 at 1900 (under 1.21), then one 1.5 among ten 1s.
  const after = series(1600, [4, 3, 2, 1.2, 1, 1.5, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  const points = [...before, ...during, ...after];

  it('baseline, first peak, limit at tolerance 0.1, and recovery to the start of the first good bucket', () => {
    const a = analyseSpike(points, 1000, 1500)!;
    assert.equal(a.baselineP99Ms, 1);
    assert.equal(a.peakP99Ms, 9);
    assert.equal(a.peakAtMs, 200, 'the first of two equal peaks');
    assert.equal(a.resolutionMs, 100);
    // Limit 1.1 × 1.1 = 1.21: the 1.2 at t = 1900 is under it; its bucket starts at 1800, 300 ms after the spike.
    assert.equal(a.recoveryMs, 300);
  });
  it('at tolerance 0 the limit is 1.1: 1.2 is above it, recovery moves to the next bucket (t = 2000)', () => {
    assert.equal(analyseSpike(points, 1000, 1500, 0)!.recoveryMs, 400);
  });
  it('a point equal to the limit counts as back under it', () => {
    // Eleven baseline buckets put the 90th percentile exactly on a value (1): limit 1 at tolerance 0.
    const eq = [...series(0, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]), ...during, ...series(1600, [4, 1, 1, 1])];
    assert.equal(analyseSpike(eq, 1000, 1500, 0)!.recoveryMs, 100);
  });
  it('at most a fifth of the buckets from recovery on may exceed the limit: exactly a fifth still recovers, more does not', () => {
    const fifth = [...before, ...during, ...series(1600, [4, 1, 3, 1, 1, 1])]; // from t=1700: 1 of 5 above
    assert.equal(analyseSpike(fifth, 1000, 1500)!.recoveryMs, 100);
    const more = [...before, ...during, ...series(1600, [4, 1, 3, 3, 1, 1])]; // from 1700: 2 of 5; from 2000: 0 of 2
    assert.equal(analyseSpike(more, 1000, 1500)!.recoveryMs, 400);
  });
  it('never back under the limit: null; no buckets before or during: undefined', () => {
    assert.equal(analyseSpike([...before, ...during, ...series(1600, [4, 3, 3])], 1000, 1500)!.recoveryMs, null);
    assert.equal(analyseSpike([...during, ...after], 1000, 1500), undefined);
    assert.equal(analyseSpike([...before, ...after], 1000, 1500), undefined);
  });
  it('the peak may come after the spike; bucket width is the median gap, ignoring repeated times', () => {
    const late = [...before, ...series(1100, [2, 2, 2, 2, 2]), ...series(1600, [12, 1, 1, 1, 1])];
    const a = analyseSpike(late, 1000, 1500)!;
    assert.equal(a.peakP99Ms, 12);
    assert.equal(a.peakAtMs, 600);
    const repeated = [...before, { tMs: 1000, p99Ms: 1 }, { tMs: 1000, p99Ms: 1 }, { tMs: 1000, p99Ms: 1 }, ...during, ...after];
    assert.equal(analyseSpike(repeated, 1000, 1500)!.resolutionMs, 100);
  });
  it('an even number of baseline buckets: the median is the mean of the middle two', () => {
    assert.equal(analyseSpike([...series(100, [1, 2, 3, 4]), ...series(500, [9])], 400, 500)!.baselineP99Ms, 2.5);
  });
});
