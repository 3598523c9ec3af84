import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussian, seededRandom } from '../src/analysis/random.js';
import { theilSen, trendVerdict } from '../src/analysis/trend.js';

const MB = 1024 * 1024;

describe('trend details', () => {
  it('Sen interval with tied times (two samples per time) matches scipy.stats.theilslopes: 1.85 in [1.6333, 2.1]', () => {
    const r = theilSen([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5], [1, 1.5, 2.2, 2.9, 4.1, 3.8, 6.2, 5.9, 8.1, 8.4, 9.7, 10.6]);
    assert.ok(Math.abs(r.slope - 1.85) < 1e-12, String(r.slope));
    assert.ok(Math.abs(r.lo - 1.6333333333333335) < 1e-12, String(r.lo));
    assert.ok(Math.abs(r.hi - 2.1) < 1e-12, String(r.hi));
  });
  it('defaults per kind: 6 MiB over a 600 MiB floor is a leak (5 MiB absolute bound), not drift (10% only)', () => {
    const t = Array.from({ length: 200 }, (_, i) => i * 1000);
    const y = t.map((_, i) => 600 * MB + (i * 6 * MB) / 199);
    assert.equal(trendVerdict(t, y, 'leak').verdict, 'leak');
    const d = trendVerdict(t, y, 'drift');
    assert.equal(d.verdict, 'none');
    assert.equal(d.reason, 'the rise is not material');
  });
  it('insufficient data reports the first window floor and an empty trend', () => {
    const v = trendVerdict([0, 1, 2, 3, 4, 5], [9, 7, 8, 6, 5, 4], 'leak', { window: 2, minWindows: 4, warmupFraction: 0 });
    assert.equal(v.verdict, 'insufficient-data');
    assert.equal(v.floor, 7);
    assert.deepEqual([v.slopePerMs, v.slopeInterval, v.pValue, v.growth], [0, [0, 0], 1, 0]);
    const judged = trendVerdict([0, 1, 2, 3, 4, 5, 6, 7], [9, 7, 8, 6, 5, 4, 3, 3], 'leak', { window: 2, minWindows: 4, warmupFraction: 0 });
    assert.notEqual(judged.verdict, 'insufficient-data');
  });
  it('the floor is the lowest window of the first quarter, not of the whole series', () => {
    const t = Array.from({ length: 40 }, (_, i) => i * 1000);
    // Falling then rising: the whole series' lowest window is in the middle, the first quarter's is 100 MiB.
    const y = t.map((_, i) => (i < 10 ? 100 * MB : i < 20 ? 50 * MB : 200 * MB));
    assert.equal(trendVerdict(t, y, 'leak', { window: 2, minWindows: 8, warmupFraction: 0 }).floor, 100 * MB);
  });
  it('a jump buried in noise twice its size is not a step', () => {
    let steps = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const rand = seededRandom(seed);
      const t = Array.from({ length: 40 }, (_, i) => i * 1000);
      const y = t.map((_, i) => (i < 20 ? 100 : 112) * MB + 25 * MB * gaussian(rand));
      if (trendVerdict(t, y, 'leak', { window: 2, minWindows: 8, warmupFraction: 0 }).verdict === 'step') steps++;
    }
    assert.ok(steps <= 2, `${steps} of 20 noisy series called a step`);
  });
});
