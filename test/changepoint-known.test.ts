import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eDivisive } from '../src/analysis/changepoint.js';

// Small series whose answers follow from the definitions (Matteson & James
// 2014): the split maximising the scaled energy distance q̂ (computed by brute
// force in Python for the first case: q̂ = 15.2, 22.7, 35.5, 22.7, 15.4, 9.2
// at splits 3..8), and a permutation p-value of (beaten + 1) / (permutations + 1).
describe('E-divisive on series with known answers', () => {
  it('one clean shift: the split at the largest q̂, the segment means, p = 1/(R+1)', () => {
    const cps = eDivisive([1, 2, 1, 2, 1, 9, 8, 9, 8, 9, 8], { minSegment: 3, permutations: 19 });
    assert.equal(cps.length, 1, JSON.stringify(cps));
    assert.equal(cps[0]!.index, 5);
    assert.ok(Math.abs(cps[0]!.before - 1.4) < 1e-12);
    assert.ok(Math.abs(cps[0]!.after - 8.5) < 1e-12);
    assert.equal(cps[0]!.pValue, 1 / 20);
  });
  it('two shifts are found by recursing on both sides, and returned in order', () => {
    const xs = [...Array(10).fill(0), ...Array(10).fill(10), ...Array(10).fill(20)].map((x, i) => x + (i % 2) * 0.1);
    const cps = eDivisive(xs, { minSegment: 4, permutations: 19 });
    assert.deepEqual(cps.map((c) => c.index), [10, 20]);
    assert.ok(Math.abs(cps[0]!.before - 0.05) < 1e-12 && Math.abs(cps[1]!.after - 20.05) < 1e-9, JSON.stringify(cps));
  });
  it('alpha under the smallest attainable p finds nothing; a segment under 2 × minSegment is not split', () => {
    const xs = [1, 2, 1, 2, 1, 9, 8, 9, 8, 9, 8];
    assert.deepEqual(eDivisive(xs, { minSegment: 3, permutations: 19, alpha: 0.049 }), []);
    assert.equal(eDivisive(xs, { minSegment: 3, permutations: 19, alpha: 0.05 }).length, 1);
    assert.deepEqual(eDivisive(xs, { minSegment: 6, permutations: 19 }), []);
    assert.equal(eDivisive(xs, { minSegment: 5, permutations: 19 }).length, 1);
    assert.deepEqual(eDivisive([], { permutations: 19 }), []);
  });
  it('a constant series has no change point', () => {
    assert.deepEqual(eDivisive(Array(30).fill(7), { permutations: 19 }), []);
  });
});
