import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyseSpike } from '../src/analysis/spike.js';
import { gaussian, seededRandom } from '../src/analysis/random.js';

describe('spike recovery', () => {
  it('finds the peak p99 and the time until p99 is back within the baseline spread, to the start of the first good bucket', () => {
    const pts = [
      ...[0, 1, 2, 3, 4].map((s) => ({ tMs: s * 1000, p99Ms: 2 })),
      { tMs: 5000, p99Ms: 30 }, { tMs: 6000, p99Ms: 45 },
      { tMs: 7000, p99Ms: 12 }, { tMs: 8000, p99Ms: 4 }, { tMs: 9000, p99Ms: 2.1 }, { tMs: 10000, p99Ms: 2 },
    ];
    const a = analyseSpike(pts, 4000, 6000);
    assert.ok(a);
    assert.equal(a.baselineP99Ms, 2);
    assert.equal(a.peakP99Ms, 45);
    // (7 s, 8 s] is still at 4 ms; (8 s, 9 s] is back: recovered by 8 s, 2 s after the spike, to a 1 s resolution.
    assert.equal(a.recoveryMs, 2000);
    assert.equal(a.resolutionMs, 1000);
  });

  it('a spike with no after-effect, over 200 noisy seeds, recovers within one bucket', () => {
    let worst = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const rand = seededRandom(seed);
      // Baseline p99 of 2 ms, ±30% uniform noise, and a 2× bucket 3% of the time (half the buckets exceed the median);
      // the spike at 40 ms; after it, the same baseline: nothing to recover from.
      const noisy = (): number => 2 * (1 + 0.3 * (rand() - 0.5) * 2) * (rand() < 0.03 ? 2 : 1);
      const pts = [
        ...Array.from({ length: 20 }, (_, i) => ({ tMs: (i + 1) * 500, p99Ms: noisy() })),
        ...Array.from({ length: 6 }, (_, i) => ({ tMs: 10_000 + (i + 1) * 500, p99Ms: 40 })),
        ...Array.from({ length: 20 }, (_, i) => ({ tMs: 13_000 + (i + 1) * 500, p99Ms: noisy() })),
      ];
      const a = analyseSpike(pts, 10_000, 13_000);
      assert.ok(a && a.recoveryMs !== null, `seed ${seed}: recovered`);
      worst = Math.max(worst, a.recoveryMs);
    }
    assert.ok(worst <= 500, `worst recovery ${worst} ms, one bucket is 500 ms`);
  });
  it('never recovering gives null', () => {
    const pts = [{ tMs: 0, p99Ms: 1 }, { tMs: 1000, p99Ms: 9 }, { tMs: 2000, p99Ms: 8 }];
    assert.equal(analyseSpike(pts, 500, 1000)?.recoveryMs, null);
  });
});
