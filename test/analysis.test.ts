import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eDivisive } from '../src/analysis/changepoint.js';
import { compareMetric, mannWhitneyU } from '../src/analysis/compare.js';
import { normalCdf, normalQuantile } from '../src/analysis/normal.js';
import { gaussian, seededRandom } from '../src/analysis/random.js';
import { analyseSpike } from '../src/analysis/spike.js';
import { mannKendall, theilSen, trendVerdict } from '../src/analysis/trend.js';

describe('statistics helpers', () => {
  it('normal CDF and quantile agree with tables', () => {
    assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.005) + 2.5758293) < 1e-5);
  });
  it('Mann–Whitney U: exact p for complete separation of 4 vs 4 is 2/70', () => {
    const r = mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]);
    assert.equal(r.u, 0);
    assert.ok(Math.abs(r.p - 2 / 70) < 1e-12);
    assert.equal(mannWhitneyU([1, 5, 2, 6], [3, 7, 4, 8]).p > 0.3, true);
  });
  it('Theil–Sen ignores an outlier and Mann–Kendall finds a clean trend', () => {
    const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const ys = xs.map((x) => 2 * x + 1);
    ys[4] = 100;
    const t = theilSen(xs, ys);
    assert.equal(t.slope, 2);
    assert.ok(mannKendall(ys).p < 0.01);
  });
});

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
function heapSeries(seed: number, minutes: number, perMinute: (tMin: number) => number): { t: number[]; y: number[] } {
  const rand = seededRandom(seed);
  const t: number[] = [];
  const y: number[] = [];
  const MB = 1024 * 1024;
  for (let s = 0; s < minutes * 6; s++) {
    const tMin = s / 6;
    const sawtooth = ((s % 9) / 9) * 8 * MB; // garbage builds up, GC drops it
    const gcSpike = rand() < 0.03 ? 15 * MB * rand() : 0;
    t.push(tMin * 60_000);
    y.push(40 * MB + perMinute(tMin) + sawtooth + gcSpike + 0.3 * MB * gaussian(rand));
  }
  return { t, y };
}

describe('leak and drift verdicts on synthetic series', () => {
  const MB = 1024 * 1024;
  it('a steady 0.2 MB/min rise under noise and GC spikes is a leak', () => {
    let leaks = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const s = heapSeries(seed, 60, (m) => 0.2 * MB * m);
      if (trendVerdict(s.t, s.y, 'leak').verdict === 'leak') leaks++;
    }
    assert.ok(leaks >= 48, `${leaks} of 50`);
  });
  it('a flat series is a leak in at most 2% of seeds', () => {
    let leaks = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const s = heapSeries(seed, 60, () => 0);
      if (trendVerdict(s.t, s.y, 'leak').verdict === 'leak') leaks++;
    }
    assert.ok(leaks <= 2, `${leaks} of 100`);
  });
  it('a single step is a step, not a leak', () => {
    let steps = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const s = heapSeries(seed, 60, (m) => (m > 30 ? 12 * MB : 0));
      const v = trendVerdict(s.t, s.y, 'leak');
      assert.notEqual(v.verdict, 'leak', `seed ${seed}: ${v.reason}`);
      if (v.verdict === 'step') steps++;
    }
    assert.ok(steps >= 18, `${steps} of 20 called a step`);
  });
  it('a large sawtooth is not a leak', () => {
    const t: number[] = [];
    const y: number[] = [];
    for (let s = 0; s < 360; s++) {
      t.push(s * 10_000);
      y.push(40 * MB + ((s % 30) / 30) * 60 * MB);
    }
    assert.equal(trendVerdict(t, y, 'leak').verdict, 'none');
  });
  it('short series are judged insufficient, and thresholds are configurable for short tests', () => {
    const s = heapSeries(1, 2, (m) => 0.2 * MB * m);
    assert.equal(trendVerdict(s.t, s.y, 'leak').verdict, 'insufficient-data');
    const fast = heapSeries(2, 10, (m) => 3 * MB * m);
    assert.equal(trendVerdict(fast.t, fast.y, 'leak', { window: 3, minWindows: 6 }).verdict, 'leak');
  });
  it('latency drift: p99 creeping up is drift, flat p99 is not', () => {
    const rand = seededRandom(4);
    const t = Array.from({ length: 200 }, (_, i) => i * 1000);
    const flat = t.map(() => 5 + 0.2 * gaussian(rand));
    const creeping = t.map((_, i) => 5 + i * 0.02 + 0.2 * gaussian(rand));
    assert.equal(trendVerdict(t, creeping, 'drift', { window: 5 }).verdict, 'drift');
    assert.equal(trendVerdict(t, flat, 'drift', { window: 5 }).verdict, 'none');
  });
});

describe('history change points (E-divisive)', () => {
  it('40 runs around 100 then 20 around 110: one change point at 40 (±1)', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const rand = seededRandom(seed);
      const xs = [...Array.from({ length: 40 }, () => 100 + 2 * gaussian(rand)), ...Array.from({ length: 20 }, () => 110 + 2 * gaussian(rand))];
      const cps = eDivisive(xs, { seed });
      assert.equal(cps.length, 1, JSON.stringify(cps));
      assert.ok(Math.abs(cps[0]!.index - 40) <= 1, `at ${cps[0]!.index}`);
      assert.ok(cps[0]!.after > cps[0]!.before);
    }
  });
  it('60 flat runs: none', () => {
    let found = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const rand = seededRandom(100 + seed);
      found += eDivisive(Array.from({ length: 60 }, () => 100 + 2 * gaussian(rand)), { seed }).length;
    }
    assert.ok(found <= 1, `${found} false change points over 10 flat series`);
  });
});

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
