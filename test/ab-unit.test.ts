import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussian, seededRandom } from '../src/analysis/random.js';
import { DEFAULT_PAIRED_NOISE, pairedMetric, stepDecided, type PairedSettings } from '../src/ab/judge.js';
import { stepPairs } from '../src/ab/pairs.js';
import { logGamma, lookDecides, maxLooks, MIN_PAIRS, pairedEstimate, pairedVerdict, tCdf, tQuantile } from '../src/analysis/paired.js';
import { orderOf, PairedBlocks } from '../workers/paired.js';

describe('Student t', () => {
  it('quantiles match the published table', () => {
    // (p, df, t) from any t table.
    for (const [p, df, t] of [[0.975, 1, 12.706], [0.975, 10, 2.228], [0.995, 30, 2.75], [0.975, 1000, 1.962], [0.9995, 5, 6.869], [0.9, 3, 1.638], [0.9995, 40, 3.551]] as const) {
      assert.ok(Math.abs(tQuantile(p, df) - t) < 0.001 * t, `t(${p}, ${df}) = ${tQuantile(p, df)}, table ${t}`);
      assert.ok(Math.abs(tCdf(tQuantile(p, df), df) - p) < 1e-9, 'the quantile inverts the CDF');
    }
    assert.ok(Math.abs(tCdf(0, 7) - 0.5) < 1e-12);
    assert.ok(Math.abs(tCdf(-2.228, 10) - 0.025) < 1e-4);
    assert.ok(Math.abs(tCdf(1.96, 1e6) - 0.975) < 1e-4, 'many degrees of freedom: the normal');
    assert.equal(tQuantile(0.5, 3), 0);
    assert.ok(Math.abs(tQuantile(0.025, 10) + 2.228) < 0.005);
  });
});

