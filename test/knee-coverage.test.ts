import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussian, seededRandom } from '../src/analysis/random.js';
import { bootstrapUsl, fitUsl, uslThroughput } from '../src/analysis/usl.js';

// A property over many seeds, kept out of the mutation test set (about 7 s).
describe('USL bootstrap interval coverage', () => {
  it('the 95% N_max interval covers the true N_max in at least 85% of 200 noisy ramps', () => {
    const truth = { lambda: 1000, sigma: 0.05, kappa: 0.01 };
    const trueNMax = Math.sqrt((1 - truth.sigma) / truth.kappa); // 9.75, inside the tested 1..16
    const ns = [1, 2, 4, 6, 8, 10, 12, 14, 16];
    const seeds = 200;
    let covered = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const rand = seededRandom(seed * 7919 + 3);
      const xs = ns.map((n) => uslThroughput(truth, n) * (1 + 0.02 * gaussian(rand)));
      const ci = bootstrapUsl(ns, xs, fitUsl(ns, xs), 200, seed);
      if (ci.nMax[0] <= trueNMax && trueNMax <= ci.nMax[1]) covered++;
    }
    // Measured: 0.90 on this seed family, 0.90 and 0.92 on two others. With
    // true coverage 0.90 the count has SD 4.2, so a bound of 170 fails a
    // correct bootstrap on about 1% of seed families; the previous bootstrap
    // (raw, uninflated residuals) covered 0.755 and fails it.
    console.log(`# USL bootstrap coverage: ${covered} of ${seeds} seeds`);
    assert.ok(covered >= 0.85 * seeds, `covered ${covered} of ${seeds}`);
    assert.ok(covered <= 0.99 * seeds, `covered ${covered} of ${seeds}: an interval that always covers is too wide to mean anything`);
  });
});
