import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findKnee, ruleKnee, type LoadPoint } from '../src/analysis/knee.js';
import { gaussian, seededRandom } from '../src/analysis/random.js';
import { bootstrapUsl, fitUsl, uslThroughput } from '../src/analysis/usl.js';

const near = (a: number, b: number, rel: number): boolean => Math.abs(a - b) <= rel * Math.abs(b);

describe('USL fit: known answers', () => {
  it('recovers σ ≈ κ ≈ 0.02 and N_max ≈ 7.0 from the reference curve', () => {
    const xs = [1, 1.8868, 3.0769, 3.5294, 3.5398, 3.3557];
    const ns = [1, 2, 4, 6, 8, 10];
    const f = fitUsl(ns, xs);
    assert.ok(near(f.sigma, 0.02, 0.02), `σ ${f.sigma}`);
    assert.ok(near(f.kappa, 0.02, 0.02), `κ ${f.kappa}`);
    assert.ok(near(f.nMax ?? 0, 7.0, 0.01), `N_max ${f.nMax}`);
    assert.ok(f.r2 > 0.9999);
    const knee = findKnee(ns.map((n, i) => ({ load: n, throughput: xs[i]!, p99Ms: 1 })));
    assert.equal(knee.method, 'usl');
    assert.equal(knee.detected, true);
    assert.equal(knee.load, 7);
    assert.equal(knee.usl?.credible, true);
  });

  it('a curve generated with κ = 0 reports no peak (Amdahl-limited)', () => {
    const ns = [1, 2, 3, 4, 6, 8, 12, 16];
    const xs = ns.map((n) => uslThroughput({ lambda: 100, sigma: 0.1, kappa: 0 }, n));
    const f = fitUsl(ns, xs);
    assert.equal(f.nMax, null);
    assert.ok(near(f.sigma, 0.1, 0.01));
    const knee = findKnee(ns.map((n, i) => ({ load: n, throughput: xs[i]!, p99Ms: 1 })));
    assert.match(knee.reason, /no peak/);
    assert.notEqual(knee.method, 'usl');
  });

  it('a straight line reports no knee', () => {
    const ns = [1, 2, 3, 4, 5, 6, 7, 8];
    const knee = findKnee(ns.map((n) => ({ load: n, throughput: 500 * n, p99Ms: 2 })));
    assert.equal(knee.detected, false);
    assert.equal(knee.load, null);
    assert.match(knee.reason, /linearly/);
  });

  it('with 2% noise the bootstrap interval covers the true N_max in most seeds', () => {
    const truth = { lambda: 1000, sigma: 0.05, kappa: 0.01 };
    const trueNMax = Math.sqrt((1 - truth.sigma) / truth.kappa); // 9.75
    const ns = [1, 2, 4, 6, 8, 10, 12, 14, 16];
    let covered = 0;
    const seeds = 40;
    for (let seed = 1; seed <= seeds; seed++) {
      const rand = seededRandom(seed);
      const xs = ns.map((n) => uslThroughput(truth, n) * (1 + 0.02 * gaussian(rand)));
      const f = fitUsl(ns, xs);
      const ci = bootstrapUsl(ns, xs, f, 200, seed);
      if (ci.nMax[0] <= trueNMax && trueNMax <= ci.nMax[1]) covered++;
    }
    console.log(`# USL bootstrap coverage: ${covered} of ${seeds} seeds`);
    assert.ok(covered >= 30, `covered ${covered} of ${seeds}`);
  });
});

describe('knee: rule fallback', () => {
  it('latency leaving its floor before the USL peak puts the knee there', () => {
    const ns = [1, 2, 4, 6, 8, 10];
    const xs = [1, 1.8868, 3.0769, 3.5294, 3.5398, 3.3557];
    const p99 = [1, 1.1, 5, 9, 14, 20];
    const k = findKnee(ns.map((n, i) => ({ load: n, throughput: xs[i]!, p99Ms: p99[i]! })));
    assert.equal(k.load, 2);
    assert.equal(k.method, 'rule');
    assert.match(k.reason, /p99 rose to 5\.00 ms at 4, .*before the USL throughput peak N_max 7\.00/);
    assert.equal(k.usl?.credible, true, 'the fit is still reported');
  });

  it('a hard saturation corner at 2 (2 cores) is found at 2 by marginal efficiency', () => {
    const pts: LoadPoint[] = [1, 2, 3, 4, 5, 6].map((n) => ({ load: n, throughput: 1000 * Math.min(n, 2) * (1 - 0.01 * n), p99Ms: n <= 2 ? 0.3 : 4 }));
    const k = findKnee(pts);
    assert.equal(k.detected, true);
    assert.equal(k.load, 2);
    assert.equal(k.method, 'rule');
  });

  it('p99 leaving its floor marks the knee even while throughput still rises', () => {
    const pts: LoadPoint[] = [
      { load: 1, throughput: 100, p99Ms: 1 },
      { load: 2, throughput: 200, p99Ms: 1.1 },
      { load: 3, throughput: 290, p99Ms: 4 },
    ];
    assert.equal(ruleKnee(pts)?.index, 1);
  });

  it('achieved short of offered marks the knee for arrival-rate steps', () => {
    const pts: LoadPoint[] = [
      { load: 100, offered: 100, throughput: 100, p99Ms: 1 },
      { load: 200, offered: 200, throughput: 199, p99Ms: 1 },
      { load: 300, offered: 300, throughput: 250, p99Ms: 1.2 },
    ];
    const k = findKnee(pts);
    assert.equal(k.load, 200);
    assert.match(k.reason, /fell short of offered/);
  });

  it('one level is not enough for a knee', () => {
    assert.equal(findKnee([{ load: 1, throughput: 5, p99Ms: 1 }]).detected, false);
  });
});
