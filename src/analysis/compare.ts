import { twoSidedP } from './normal.js';
import { median, quantileSorted, seededRandom } from './random.js';

/**
 * Baseline comparison. The unit is the run: each run contributes one value
 * per metric (latencies within a run are correlated, runs are not).
 */
export type Direction = 'lower-is-better' | 'higher-is-better';
export type ChangeVerdict = 'regressed' | 'improved' | 'unchanged' | 'inconclusive';

export interface MetricComparison {
  metric: string;
  direction: Direction;
  baseMedian: number;
  currentMedian: number;
  /** (current − base) / base of the medians. */
  relChange: number;
  /** Bootstrap 95% interval of relChange. */
  interval: [number, number];
  pValue: number;
  /** Relative change inside which a difference is noise. */
  noise: number;
  verdict: ChangeVerdict;
  reason: string;
}

/**
 * Mann–Whitney U two-sided p-value: exact (by counting) when there are no
 * ties and the samples are small, else the normal approximation with tie
 * correction and continuity correction.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): { u: number; p: number } {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, p: 1 };
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[k] = r;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  let r1 = 0;
  all.forEach((x, i) => {
    if (x.g === 0) r1 += ranks[i]!;
  });
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u = Math.min(u1, n1 * n2 - u1);
  if (tieTerm === 0 && n1 + n2 <= 40) {
    // counts[k] = ways to get U = k, by the recurrence f(n1, n2, k) = f(n1−1, n2, k−n2) + f(n1, n2−1, k).
    const maxU = n1 * n2;
    let prev: number[][] = Array.from({ length: n2 + 1 }, () => [1]);
    for (let i = 1; i <= n1; i++) {
      const cur: number[][] = [];
      for (let j = 0; j <= n2; j++) {
        const row = new Array<number>(i * j + 1).fill(0);
        const left = j > 0 ? cur[j - 1]! : undefined;
        const up = prev[j]!;
        for (let k = 0; k <= i * j; k++) row[k] = (left?.[k] ?? 0) + (k - j >= 0 ? up[k - j] ?? 0 : 0);
        cur.push(row);
      }
      prev = cur;
    }
    const counts = prev[n2]!;
    const total = counts.reduce((x, y) => x + y, 0);
    let tail = 0;
    for (let k = 0; k <= Math.floor(u) && k <= maxU; k++) tail += counts[k]!;
    return { u, p: Math.min(1, (2 * tail) / total) };
  }
  const n = n1 + n2;
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sigma === 0) return { u, p: 1 };
  return { u, p: twoSidedP((Math.abs(u - mu) - 0.5) / sigma) };
}

/** Percentile bootstrap interval of the relative change of medians. */
export function bootstrapRelChange(base: readonly number[], cur: readonly number[], resamples = 2000, seed = 1): [number, number] {
  const rand = seededRandom(seed);
  const pick = (xs: readonly number[]): number[] => xs.map(() => xs[Math.floor(rand() * xs.length)] as number);
  const out: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const mb = median(pick(base));
    out.push((median(pick(cur)) - mb) / mb);
  }
  out.sort((a, b) => a - b);
  return [quantileSorted(out, 0.025), quantileSorted(out, 0.975)];
}

export interface CompareOptions {
  /** Fewer runs than this on either side: inconclusive. */
  minRuns: number;
  alpha: number;
  resamples: number;
  seed: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { minRuns: 4, alpha: 0.05, resamples: 2000, seed: 1 };

export function compareMetric(
  metric: string,
  base: readonly number[],
  cur: readonly number[],
  direction: Direction,
  noise: number,
  options: Partial<CompareOptions> = {},
): MetricComparison {
  const o = { ...DEFAULT_COMPARE_OPTIONS, ...options };
  const baseMedian = median(base);
  const currentMedian = median(cur);
  const relChange = baseMedian === 0 ? 0 : (currentMedian - baseMedian) / baseMedian;
  const common = { metric, direction, baseMedian, currentMedian, relChange, noise };
  if (base.length < o.minRuns || cur.length < o.minRuns || baseMedian === 0) {
    return {
      ...common, interval: [relChange, relChange], pValue: 1, verdict: 'inconclusive',
      reason: `need at least ${o.minRuns} runs on each side (have ${base.length} and ${cur.length})`,
    };
  }
  const interval = bootstrapRelChange(base, cur, o.resamples, o.seed);
  const { p } = mannWhitneyU(base, cur);
  // Worse means up for latency, down for throughput.
  const sign = direction === 'lower-is-better' ? 1 : -1;
  const [lo, hi] = interval;
  const worseAll = sign > 0 ? lo > noise : hi < -noise;
  const betterAll = sign > 0 ? hi < -noise : lo > noise;
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const desc = `median ${pct(relChange)} (95% CI ${pct(lo)}..${pct(hi)}), p=${p.toPrecision(2)}, noise ±${pct(noise)}`;
  if (p < o.alpha && worseAll) return { ...common, interval, pValue: p, verdict: 'regressed', reason: desc };
  if (p < o.alpha && betterAll) return { ...common, interval, pValue: p, verdict: 'improved', reason: desc };
  return { ...common, interval, pValue: p, verdict: 'unchanged', reason: desc };
}
