import { seededRandom } from './random.js';

/**
 * E-divisive change points (Matteson & James 2014, α = 1), the method
 * Hunter/Otava and MongoDB use on performance history: bisect where the
 * energy distance between the two sides peaks, keep the split when a
 * permutation test says it is significant, recurse on both sides.
 */
export interface ChangePointOptions {
  minSegment: number;
  permutations: number;
  alpha: number;
  seed: number;
}

export const CHANGEPOINT_DEFAULTS: ChangePointOptions = { minSegment: 5, permutations: 199, alpha: 0.05, seed: 1 };

export interface ChangePoint {
  /** Index of the first point after the change. */
  index: number;
  pValue: number;
  before: number;
  after: number;
}

/** The best split of xs and its statistic q̂ (scaled energy distance). */
function bestSplit(xs: readonly number[], minSeg: number): { at: number; q: number } {
  const n = xs.length;
  // Prefix sums over the |xi − xj| matrix make each candidate split O(1).
  const P: Float64Array[] = Array.from({ length: n + 1 }, () => new Float64Array(n + 1));
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= n; j++) {
      P[i]![j] = Math.abs((xs[i - 1] as number) - (xs[j - 1] as number)) + P[i - 1]![j]! + P[i]![j - 1]! - P[i - 1]![j - 1]!;
    }
  }
  const block = (a: number, b: number, c: number, d: number): number => P[b]![d]! - P[a]![d]! - P[b]![c]! + P[a]![c]!;
  let best = { at: -1, q: -Infinity };
  for (let t = minSeg; t <= n - minSeg; t++) {
    const m = t;
    const k = n - t;
    const between = block(0, t, t, n) / (m * k);
    const within1 = block(0, t, 0, t) / (m * (m - 1));
    const within2 = block(t, n, t, n) / (k * (k - 1));
    const q = ((m * k) / n) * (2 * between - within1 - within2);
    if (q > best.q) best = { at: t, q };
  }
  return best;
}

export function eDivisive(series: readonly number[], options: Partial<ChangePointOptions> = {}): ChangePoint[] {
  const o = { ...CHANGEPOINT_DEFAULTS, ...options };
  const rand = seededRandom(o.seed);
  const found: ChangePoint[] = [];
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const visit = (lo: number, hi: number): void => {
    const seg = series.slice(lo, hi);
    if (seg.length < 2 * o.minSegment) return;
    const best = bestSplit(seg, o.minSegment);
    if (best.at < 0) return;
    let atLeast = 0;
    const perm = [...seg];
    for (let r = 0; r < o.permutations; r++) {
      for (let i = perm.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [perm[i], perm[j]] = [perm[j] as number, perm[i] as number];
      }
      if (bestSplit(perm, o.minSegment).q >= best.q) atLeast++;
    }
    const p = (atLeast + 1) / (o.permutations + 1);
    if (p > o.alpha) return;
    const at = lo + best.at;
    found.push({ index: at, pValue: p, before: mean(series.slice(lo, at)), after: mean(series.slice(at, hi)) });
    visit(lo, at);
    visit(at, hi);
  };
  visit(0, series.length);
  return found.sort((a, b) => a.index - b.index);
}
