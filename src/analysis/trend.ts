import { twoSidedP, normalQuantile } from './normal.js';
import { median } from './random.js';

/** Mann–Kendall trend test with tie correction. */
export function mannKendall(ys: readonly number[]): { s: number; varS: number; z: number; p: number } {
  const n = ys.length;
  let s = 0;
  for (let i = 0; i < n - 1; i++) for (let j = i + 1; j < n; j++) s += Math.sign((ys[j] as number) - (ys[i] as number));
  const counts = new Map<number, number>();
  for (const y of ys) counts.set(y, (counts.get(y) ?? 0) + 1);
  let ties = 0;
  for (const t of counts.values()) ties += t * (t - 1) * (2 * t + 5);
  const varS = (n * (n - 1) * (2 * n + 5) - ties) / 18;
  const z = varS === 0 ? 0 : s > 0 ? (s - 1) / Math.sqrt(varS) : s < 0 ? (s + 1) / Math.sqrt(varS) : 0;
  return { s, varS, z, p: varS === 0 ? 1 : twoSidedP(z) };
}

/** Theil–Sen slope with Sen's confidence interval (from the Mann–Kendall variance). */
export function theilSen(xs: readonly number[], ys: readonly number[], confidence = 0.95): { slope: number; intercept: number; lo: number; hi: number } {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length - 1; i++) {
    for (let j = i + 1; j < xs.length; j++) {
      const dx = (xs[j] as number) - (xs[i] as number);
      if (dx !== 0) slopes.push(((ys[j] as number) - (ys[i] as number)) / dx);
    }
  }
  if (slopes.length === 0) return { slope: 0, intercept: median(ys), lo: 0, hi: 0 };
  slopes.sort((a, b) => a - b);
  const slope = median(slopes);
  const intercept = median(ys.map((y, i) => y - slope * (xs[i] as number)));
  // Sen (1968), eq. 2.6: the variance of S with ties counted in the time axis;
  // the interval's ranks (N ∓ C)/2 rounded, as scipy.stats.theilslopes does.
  const counts = new Map<number, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  let ties = 0;
  for (const t of counts.values()) ties += t * (t - 1) * (2 * t + 5);
  const m = xs.length;
  const varS = (m * (m - 1) * (2 * m + 5) - ties) / 18;
  const c = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(varS);
  const n = slopes.length;
  const lower = Math.max(0, Math.round((n - c) / 2) - 1);
  const upper = Math.min(n - 1, Math.round((n + c) / 2));
  return { slope, intercept, lo: slopes[lower] as number, hi: slopes[upper] as number };
}

export interface TrendOptions {
  /** Share of the series dropped from the start as warm-up. */
  warmupFraction: number;
  /** Points per window; each window keeps its minimum (the floor under GC sawtooth). */
  window: number;
  alpha: number;
  /** Growth over the run must reach this fraction of the floor... */
  minRelGrowth: number;
  /** ...or this absolute amount (in the series' unit). */
  minAbsGrowth: number;
  /** The fewest windows the test will judge. */
  minWindows: number;
}

export const LEAK_DEFAULTS: TrendOptions = { warmupFraction: 0.1, window: 10, alpha: 0.01, minRelGrowth: 0.1, minAbsGrowth: 5 * 1024 * 1024, minWindows: 8 };
export const DRIFT_DEFAULTS: TrendOptions = { warmupFraction: 0.1, window: 10, alpha: 0.01, minRelGrowth: 0.1, minAbsGrowth: Infinity, minWindows: 8 };

export interface TrendVerdict {
  verdict: 'leak' | 'drift' | 'step' | 'none' | 'insufficient-data';
  /** Units per millisecond of the series' time axis. */
  slopePerMs: number;
  slopeInterval: [number, number];
  pValue: number;
  growth: number;
  floor: number;
  windows: number;
  reason: string;
}

/** Window floors: the minimum of each run of `w` points, timed at the window's middle. */
export function windowFloors(ts: readonly number[], ys: readonly number[], w: number): { t: number[]; y: number[] } {
  const t: number[] = [];
  const y: number[] = [];
  for (let i = 0; i + w <= ys.length; i += w) {
    let m = Infinity;
    for (let k = i; k < i + w; k++) m = Math.min(m, ys[k] as number);
    y.push(m);
    t.push(((ts[i] as number) + (ts[i + w - 1] as number)) / 2);
  }
  return { t, y };
}

