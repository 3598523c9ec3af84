import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findKnee as findKneeDefault, type Knee, type KneeOptions, type LoadPoint } from '../src/analysis/knee.js';
import { uslThroughput } from '../src/analysis/usl.js';

const findKnee = (points: readonly LoadPoint[], o: Partial<KneeOptions> = {}): Knee => findKneeDefault(points, { bootstrapResamples: 40, ...o });
const REFERENCE = { lambda: 1000, sigma: 0.02, kappa: 0.02 }; // N_max = 7.00
const curve = (ns: number[], p99 = (_n: number) => 1): LoadPoint[] => ns.map((n) => ({ load: n, throughput: uslThroughput(REFERENCE, n), p99Ms: p99(n) }));

describe('knee: the branches between the USL fit and the rule', () => {
  it('a credible USL knee says so in full', () => {
    const k = findKnee(curve([1, 2, 4, 6, 8, 10, 12]));
    assert.equal(k.reason, 'USL peak N_max 7.00 (σ 0.0200, κ 0.0200, R² 1.000); tested load 8 (of the two around it, the one that measured more)');
    assert.equal(k.maxThroughput, Math.max(...curve([1, 2, 4, 6, 8, 10, 12]).map((p) => p.throughput)));
  });
  it('p99 leaving its floor below the USL peak puts the knee there (rule, detected, medium); at or past the peak the USL decides', () => {
    const before = findKnee(curve([1, 2, 4, 6, 7, 8, 10, 12], (n) => (n >= 7 ? 10 : 1)));
    assert.equal(before.method, 'rule');
    assert.equal(before.detected, true);
    assert.equal(before.load, 6);
    assert.equal(before.confidence, 'medium');
    assert.match(before.reason, /^p99 rose to 10\.0 ms at 7, over 3x the first step's 1\.00 ms, before the USL throughput peak N_max 7\.00$/);
    // The jump at 8: the step before it is 7, which is not below round(N_max) = 7.
    const atPeak = findKnee(curve([1, 2, 4, 6, 7, 8, 10, 12], (n) => (n >= 8 ? 10 : 1)));
    assert.equal(atPeak.method, 'usl', atPeak.reason);
    const past = findKnee(curve([1, 2, 4, 6, 8, 10, 12], (n) => (n >= 12 ? 10 : 1)));
    assert.equal(past.method, 'usl', past.reason);
  });
  it('a straight line: no knee, by the USL, with confidence high and the reason', () => {
    const k = findKnee([1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ load: n, throughput: 500 * n, p99Ms: 2 })));
    assert.equal(k.method, 'usl');
    assert.equal(k.confidence, 'high');
    assert.equal(k.reason, 'scales linearly over the tested range (σ≈κ≈0, R² 1.000)');
  });
  it('no knee by the rule: the reason names the range; confidence low under 4 levels, medium from 4', () => {
    const three = findKnee([1, 2, 3].map((n) => ({ load: n, throughput: 900 * n, p99Ms: 1 })));
    assert.equal(three.detected, false);
    assert.equal(three.confidence, 'low');
    assert.match(three.reason, /^no knee in the tested range up to 3; USL fit not credible: only 3 steps \(need 6\)/);
    const four = findKnee([1, 2, 3, 4].map((n) => ({ load: n, throughput: 900 * n, p99Ms: 1 })));
    assert.equal(four.confidence, 'medium');
    // Open loop: no USL fit and no note about one.
    const open = findKnee([100, 200, 300].map((r) => ({ load: r, offered: r, throughput: r, p99Ms: 1 })));
    assert.equal(open.reason, 'no knee in the tested range up to 300');
    assert.equal(open.usl, null);
  });
  it('two levels are enough for a rule knee; under 3 levels, or a level with no throughput, there is no USL fit', () => {
    const two = findKnee([{ load: 1, throughput: 1000, p99Ms: 1 }, { load: 2, throughput: 1010, p99Ms: 1 }]);
    assert.equal(two.method, 'rule');
    assert.equal(two.load, 1);
    assert.equal(two.usl, null);
    const zero = findKnee([...curve([1, 2, 4, 6, 8]), { load: 10, throughput: 0, p99Ms: 1 }]);
    assert.equal(zero.usl, null);
    // Exactly minStepsForFit levels get a bootstrap interval.
    assert.notEqual(findKnee(curve([1, 2, 4, 6, 8, 10])).usl?.nMaxInterval, null);
  });
  it('levels are sorted by load; a repeated level keeps its best throughput (the first of equal ones)', () => {
    const sorted = findKnee(curve([1, 2, 4, 6, 8, 10, 12]));
    const shuffled = findKnee([...curve([1, 2, 4, 6, 8, 10, 12])].reverse());
    assert.equal(shuffled.load, sorted.load);
    assert.equal(shuffled.reason, sorted.reason);
    const tie = findKnee([{ load: 1, throughput: 1000, p99Ms: 1 }, { load: 2, throughput: 2000, p99Ms: 1 }, { load: 2, throughput: 2000, p99Ms: 50 }, { load: 3, throughput: 3000, p99Ms: 1 }]);
    assert.equal(tie.detected, false, tie.reason);
  });
});