describe('the functions under the t distribution (reference values from SciPy)', () => {
  it('ln Γ, on both sides of the reflection at 1/2', () => {
    for (const [x, v] of [[0.25, 1.2880225246980772], [0.5, 0.5723649429247004], [1, 0], [5, 3.178053830347945], [0.1, 2.252712651734206]] as const) {
      assert.ok(Math.abs(logGamma(x) - v) < 1e-12, `ln Γ(${x}) = ${logGamma(x)}, expected ${v}`);
    }
  });

  it('the CDF where the incomplete beta takes either branch of its continued fraction', () => {
    for (const [t, df, v] of [[0.5, 10, 0.6860531971285135], [0.1, 3, 0.5366738255995971], [3, 2, 0.9522670168666454], [-3, 2, 1 - 0.9522670168666454]] as const) {
      assert.ok(Math.abs(tCdf(t, df) - v) < 1e-10, `T${df}(${t}) = ${tCdf(t, df)}, expected ${v}`);
    }
    assert.equal(tCdf(Infinity, 5), 1);
    assert.equal(tCdf(0, 5), 0.5);
  });

  it('the plain and the trimmed interval and p-value, by hand', () => {
    // 1..5, untrimmed: mean 3, se √2.5/√5, t(0.975, 4) = 2.7764451; p of t = 4.2426 with 4 df.
    const plain = pairedEstimate([5, 3, 1, 4, 2], 0.05, 0);
    const half = 2.7764451051977934 * Math.sqrt(2.5 / 5);
    assert.ok(Math.abs(plain.meanLog - 3) < 1e-12);
    assert.ok(Math.abs(plain.seLog - Math.sqrt(0.5)) < 1e-12);
    assert.ok(Math.abs(plain.interval[0] - Math.expm1(3 - half)) < 1e-8 && Math.abs(plain.interval[1] - Math.expm1(3 + half)) < 1e-6, `${plain.interval}`);
    assert.ok(Math.abs(plain.pValue - 0.013235599564943766) < 1e-9, `p ${plain.pValue}`);
    // 1..10 trimmed 20%: mean of 3..8, winsorized sd over 0.6 √10, 5 df.
    const trimmed = pairedEstimate([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 0.05, 0.2);
    assert.ok(Math.abs(trimmed.meanLog - 5.5) < 1e-12);
    assert.ok(Math.abs(trimmed.seLog - 1.145307118227128) < 1e-12);
    assert.ok(Math.abs(Math.log1p(trimmed.interval[0]) - 2.555894325660372) < 1e-8 && Math.abs(Math.log1p(trimmed.interval[1]) - 8.444105674339628) < 1e-8, `${trimmed.interval}`);
    assert.ok(Math.abs(trimmed.pValue - 0.004874169909084174) < 1e-9, `p ${trimmed.pValue}`);
  });

  it('degenerate samples: none, one, all alike', () => {
    const none = pairedEstimate([], 0.05);
    assert.deepEqual([none.relChange, none.pValue, none.interval], [0, 1, [-Infinity, Infinity]]);
    const one = pairedEstimate([0.1], 0.05);
    assert.ok(Math.abs(one.relChange - Math.expm1(0.1)) < 1e-12);
    assert.deepEqual([one.pValue, one.interval, one.seLog], [1, [-Infinity, Infinity], Infinity]);
    // A binary fraction, so that the sums are exact and the spread is exactly none.
    const alike = pairedEstimate(Array(20).fill(0.25), 0.05);
    assert.deepEqual([alike.seLog, alike.pValue, alike.interval], [0, 0, [Math.expm1(0.25), Math.expm1(0.25)]]);
    const zeros = pairedEstimate(Array(20).fill(0), 0.05);
    assert.deepEqual([zeros.pValue, zeros.interval], [1, [0, 0]]);
  });
});

describe('paired estimate and verdict', () => {
  it('the verdict at its boundaries: beyond means beyond, inside includes the edge', () => {
    const lower = (iv: [number, number]): string => pairedVerdict(iv, 0.01, 'lower-is-better');
    const higher = (iv: [number, number]): string => pairedVerdict(iv, 0.01, 'higher-is-better');
    assert.equal(lower([0.01, 0.02]), 'inconclusive');
    assert.equal(lower([0.0101, 0.02]), 'regressed');
    assert.equal(lower([-0.02, -0.01]), 'inconclusive');
    assert.equal(lower([-0.02, -0.0101]), 'improved');
    assert.equal(higher([-0.02, -0.01]), 'inconclusive');
    assert.equal(higher([-0.02, -0.0101]), 'regressed');
    assert.equal(higher([0.01, 0.02]), 'inconclusive');
    assert.equal(higher([0.0101, 0.02]), 'improved');
    assert.equal(lower([-0.01, 0.01]), 'unchanged');
    assert.equal(lower([-0.0101, 0.01]), 'inconclusive');
    assert.equal(lower([-0.01, 0.0101]), 'inconclusive');
    assert.equal(lower([0.5, Infinity]), 'inconclusive', 'an unbounded interval decides nothing');
    assert.equal(lower([-Infinity, -0.5]), 'inconclusive');
  });

  it('a look decides from exactly the minimum of pairs on', () => {
    const clear = (n: number): number[] => Array.from({ length: n }, (_, i) => 0.2 + 0.001 * (i % 3));
    assert.equal(lookDecides(clear(MIN_PAIRS), 0.05, 1, 0.01, 'lower-is-better'), true);
    assert.equal(lookDecides(clear(MIN_PAIRS - 1), 0.05, 1, 0.01, 'lower-is-better'), false);
    assert.equal(tQuantile(0.5, 7), 0);
  });

  it('a known shift: the interval holds it and the verdict follows the threshold', () => {
    const rand = seededRandom(3);
    const ds = Array.from({ length: 200 }, () => Math.log(1.03) + 0.01 * gaussian(rand));
    const e = pairedEstimate(ds, 0.05);
    assert.ok(e.interval[0] < 0.03 && e.interval[1] > 0.03, `interval ${e.interval}`);
    assert.ok(Math.abs(e.relChange - 0.03) < 0.003);
    assert.equal(pairedVerdict(e.interval, 0.01, 'lower-is-better'), 'regressed');
    assert.equal(pairedVerdict(e.interval, 0.01, 'higher-is-better'), 'improved');
    assert.equal(pairedVerdict(e.interval, 0.05, 'lower-is-better'), 'unchanged');
    assert.equal(pairedVerdict([0.005, 0.02], 0.01, 'lower-is-better'), 'inconclusive');
    assert.equal(pairedVerdict([-Infinity, Infinity], 0.01, 'lower-is-better'), 'inconclusive');
  });

  it('outliers on either side (a preempted call) do not move the trimmed estimate or blow up its interval', () => {
    const rand = seededRandom(5);
    const clean = Array.from({ length: 300 }, () => 0.002 * gaussian(rand));
    const dirty = clean.map((d, i) => (i % 17 === 0 ? d + (i % 2 ? 0.5 : -0.5) : d));
    const a = pairedEstimate(clean, 0.05);
    const b = pairedEstimate(dirty, 0.05);
    const plain = pairedEstimate(dirty, 0.05, 0);
    assert.ok(b.interval[1] - b.interval[0] < 2 * (a.interval[1] - a.interval[0]), `${b.interval} against ${a.interval}`);
    assert.ok(plain.interval[1] - plain.interval[0] > 5 * (b.interval[1] - b.interval[0]), 'the plain mean is the one the outliers widen');
  });

  it('too few pairs give no verdict, and say how many there were', () => {
    const m = pairedMetric('mean', 'mean', 'lower-is-better', [0.1, 0.1, 0.1], [1, 1.1], 0.01, 0.05, 1);
    assert.equal(m.verdict, 'inconclusive');
    assert.match(m.reason, /only 3 paired cycles/);
  });
});

/** A simulated paired run: looks every `per` pairs, at most `looks` looks, each at α / alphaLooks; the verdict at its stop. */
function simulate(seed: number, shift: number, looks: number, per: number, alphaLooks: number, noise: number): string {
  const rand = seededRandom(seed);
  const ds: number[] = [];
  for (let k = 1; k <= looks; k++) {
    for (let i = 0; i < per; i++) {
      // Heavy-tailed noise: mostly 2%, now and then a preempted block of 30%.
      const tail = rand() < 0.05 ? 0.3 * gaussian(rand) : 0;
      ds.push(shift + 0.02 * gaussian(rand) + tail);
    }
    if (lookDecides(ds, 0.05, alphaLooks, noise, 'lower-is-better') || k === looks) {
      return pairedVerdict(pairedEstimate(ds, 0.05 / alphaLooks).interval, noise, 'lower-is-better');
    }
  }
  return 'inconclusive';
}

describe('the stopping rule', () => {
  it('checked at each of 20 looks, an A/A run is called changed at most α of the time (600 simulated runs, no noise margin); without the correction for looks, far more often', () => {
    const alarms = (alphaLooks: number): number => {
      let n = 0;
      for (let seed = 1; seed <= 600; seed++) {
        const v = simulate(seed, 0, 20, 10, alphaLooks, 0);
        if (v === 'regressed' || v === 'improved') n++;
      }
      return n / 600;
    };
    const corrected = alarms(20);
    const naive = alarms(1);
    assert.ok(corrected <= 0.05, `false alarms with the correction: ${corrected}`);
    assert.ok(naive > 0.1, `each look at the nominal level: ${naive} (the correction is what keeps the rate)`);
  });

  it('a true 3% change is found in nearly every run, and early', () => {
    let found = 0;
    for (let seed = 1; seed <= 100; seed++) if (simulate(seed, Math.log(1.03), 20, 10, 20, 0.01) === 'regressed') found++;
    assert.ok(found >= 95, `found ${found}/100`);
  });

  it('the most looks a step may take: one at its shortest length, then one per look period', () => {
    assert.equal(maxLooks(3000, 3000, 1000), 1);
    assert.equal(maxLooks(3000, 30_000, 1000), 28);
    assert.equal(maxLooks(3000, 3500, 1000), 2);
    assert.equal(lookDecides(Array(MIN_PAIRS - 1).fill(0), 0.05, 1, 0.01, 'lower-is-better'), false, 'never on fewer pairs than the minimum');
  });
});

describe('pairs from cycles', () => {
  it('groups the workers\' blocks by cycle and keeps each side\'s totals', () => {
    // Two workers, three cycles; B is 10% slower per call in every cycle, and makes 10% fewer calls.
    const cycles = [
      0, 10, 100, 11, 90,
      0, 20, 100, 22, 90,
      1, 10, 100, 11, 90,
      2, 10, 100, 11, 90,
      2, 0, 0, 5, 10, // a worker with no A calls in this cycle: not a pair
    ];
    const p = stepPairs(cycles, [1000, 1100, 2000, 2000, 50, 50, 1000, 1000, 2000, 2000, 10, 10]);
    assert.equal(p.cycles, 3);
    // (11/90) / (10/100) = 1.2222: B's mean call against A's.
    for (const d of p.mean) assert.ok(Math.abs(d - Math.log((11 / 90) / (10 / 100))) < 1e-12);
    for (const d of p.throughput) assert.ok(Math.abs(d - Math.log(0.9)) < 1e-12);
    assert.equal(p.callsA, 400);
    assert.equal(p.msB, 55);
    // The second snapshot has too few calls per side for a p50 pair.
    assert.deepEqual(p.p50, [Math.log(1.1)]);
    assert.deepEqual(p.p99, [], 'p99 needs 200 calls a side');
  });

  it('a step decides once mean, throughput and (where they have pairs) p50 and p99 all do', () => {
    const settings: PairedSettings = { blockMs: 25, maxStepMs: 30_000, alpha: 0.05, noise: DEFAULT_PAIRED_NOISE };
    const rand = seededRandom(9);
    const flat = (n: number, s: number): number[] => Array.from({ length: n }, () => s + 0.001 * gaussian(rand));
    const base = { msA: 1, callsA: 1, msB: 1, callsB: 1, cycles: 40, p99: [] };
    assert.equal(stepDecided({ ...base, mean: flat(40, 0), throughput: flat(40, 0), p50: [] }, settings, 5), true);
    assert.equal(stepDecided({ ...base, mean: flat(40, 0), throughput: flat(40, Math.log(0.98)), p50: [] }, settings, 5), false, 'throughput at the threshold holds the step');
    assert.equal(stepDecided({ ...base, mean: flat(40, 0), throughput: flat(40, 0), p50: [], p99: flat(40, Math.log(1.05)) }, settings, 5), false, 'so does p99, where it has pairs');
    assert.equal(stepDecided({ ...base, mean: flat(40, 0), throughput: flat(40, 0), p50: [], p99: flat(5, 0.05) }, settings, 5), true, 'and not where it has too few');
    assert.equal(stepDecided({ ...base, mean: flat(40, 0), throughput: flat(40, 0), p50: flat(40, Math.log(1.02)) }, settings, 5), false, 'p50 at its threshold holds it');
    assert.equal(stepDecided({ ...base, mean: flat(40, 0.05), throughput: flat(40, -0.05), p50: flat(40, 0.05) }, settings, 5), true, 'a clear regression decides too');
  });
});

describe('A B B A blocks in the worker', () => {
  it('sides follow the drawn order per cycle, the same for every worker, and both orders are drawn as often', () => {
    const a = new PairedBlocks(10, 0);
    const b = new PairedBlocks(10, 0);
    a.begin(0, 0);
    b.begin(0, 0);
    let ones = 0;
    for (let c = 0; c < 1000; c++) {
      const seq = [0, 1, 2, 3].map((k) => a.side(c * 40 + k * 10 + 1));
      const order = orderOf(c);
      assert.deepEqual(seq, order === 0 ? [0, 1, 1, 0] : [1, 0, 0, 1]);
      assert.deepEqual([0, 1, 2, 3].map((k) => b.side(c * 40 + k * 10 + 5)), seq, 'another worker, another moment in the same blocks');
      ones += order;
    }
    assert.ok(ones > 450 && ones < 550, `order B A A B drawn ${ones}/1000 times`);
  });

  it('keeps complete cycles after the warm-up that hold both sides; drops the one in progress at the end', () => {
    const p = new PairedBlocks(10, 0);
    p.begin(0, 35); // warm-up until 35 ms: cycle 0 (0-40 ms) started inside it
    for (let t = 0; t < 130; t += 2) {
      const k = p.side(t);
      p.add(k, 1);
    }
    p.drop();
    const out = Array.from(p.take());
    // Cycles 1 (40-80) and 2 (80-120) are complete; cycle 3 (120-) was in progress.
    assert.deepEqual(out.filter((_, i) => i % 5 === 0), [1, 2]);
    assert.deepEqual(out.slice(0, 5), [1, 10, 10, 10, 10]);
    assert.equal(p.take().length, 0, 'taken once');
  });
});
