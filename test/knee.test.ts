import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findKnee, ruleKnee, type LoadPoint } from '../src/analysis/knee.js';
import { gaussian, seededRandom } from '../src/analysis/random.js';
import { bootstrapUsl, fitUsl, uslThroughput } from '../src/analysis/usl.js';
import { rampChecks } from '../src/analysis/ramp-checks.js';

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
    // N_max 7.0 was not tested: of 6 and 8 around it, 8 measured more.
    assert.equal(knee.load, 8);
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

describe('the knee is a load that was tested', () => {
  // codahale/usl's published 32-point data set and its reference fit (model_test.go).
  const CODAHALE = [955.16, 1878.91, 2688.01, 3548.68, 4315.54, 5130.43, 5931.37, 6531.08, 7219.8, 7867.61, 8278.71, 8646.7, 9047.84, 9426.55,
    9645.37, 9897.24, 10097.6, 10240.5, 10532.39, 10798.52, 11151.43, 11518.63, 11806, 12089.37, 12075.41, 12177.29, 12211.41, 12158.93,
    12155.27, 12118.04, 12140.4, 12074.39];

  it('codahale/usl: the fit matches the reference, the peak beyond the range is a labelled prediction, the knee a tested load', () => {
    const points = CODAHALE.map((x, i) => ({ load: i + 1, throughput: x, p99Ms: 0 }));
    const k = findKnee(points);
    const rel = (a: number, b: number): number => Math.abs(a / b - 1);
    assert.ok(rel(k.usl!.sigma, 0.02671591) < 1e-3, `σ ${k.usl!.sigma}`);
    assert.ok(rel(k.usl!.kappa, 7.690945e-4) < 1e-3, `κ ${k.usl!.kappa}`);
    assert.ok(rel(k.usl!.lambda, 995.6486) < 1e-3, `λ ${k.usl!.lambda}`);
    assert.ok(k.usl!.nMax! > 32 && k.usl!.nMax! < 36, `N_max ${k.usl!.nMax}`);
    assert.equal(k.usl!.extrapolated, true, 'N_max lies beyond the largest tested load');
    assert.equal(k.detected, true, k.reason);
    assert.ok(Number.isInteger(k.load) && k.load! >= 1 && k.load! <= 32, `knee ${k.load} is one of the tested loads`);
    // Measured throughput stops paying where the plateau begins (it is flat from 24 on).
    assert.ok(k.load! >= 20 && k.load! <= 28, `knee ${k.load} on the plateau the data show`);
    assert.match(k.reason, /prediction beyond the tested 32/);
  });

  it('synthetic curves whose peak lies beyond the tested range: the knee is tested or absent, never the prediction', () => {
    for (const [sigma, kappa, maxN] of [[0.05, 0.002, 12], [0.02, 0.0005, 20], [0.1, 0.004, 10]] as const) {
      const points = Array.from({ length: maxN }, (_, i) => {
        const n = i + 1;
        return { load: n, throughput: (1000 * n) / (1 + sigma * (n - 1) + kappa * n * (n - 1)), p99Ms: 0 };
      });
      const nMax = Math.sqrt((1 - sigma) / kappa);
      assert.ok(nMax > maxN, 'the peak is beyond the range');
      const k = findKnee(points);
      assert.equal(k.usl!.extrapolated, true);
      if (k.detected) assert.ok(points.some((p) => p.load === k.load), `knee ${k.load} is a tested load (σ ${sigma}, κ ${kappa})`);
      assert.notEqual(k.load, Math.round(nMax));
    }
  });

  it('a peak inside the range: the knee is the tested load nearest it', () => {
    const sigma = 0.02;
    const kappa = 0.02;
    const loads = [1, 2, 4, 6, 9, 12];
    const points = loads.map((n) => ({ load: n, throughput: (1000 * n) / (1 + sigma * (n - 1) + kappa * n * (n - 1)), p99Ms: 0 }));
    const k = findKnee(points);
    // N_max = 7.00, between the tested 6 and 9: 6 measured more.
    assert.equal(k.method, 'usl');
    assert.equal(k.load, 6);
  });
});

describe('ramps that check themselves', () => {
  it('repeated levels that agree within the noise pass; ones that disagree, and per-worker throughput rising past the cores, are flagged', () => {
    const agree = rampChecks([
      { load: 1, throughput: 1000, relSe: 0.01, index: 0 }, { load: 2, throughput: 1900, relSe: 0.01, index: 1 },
      { load: 1, throughput: 1020, relSe: 0.01, index: 2 },
    ], 2);
    assert.equal(agree.repeats.length, 1);
    assert.equal(agree.repeats[0]!.agree, true);
    assert.deepEqual(agree.warnings, []);
    const disagree = rampChecks([
      { load: 1, throughput: 1000, relSe: 0.01, index: 0 }, { load: 2, throughput: 1900, relSe: 0.01, index: 1 },
      { load: 1, throughput: 700, relSe: 0.01, index: 2 },
    ], 2);
    assert.equal(disagree.repeats[0]!.agree, false);
    assert.match(disagree.warnings[0]!, /level 1 measured 1000 and 700\/s \(35% apart, the noise allows 5%\)/);
    // Noisy steps allow more: three combined standard errors.
    assert.equal(rampChecks([{ load: 1, throughput: 1000, relSe: 0.1, index: 0 }, { load: 1, throughput: 800, relSe: 0.1, index: 1 }], 2).repeats[0]!.agree, true);
    const superlinear = rampChecks([
      { load: 1, throughput: 1000, relSe: 0, index: 0 }, { load: 2, throughput: 2000, relSe: 0, index: 1 }, { load: 3, throughput: 3300, relSe: 0, index: 2 },
    ], 2);
    assert.match(superlinear.warnings[0]!, /throughput per worker rose from 1000\/s at 2 to 1100\/s at 3, past the 2 cores/);
  });
});

