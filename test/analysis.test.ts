import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mannWhitneyU } from '../src/analysis/compare.js';
import { normalCdf, normalQuantile } from '../src/analysis/normal.js';
import { mannKendall, theilSen } from '../src/analysis/trend.js';

describe('statistics helpers', () => {
  it('normal CDF and quantile agree with tables', () => {
    assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.005) + 2.5758293) < 1e-5);
  });
  it('Mann–Whitney U: exact p for complete separation of 4 vs 4 is 2/70', () => {
    const r = mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]);
    assert.equal(r.u, 0);
    assert.ok(Math.abs(r.p - 2 / 70) < 1e-12);
    assert.equal(mannWhitneyU([1, 5, 2, 6], [3, 7, 4, 8]).p > 0.3, true);
  });
  it('Theil–Sen ignores an outlier and Mann–Kendall finds a clean trend', () => {
    const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const ys = xs.map((x) => 2 * x + 1);
    ys[4] = 100;
    const t = theilSen(xs, ys);
    assert.equal(t.slope, 2);
    assert.ok(mannKendall(ys).p < 0.01);
  });
});
