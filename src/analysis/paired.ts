/**
 * The statistics of a paired A/B run: a t interval over paired log-ratios,
 * checked repeatedly as the run goes on. Every look uses the level α/K for
 * the K looks the run may take at most (Bonferroni), so the chance that any
 * look's interval misses the true change stays under α however often it is
 * checked: an A/A run is called changed at most α of the time.
 */
import type { ChangeVerdict, Direction } from './compare.js';
import { normalQuantile } from './normal.js';

/** ln Γ(x) (Lanczos, g = 7): enough digits for the incomplete beta below. */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the incomplete beta (Lentz's method). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 / (Math.abs(1 + aa * d) < tiny ? tiny : 1 + aa * d);
    c = Math.abs(1 + aa / c) < tiny ? tiny : 1 + aa / c;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 / (Math.abs(1 + aa * d) < tiny ? tiny : 1 + aa * d);
    c = Math.abs(1 + aa / c) < tiny ? tiny : 1 + aa / c;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return h;
}

/** The regularized incomplete beta I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** Student's t CDF with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Student's t density with `df` degrees of freedom. */
function tPdf(t: number, df: number): number {
  return Math.exp(logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/**
 * Student's t quantile: Newton's method on the CDF from the normal quantile
 * with the first Cornish–Fisher term (a few steps to 1e-10), bisection
 * where Newton would leave the bracket.
 */
export function tQuantile(p: number, df: number): number {
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  const z = normalQuantile(p);
  let lo = 0;
  let hi = Math.max(1, 2 * z);
  for (let i = 0; i < 60 && tCdf(hi, df) < p; i++) hi *= 2;
  let t = Math.min(hi, z + (z ** 3 + z) / (4 * df));
  for (let i = 0; i < 100; i++) {
    const f = tCdf(t, df) - p;
    if (f < 0) lo = t;
    else hi = t;
    const step = f / tPdf(t, df);
    let next = t - step;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - t) < 1e-10 * Math.max(1, t)) return next;
    t = next;
  }
  return t;
}

export interface PairedEstimate {
  /** Pairs the estimate is made of. */
  n: number;
  /** Mean of the paired log-ratios ln(B / A). */
  meanLog: number;
  /** Its standard error. */
  seLog: number;
  /** exp(meanLog) − 1: B's change relative to A. */
  relChange: number;
  /** The interval of relChange at the level asked for. */
  interval: [number, number];
  /** Two-sided p-value of "no change" (t test on the log-ratios). */
  pValue: number;
}

/**
 * The share of pairs trimmed from each end. A call preempted by another
 * thread for a millisecond makes its cycle's ratio an outlier on either
 * side; trimming a fifth each way (Wilcox's usual choice) keeps those from
 * widening the interval, and on an A/A run (a symmetric distribution) still
 * centres on no change.
 */
export const TRIM = 0.2;

/**
 * The paired interval of ln(B / A) values, as a relative change, at level
 * 1 − alpha: Yuen's trimmed mean (the winsorized variance, h − 1 degrees of
 * freedom), the plain t interval when `trim` is 0.
 */
export function pairedEstimate(logRatios: readonly number[], alpha: number, trim = TRIM): PairedEstimate {
  const n = logRatios.length;
  const sorted = [...logRatios].sort((x, y) => x - y);
  const g = Math.floor(trim * n);
  const h = n - 2 * g;
  let mean = 0;
  for (let i = g; i < n - g; i++) mean += sorted[i] as number;
  mean = h > 0 ? mean / h : 0;
  const rel = Math.expm1(mean);
  if (h < 2) return { n, meanLog: mean, seLog: Infinity, relChange: rel, interval: [-Infinity, Infinity], pValue: 1 };
  // Winsorized: the trimmed values replaced by the nearest kept one.
  const lo = sorted[g] as number;
  const hi = sorted[n - g - 1] as number;
  let wm = 0;
  for (const d of sorted) wm += Math.min(hi, Math.max(lo, d));
  wm /= n;
  let ss = 0;
  for (const d of sorted) ss += (Math.min(hi, Math.max(lo, d)) - wm) ** 2;
  const se = Math.sqrt(ss / (n - 1)) / ((h / n) * Math.sqrt(n));
  if (se === 0) return { n, meanLog: mean, seLog: 0, relChange: rel, interval: [rel, rel], pValue: mean === 0 ? 1 : 0 };
  const t = tQuantile(1 - alpha / 2, h - 1);
  const p = 2 * (1 - tCdf(Math.abs(mean / se), h - 1));
  return { n, meanLog: mean, seLog: se, relChange: rel, interval: [Math.expm1(mean - t * se), Math.expm1(mean + t * se)], pValue: Math.min(1, Math.max(0, p)) };
}

/**
 * The verdict of an interval against a noise threshold: regressed or
 * improved only when all of it lies beyond the threshold on that side,
 * unchanged when all of it lies inside, inconclusive when it straddles one.
 */
export function pairedVerdict(interval: readonly [number, number], noise: number, direction: Direction): ChangeVerdict {
  const [lo, hi] = interval;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return 'inconclusive';
  const sign = direction === 'lower-is-better' ? 1 : -1;
  const worse = sign > 0 ? lo > noise : hi < -noise;
  const better = sign > 0 ? hi < -noise : lo > noise;
  if (worse) return 'regressed';
  if (better) return 'improved';
  if (lo >= -noise && hi <= noise) return 'unchanged';
  return 'inconclusive';
}

/** How many looks a step may take: one at its shortest length, then one every `lookMs` until its longest. */
export function maxLooks(minMs: number, maxMs: number, lookMs: number): number {
  return 1 + Math.max(0, Math.ceil((maxMs - minMs) / Math.max(1, lookMs)));
}

/** Fewer pairs than this and no look decides anything. */
export const MIN_PAIRS = 10;

/**
 * The stopping rule: a look ends the step when the interval at level α/K
 * already gives a verdict (all beyond the threshold, or all inside it).
 */
export function lookDecides(logRatios: readonly number[], alpha: number, looks: number, noise: number, direction: Direction): boolean {
  if (logRatios.length < MIN_PAIRS) return false;
  return pairedVerdict(pairedEstimate(logRatios, alpha / looks).interval, noise, direction) !== 'inconclusive';
}
