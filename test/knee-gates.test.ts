import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findKnee as findKneeDefault, type Knee, type KneeOptions, type LoadPoint } from '../src/analysis/knee.js';
import { gaussian, seededRandom } from '../src/analysis/random.js';
import { uslThroughput, type UslParams } from '../src/analysis/usl.js';

// 40 bootstrap resamples instead of 200: these tests need an interval, not a
// precise one, and they run once per mutant under mutation testing.
const findKnee = (points: readonly LoadPoint[], o: Partial<KneeOptions> = {}): Knee => findKneeDefault(points, { bootstrapResamples: 40, ...o });
const curve = (p: UslParams, ns: readonly number[], p99 = 1): LoadPoint[] =>
  ns.map((n) => ({ load: n, throughput: uslThroughput(p, n), p99Ms: p99 }));
const REFERENCE = { lambda: 1000, sigma: 0.02, kappa: 0.02 }; // N_max = 7.00
const notCredible = (k: Knee, why: RegExp): void => {
  assert.equal(k.usl?.credible, false, k.reason);
  assert.notEqual(k.method, 'usl', k.reason);
  assert.match(k.reason, /USL fit not credible: /);
  assert.match(k.reason, why);
};

// Each gate alone: the data trips exactly one, and the reason names only it.
describe('knee: each USL credibility gate', () => {
  const GATES = [/only \d+ steps/, /R² [\d.]+ < /, /a residual of/, /a parameter at its bound/, /beyond 2× the tested range/, /a very wide N_max interval/];
  const onlyGate = (k: Knee, gate: RegExp): void => {
    notCredible(k, gate);
    const tripped = GATES.filter((g) => g.test(k.reason));
    assert.equal(tripped.length, 1, `${k.reason} trips ${tripped.join(', ')}`);
  };

  it('a clean curve with its peak inside the tested range passes every gate: knee by USL, confidence high', () => {
    const k = findKnee(curve(REFERENCE, [1, 2, 4, 6, 8, 10, 12]));
    assert.equal(k.usl?.credible, true);
    assert.equal(k.method, 'usl');
    assert.equal(k.detected, true);
    assert.equal(k.load, 8); // of 6 and 8 around N_max 7.00, 8 measured more
    assert.ok(Math.abs(k.usl!.nMax! - 7) < 1e-3);
    assert.equal(k.confidence, 'high'); // noise-free: the interval is a point
    assert.deepEqual(k.usl!.nMaxInterval!.map((x) => Math.round(x * 100) / 100), [7, 7]);
    assert.equal(k.usl!.extrapolated, false);
  });

  it('fewer steps than minStepsForFit (5 of 6): not credible, rule knee, confidence medium; with minStepsForFit 5 it is credible', () => {
    const ns = [1, 2, 4, 6, 8];
    const k = findKnee(curve(REFERENCE, ns));
    onlyGate(k, /only 5 steps \(need 6\)/);
    assert.equal(k.method, 'rule');
    assert.equal(k.confidence, 'medium');
    assert.equal(k.usl!.nMaxInterval, null); // no bootstrap under minStepsForFit
    const five = findKnee(curve(REFERENCE, ns), { minStepsForFit: 5 });
    assert.equal(five.usl?.credible, true);
    assert.equal(five.method, 'usl');
  });

  it('R² under minR2 (a zigzag around a slow rise): not credible', () => {
    const k = findKnee([1000, 1060, 1010, 1080, 1030, 1090].map((x, i) => ({ load: i + 1, throughput: x, p99Ms: 1 })));
    onlyGate(k, /R² 0\.3\d\d < 0\.95/);
    assert.equal(k.confidence, 'medium');
    assert.equal(findKnee([1000, 1060, 1010, 1080, 1030, 1090].map((x, i) => ({ load: i + 1, throughput: x, p99Ms: 1 })), { minR2: 0.3 }).usl?.credible, true);
  });

  it('one point 20% off a clean curve: R² still 0.95 but a 12% residual is over maxRelResidual', () => {
    const pts = curve(REFERENCE, [1, 2, 4, 6, 8, 10, 12, 16]);
    pts[3] = { ...pts[3]!, throughput: pts[3]!.throughput * 1.2 };
    const k = findKnee(pts);
    onlyGate(k, /a residual of 12%/);
    assert.ok(k.usl!.r2 >= 0.95, String(k.usl!.r2));
    assert.equal(k.confidence, 'medium');
    assert.equal(findKnee(pts, { maxRelResidual: 0.13 }).usl?.credible, true);
  });

  it('flat throughput fits σ = 1: a parameter at its bound', () => {
    const k = findKnee([1, 2, 3, 4, 5, 6].map((n) => ({ load: n, throughput: 1000, p99Ms: 1 })));
    onlyGate(k, /a parameter at its bound/);
    assert.equal(k.usl!.sigma >= 0.999, true);
    // Throughput did not scale from the first step: the rule puts the knee there.
    assert.equal(k.load, 1);
    assert.equal(k.confidence, 'medium');
  });

  it('a peak at 44 on a ramp to 16: beyond 2× the tested range is not credible; a peak at 18 is a labelled prediction', () => {
    const ns = [1, 2, 4, 6, 8, 10, 12, 16];
    const far = findKnee(curve({ lambda: 1000, sigma: 0.02, kappa: 0.0005 }, ns));
    onlyGate(far, /N_max 44\.3 beyond 2× the tested range/);
    assert.equal(far.detected, false);
    assert.equal(far.usl!.extrapolated, true);
    assert.equal(findKnee(curve({ lambda: 1000, sigma: 0.02, kappa: 0.0005 }, ns), { extrapolationFactor: 3 }).usl?.credible, true);
    const near = findKnee(curve({ lambda: 1000, sigma: 0.02, kappa: 0.003 }, ns));
    assert.equal(near.usl?.credible, true);
    assert.equal(near.usl!.extrapolated, true);
    assert.equal(near.detected, false);
    assert.equal(near.load, null);
    assert.match(near.reason, /USL peak N_max 18\.1 is a prediction beyond the tested 16/);
    assert.equal(near.confidence, 'medium');
  });

  it('3% noise on a ramp to 8 with its peak near 10: a very wide N_max interval is not credible', () => {
    const rand = seededRandom(1);
    const ns = [1, 2, 3, 4, 5, 6, 7, 8];
    const pts = ns.map((n) => ({ load: n, throughput: uslThroughput({ lambda: 1000, sigma: 0.05, kappa: 0.01 }, n) * (1 + 0.03 * gaussian(rand)), p99Ms: 1 }));
    const k = findKnee(pts);
    onlyGate(k, /a very wide N_max interval/);
    // null: an end at infinity (some resamples had no peak), wider than any bound.
    const interval = k.usl!.nMaxInterval;
    if (interval) assert.ok(interval[1]! - interval[0]! > k.usl!.nMax!, `${interval} around ${k.usl!.nMax}`);
    assert.equal(k.confidence, 'medium');
  });

  it('a credible fit whose interval is not narrow (over a quarter of N_max) has confidence medium, not high', () => {
    const rand = seededRandom(23);
    const ns = [1, 2, 3, 4, 5, 6, 7, 8];
    const pts = ns.map((n) => ({ load: n, throughput: uslThroughput({ lambda: 1000, sigma: 0.05, kappa: 0.01 }, n) * (1 + 0.03 * gaussian(rand)), p99Ms: 1 }));
    const k = findKnee(pts);
    assert.equal(k.usl?.credible, true, k.reason);
    assert.equal(k.method, 'usl');
    const [lo, hi] = k.usl!.nMaxInterval!;
    assert.ok(hi! - lo! >= 0.25 * k.usl!.nMax!, `${lo}..${hi}`);
    assert.equal(k.confidence, 'medium');
  });

  it('a rule knee on three levels has confidence low; on four, medium', () => {
    const three = findKnee([{ load: 1, throughput: 1000, p99Ms: 1 }, { load: 2, throughput: 2000, p99Ms: 1 }, { load: 3, throughput: 2010, p99Ms: 1 }]);
    assert.equal(three.method, 'rule');
    assert.equal(three.load, 2);
    assert.equal(three.confidence, 'low');
    assert.match(three.reason, /marginal efficiency fell to 0\.0100 going from 2 to 3/);
    const four = findKnee([{ load: 1, throughput: 1000, p99Ms: 1 }, { load: 2, throughput: 2000, p99Ms: 1 }, { load: 3, throughput: 2010, p99Ms: 1 }, { load: 4, throughput: 2000, p99Ms: 1 }]);
    assert.equal(four.confidence, 'medium');
  });
});