/** Best single split by least squares of two means; returns the split index and the mean gap. */
function bestStep(ys: readonly number[]): { at: number; gap: number; sseRatio: number } {
  const n = ys.length;
  const mean = ys.reduce((a, b) => a + b, 0) / n;
  const sst = ys.reduce((a, y) => a + (y - mean) ** 2, 0) || 1;
  let best = { at: 0, gap: 0, sseRatio: 1 };
  for (let k = 2; k <= n - 2; k++) {
    const a = ys.slice(0, k);
    const b = ys.slice(k);
    const ma = a.reduce((x, y) => x + y, 0) / a.length;
    const mb = b.reduce((x, y) => x + y, 0) / b.length;
    const sse = a.reduce((x, y) => x + (y - ma) ** 2, 0) + b.reduce((x, y) => x + (y - mb) ** 2, 0);
    if (sse / sst < best.sseRatio) best = { at: k, gap: mb - ma, sseRatio: sse / sst };
  }
  return best;
}

/**
 * Leak (or drift) verdict over a time series: warm-up cut, window floors,
 * Theil–Sen slope with a Mann–Kendall test. A trend is called only when it is
 * significant, its interval excludes zero, the growth is material, and the
 * second half still trends; a one-off jump is reported as a step.
 */
export function trendVerdict(ts: readonly number[], ys: readonly number[], kind: 'leak' | 'drift', options: Partial<TrendOptions> = {}): TrendVerdict {
  const o = { ...(kind === 'leak' ? LEAK_DEFAULTS : DRIFT_DEFAULTS), ...options };
  const cut = Math.floor(ys.length * o.warmupFraction);
  const f = windowFloors(ts.slice(cut), ys.slice(cut), o.window);
  const none = { slopePerMs: 0, slopeInterval: [0, 0] as [number, number], pValue: 1, growth: 0, floor: f.y[0] ?? 0, windows: f.y.length };
  if (f.y.length < o.minWindows) {
    return { ...none, verdict: 'insufficient-data', reason: `${f.y.length} windows of ${o.window} points after the warm-up; need ${o.minWindows}` };
  }
  const mk = mannKendall(f.y);
  const ts2 = theilSen(f.t, f.y);
  const span = (f.t[f.t.length - 1] as number) - (f.t[0] as number);
  const floor = Math.min(...f.y.slice(0, Math.max(1, Math.floor(f.y.length / 4))));
  const growth = ts2.slope * span;
  const material = growth >= Math.min(o.minRelGrowth * Math.abs(floor), o.minAbsGrowth);
  const half = Math.floor(f.y.length / 2);
  const second = mannKendall(f.y.slice(half));
  const secondSlope = theilSen(f.t.slice(half), f.y.slice(half)).slope;
  const base = { slopePerMs: ts2.slope, slopeInterval: [ts2.lo, ts2.hi] as [number, number], pValue: mk.p, growth, floor, windows: f.y.length };
  const significant = mk.p < o.alpha && mk.s > 0 && ts2.lo > 0;
  const step = bestStep(f.y);
  const stepMaterial = step.gap >= Math.min(o.minRelGrowth * Math.abs(floor), o.minAbsGrowth);
  const segmentsFlat = mannKendall(f.y.slice(0, step.at)).p >= o.alpha && mannKendall(f.y.slice(step.at)).p >= o.alpha;
  if (significant && material && second.p < 0.05 && secondSlope > 0) {
    return { ...base, verdict: kind, reason: `rising ${growth.toPrecision(3)} over the run (p=${mk.p.toPrecision(2)}), still rising in the second half` };
  }
  if (stepMaterial && step.sseRatio < 0.5 && segmentsFlat) {
    return { ...base, verdict: 'step', reason: `a one-off step of ${step.gap.toPrecision(3)} at window ${step.at}, flat before and after` };
  }
  return { ...base, verdict: 'none', reason: significant ? (material ? 'the rise stops in the second half' : 'the rise is not material') : `no significant trend (p=${mk.p.toPrecision(2)})` };
}
