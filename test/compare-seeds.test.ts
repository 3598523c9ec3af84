import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareMetric } from '../src/analysis/compare.js';
import { gaussian, seededRandom } from '../src/analysis/random.js';

/** Per-run values of a metric: median latency around `centre` with 2% run-to-run noise. */
function runs(rand: () => number, n: number, centre: number): number[] {
  return Array.from({ length: n }, () => centre * (1 + 0.02 * gaussian(rand)));
}

describe('baseline comparison on synthetic run sets', () => {
  const SEEDS = 200;
  const verdicts = (shift: number): Record<string, number> => {
    const out: Record<string, number> = {};
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rand = seededRandom(seed);
      const c = compareMetric('p50', runs(rand, 10, 10), runs(rand, 10, 10 * (1 + shift)), 'lower-is-better', 0.03, { resamples: 500, seed });
      out[c.verdict] = (out[c.verdict] ?? 0) + 1;
    }
    return out;
  };
  it('a 10% slowdown is flagged as regressed in at least 95% of seeds', () => {
    const v = verdicts(0.1);
    assert.ok((v['regressed'] ?? 0) >= 0.95 * SEEDS, JSON.stringify(v));
  });
  it('identical distributions are flagged in at most 1% of seeds', () => {
    const v = verdicts(0);
    assert.ok((v['regressed'] ?? 0) + (v['improved'] ?? 0) <= 0.01 * SEEDS, JSON.stringify(v));
  });
  it('a 1% change is not flagged', () => {
    const v = verdicts(0.01);
    assert.equal(v['regressed'] ?? 0, 0, JSON.stringify(v));
  });
  it('throughput direction: a 10% drop regresses, a 10% rise improves', () => {
    const rand = seededRandom(9);
    assert.equal(compareMetric('throughput', runs(rand, 8, 1000), runs(rand, 8, 900), 'higher-is-better', 0.02).verdict, 'regressed');
    assert.equal(compareMetric('throughput', runs(rand, 8, 1000), runs(rand, 8, 1100), 'higher-is-better', 0.02).verdict, 'improved');
  });
  it('too few runs is inconclusive, never a regression', () => {
    const c = compareMetric('p50', [10, 10.1, 9.9], [20, 20.2, 19.8], 'lower-is-better', 0.03);
    assert.equal(c.verdict, 'inconclusive');
  });
});

/** Heap samples every 10 s for `minutes`: floor + trend + noise + GC sawtooth. */
