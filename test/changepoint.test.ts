import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eDivisive } from '../src/analysis/changepoint.js';
import { gaussian, seededRandom } from '../src/analysis/random.js';

describe('history change points (E-divisive)', () => {
  it('40 runs around 100 then 20 around 110: one change point at 40 (±1)', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const rand = seededRandom(seed);
      const xs = [...Array.from({ length: 40 }, () => 100 + 2 * gaussian(rand)), ...Array.from({ length: 20 }, () => 110 + 2 * gaussian(rand))];
      const cps = eDivisive(xs, { seed, permutations: 99 });
      assert.equal(cps.length, 1, JSON.stringify(cps));
      assert.ok(Math.abs(cps[0]!.index - 40) <= 1, `at ${cps[0]!.index}`);
      assert.ok(cps[0]!.after > cps[0]!.before);
    }
  });
  it('60 flat runs: none', () => {
    let found = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const rand = seededRandom(100 + seed);
      found += eDivisive(Array.from({ length: 60 }, () => 100 + 2 * gaussian(rand)), { seed, permutations: 99 }).length;
    }
    assert.ok(found <= 1, `${found} false change points over 10 flat series`);
  });
});