describe('knee: the rule and its thresholds', () => {
  const base = (p99: number[], counts?: number[]): LoadPoint[] =>
    p99.map((p, i) => ({ load: i + 1, throughput: 1000 * (i + 1), p99Ms: p, ...(counts ? { count: counts[i]! } : {}) }));

  it('p99 over p99Factor × the first step marks the knee at the step before; exactly the factor does not', () => {
    const k = findKnee(base([1, 1.2, 3.01, 3.5]));
    assert.equal(k.load, 2);
    assert.match(k.reason, /p99 rose to 3\.01 ms at 3, over 3x the first step's 1\.00 ms/);
    assert.equal(findKnee(base([1, 1.2, 3, 3])).detected, false);
    assert.equal(findKnee(base([1, 1.2, 3.01, 3.5]), { p99Factor: 4 }).detected, false);
  });
  it('a p99 from fewer than minCallsForP99 calls is not judged, on either side', () => {
    assert.equal(findKnee(base([1, 1.2, 5, 5], [1000, 1000, 199, 199])).detected, false);
    assert.equal(findKnee(base([1, 1.2, 5, 5], [199, 1000, 1000, 1000])).detected, false);
    assert.equal(findKnee(base([1, 1.2, 5, 5], [200, 200, 200, 200])).load, 2);
    assert.equal(findKnee(base([1, 1.2, 5, 5], [100, 100, 100, 100]), { minCallsForP99: 100 }).load, 2);
  });
  it('marginal efficiency under minMarginalEfficiency stops scaling; at it, scaling goes on', () => {
    const pts = (third: number): LoadPoint[] => [{ load: 1, throughput: 1000, p99Ms: 1 }, { load: 2, throughput: 2000, p99Ms: 1 }, { load: 4, throughput: third, p99Ms: 1 }];
    // From 2 to 4 (ΔN/N = 1) at 2200/s: efficiency 0.1, not under 0.1.
    assert.equal(findKnee(pts(2200)).detected, false);
    assert.equal(findKnee(pts(2190)).load, 2);
    assert.equal(findKnee(pts(2190), { minMarginalEfficiency: 0.09 }).detected, false);
  });
  it('achieved under achievedRatio × offered marks an arrival-rate knee; at the ratio it does not; no USL for open loops', () => {
    const open = (achieved3: number): LoadPoint[] => [100, 200, 300].map((r, i) => ({ load: r, offered: r, throughput: i === 2 ? achieved3 : r, p99Ms: 1 }));
    const k = findKnee(open(290));
    assert.equal(k.load, 200);
    assert.equal(k.usl, null);
    assert.match(k.reason, /achieved 290\/s fell short of offered 300\/s/);
    assert.equal(findKnee(open(291)).detected, false);
  });
  it('repeated levels keep the best throughput; fewer than two levels is no knee', () => {
    const k = findKnee([{ load: 1, throughput: 1000, p99Ms: 1 }, { load: 2, throughput: 1010, p99Ms: 1 }, { load: 2, throughput: 1900, p99Ms: 1 }, { load: 3, throughput: 2800, p99Ms: 1 }]);
    assert.equal(k.detected, false, k.reason);
    assert.equal(k.maxThroughput, 2800);
    const one = findKnee([{ load: 2, throughput: 5, p99Ms: 1 }, { load: 2, throughput: 7, p99Ms: 1 }]);
    assert.deepEqual(one, { detected: false, load: null, maxThroughput: 7, method: 'none', confidence: 'low', reason: 'a knee needs at least 2 load levels', usl: null });
  });
});
