import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalCdf, normalQuantile, twoSidedP } from '../src/analysis/normal.js';
import { rampChecks } from '../src/analysis/ramp-checks.js';

// References: scipy.stats.norm.cdf / norm.ppf (scipy 1.17.1).
describe('normal CDF and quantile against scipy', () => {
  it('CDF on both sides of 0 (A&S 7.1.26, error under 1.5e-7)', () => {
    assert.ok(Math.abs(normalCdf(-1.5) - 0.06680720126885807) < 2e-7);
    assert.ok(Math.abs(normalCdf(0.3) - 0.6179114221889526) < 2e-7);
    assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-9);
    assert.ok(Math.abs(twoSidedP(-1.5) - 2 * 0.06680720126885807) < 4e-7);
    assert.equal(twoSidedP(0) <= 1, true);
  });
  it('quantile in the tails, at the region boundaries and in the centre (Acklam, relative error under 1.2e-9)', () => {
    for (const [p, z] of [[0.99, 2.3263478740408408], [0.01, -2.3263478740408408], [0.02425, -1.972961051311885], [0.97575, 1.972961051311885], [0.3, -0.5244005127080409], [0.5, 0]] as const) {
      assert.ok(Math.abs(normalQuantile(p) - z) < 1e-8, `ppf(${p}) = ${normalQuantile(p)}, scipy ${z}`);
    }
    assert.equal(normalQuantile(0), -Infinity);
    assert.equal(normalQuantile(1), Infinity);
    assert.equal(normalQuantile(-0.1), -Infinity);
    assert.equal(normalQuantile(1.1), Infinity);
  });
});

describe('ramp checks, by hand', () => {
  const pt = (load: number, throughput: number, index: number, relSe = 0) => ({ load, throughput, relSe, index });
  it('repeated levels in load order, with the relative difference of the two measurements and the allowance', () => {
    const r = rampChecks([pt(2, 1900, 1), pt(1, 1000, 0), pt(2, 2100, 3), pt(1, 1000, 4)], undefined);
    assert.deepEqual(r.repeats.map((x) => x.load), [1, 2]);
    assert.deepEqual(r.repeats[1]!.steps, [1, 3]);
    assert.deepEqual(r.repeats[1]!.throughputs, [1900, 2100]);
    assert.ok(Math.abs(r.repeats[1]!.relDiff - 0.1) < 1e-12);
    assert.equal(r.repeats[1]!.allowed, 0.05);
    assert.equal(r.repeats[1]!.agree, false);
    assert.equal(r.repeats[0]!.relDiff, 0);
    assert.equal(r.repeats[0]!.agree, true);
    assert.deepEqual(r.warnings, ['level 2 measured 1900 and 2100/s (10% apart, the noise allows 5%)']);
  });
  it('a difference equal to the allowance agrees; zero throughput twice agrees', () => {
    // relDiff = (hi − lo) / mid = 50 / 1000 for 975 and 1025.
    const r = rampChecks([pt(1, 975, 0), pt(1, 1025, 1)], undefined);
    assert.ok(Math.abs(r.repeats[0]!.relDiff - 0.05) < 1e-12);
    assert.equal(r.repeats[0]!.agree, true);
    assert.equal(rampChecks([pt(1, 0, 0), pt(1, 0, 1)], undefined).repeats[0]!.agree, true);
    // Noisy steps: three combined standard errors, √(0.1² + 0.1²)·3 = 0.424.
    assert.ok(Math.abs(rampChecks([pt(1, 1000, 0, 0.1), pt(1, 900, 1, 0.1)], undefined).repeats[0]!.allowed - 3 * Math.sqrt(0.02)) < 1e-12);
  });
  it('per-worker throughput past the cores: a rise over minRel warns, an equal share does not, and no core count means no check', () => {
    const ramp = (third: number) => [pt(1, 1000, 0), pt(2, 2000, 1), pt(3, third, 2), pt(4, 3000, 3)];
    // At 2 cores the per-worker rate is 1000/s; at 3 workers 3150/s is 1050 each, exactly 5% more: no warning.
    assert.deepEqual(rampChecks(ramp(3150), 2).warnings, []);
    assert.deepEqual(rampChecks(ramp(3300), 2).warnings, ['throughput per worker rose from 1000/s at 2 to 1100/s at 3, past the 2 cores']);
    assert.deepEqual(rampChecks(ramp(3300), undefined).warnings, []);
    assert.deepEqual(rampChecks(ramp(3300), 0).warnings, []);
    // A repeated level counts its best measurement.
    const perWorker = (w: string[]): string[] => w.filter((x) => x.includes('per worker'));
    assert.deepEqual(perWorker(rampChecks([...ramp(3000), pt(2, 1500, 4)], 2).warnings), []);
    assert.equal(perWorker(rampChecks([pt(2, 2000, 0), pt(2, 1000, 1), pt(3, 3300, 2)], 2).warnings).length, 1);
    assert.equal(perWorker(rampChecks([pt(2, 2000, 0), pt(2, 1000, 1), pt(3, 2900, 2)], 2).warnings).length, 0);
    // Only loads above the core count are judged.
    assert.deepEqual(rampChecks([pt(1, 1000, 0), pt(2, 2300, 1)], 2).warnings, []);
  });
});
