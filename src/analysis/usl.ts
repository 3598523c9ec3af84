import { quantileSorted, seededRandom } from './random.js';

/**
 * Universal Scalability Law: X(N) = λN / (1 + σ(N−1) + κN(N−1)).
 * Fitted by bounded Levenberg–Marquardt (σ, κ in [0, 1], λ > 0) from seeds
 * that include the quadratic linearisation N/X = a + bN + cN².
 */
export interface UslParams {
  lambda: number;
  sigma: number;
  kappa: number;
}

export interface UslFit extends UslParams {
  r2: number;
  sse: number;
  /** Where throughput peaks: √((1−σ)/κ); null when κ = 0 (no peak). */
  nMax: number | null;
  /** 1/σ; null when σ = 0. */
  nOpt: number | null;
}

export function uslThroughput(p: UslParams, n: number): number {
  return (p.lambda * n) / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

function sse(p: UslParams, ns: readonly number[], xs: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < ns.length; i++) {
    const r = (xs[i] as number) - uslThroughput(p, ns[i] as number);
    s += r * r;
  }
  return s;
}

/** Solve a 3×3 system by Gaussian elimination with partial pivoting. */
function solve3(a: number[][], b: number[]): number[] | undefined {
  const m = a.map((row, i) => [...row, b[i] as number]);
  for (let c = 0; c < 3; c++) {
    let piv = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    if (Math.abs(m[piv]![c]!) < 1e-300) return undefined;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k < 4; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return [0, 1, 2].map((i) => m[i]![3]! / m[i]![i]!);
}

/** Seed from least squares of N/X = a + bN + cN²: λ = 1/(a+b+c), κ = cλ, σ = 1 − aλ. */
export function quadraticSeed(ns: readonly number[], xs: readonly number[]): UslParams {
  const ata = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const aty = [0, 0, 0];
  for (let i = 0; i < ns.length; i++) {
    const n = ns[i] as number;
    const y = n / (xs[i] as number);
    const row = [1, n, n * n];
    for (let r = 0; r < 3; r++) {
      aty[r]! += row[r]! * y;
      for (let c = 0; c < 3; c++) ata[r]![c]! += row[r]! * row[c]!;
    }
  }
  const coef = solve3(ata, aty);
  const x1 = (xs[0] as number) / (ns[0] as number);
  if (!coef) return { lambda: x1, sigma: 0.05, kappa: 0.001 };
  const [a, b, c] = coef as [number, number, number];
  const lambda = 1 / (a + b + c);
  if (!(lambda > 0) || !Number.isFinite(lambda)) return { lambda: x1, sigma: 0.05, kappa: 0.001 };
  return { lambda, sigma: clamp(1 - a * lambda, 0, 1), kappa: clamp(c * lambda, 0, 1) };
}

function levenbergMarquardt(start: UslParams, ns: readonly number[], xs: readonly number[]): UslParams {
  let p = { ...start };
  let err = sse(p, ns, xs);
  let mu = 1e-3;
  for (let iter = 0; iter < 500; iter++) {
    const jtj = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    const jtr = [0, 0, 0];
    for (let i = 0; i < ns.length; i++) {
      const n = ns[i] as number;
      const d = 1 + p.sigma * (n - 1) + p.kappa * n * (n - 1);
      const f = (p.lambda * n) / d;
      const r = (xs[i] as number) - f;
      const g = [n / d, (-p.lambda * n * (n - 1)) / (d * d), (-p.lambda * n * n * (n - 1)) / (d * d)];
      for (let a = 0; a < 3; a++) {
        jtr[a]! += g[a]! * r;
        for (let b = 0; b < 3; b++) jtj[a]![b]! += g[a]! * g[b]!;
      }
    }
    let improved = false;
    while (mu < 1e12) {
      const damped = jtj.map((row, a) => row.map((v, b) => (a === b ? v + mu * (v || 1e-12) : v)));
      const delta = solve3(damped, jtr);
      if (!delta) {
        mu *= 10;
        continue;
      }
      const q = {
        lambda: Math.max(1e-12, p.lambda + delta[0]!),
        sigma: clamp(p.sigma + delta[1]!, 0, 1),
        kappa: clamp(p.kappa + delta[2]!, 0, 1),
      };
      const e = sse(q, ns, xs);
      if (e < err) {
        const rel = (err - e) / (err || 1);
        p = q;
        err = e;
        mu = Math.max(mu / 10, 1e-12);
        improved = rel > 1e-12;
        break;
      }
      mu *= 10;
    }
    if (!improved) break;
  }
  return p;
}

/**
 * Least-squares USL fit. Without `near`, from the quadratic seed and a grid of
 * twelve starts; with it (a bootstrap refit of data close to a fitted curve),
 * from the seed and that fit only.
 */
export function fitUsl(ns: readonly number[], xs: readonly number[], near?: UslParams): UslFit {
  if (ns.length !== xs.length || ns.length < 3) throw new Error('fitUsl needs at least 3 (N, X) pairs of equal length');
  const seed = quadraticSeed(ns, xs);
  const x1 = (xs[0] as number) / (ns[0] as number);
  const starts: UslParams[] = [seed];
  if (near) starts.push({ lambda: near.lambda, sigma: near.sigma, kappa: near.kappa });
  else for (const sigma of [0, 0.02, 0.1, 0.4]) for (const kappa of [0, 1e-4, 1e-2]) starts.push({ lambda: x1, sigma, kappa });
  let best: UslParams = seed;
  let bestErr = Infinity;
  for (const s of starts) {
    const p = levenbergMarquardt(s, ns, xs);
    const e = sse(p, ns, xs);
    if (e < bestErr) [best, bestErr] = [p, e];
  }
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sst = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return {
    ...best,
    sse: bestErr,
    r2: sst === 0 ? (bestErr === 0 ? 1 : 0) : 1 - bestErr / sst,
    nMax: best.kappa > 1e-9 ? Math.sqrt((1 - best.sigma) / best.kappa) : null,
    nOpt: best.sigma > 1e-9 ? 1 / best.sigma : null,
  };
}

export interface UslBootstrap {
  sigma: [number, number];
  kappa: [number, number];
  /** Infinity at an end means some resamples had no peak. */
  nMax: [number, number];
}

/** Residual bootstrap: refit on fitted × (1 + a resampled relative residual); 95% percentile intervals. */
export function bootstrapUsl(ns: readonly number[], xs: readonly number[], fit: UslFit, resamples = 300, seed = 1): UslBootstrap {
  const rand = seededRandom(seed);
  const fitted = ns.map((n) => uslThroughput(fit, n));
  // Throughput noise is relative (a step's rate varies by a fraction of
  // itself), and the fitted residuals understate it (three parameters were
  // fitted to them): resample relative residuals, centred and inflated by
  // √(n/(n−3)).
  const raw = xs.map((x, i) => x / (fitted[i] as number) - 1);
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  const inflate = ns.length > 3 ? Math.sqrt(ns.length / (ns.length - 3)) : 1;
  const resid = raw.map((r) => (r - mean) * inflate);
  const sig: number[] = [];
  const kap: number[] = [];
  const nmax: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const ys = fitted.map((f) => Math.max(1e-12, f * (1 + (resid[Math.floor(rand() * resid.length)] as number))));
    const f = fitUsl(ns, ys, fit);
    sig.push(f.sigma);
    kap.push(f.kappa);
    nmax.push(f.nMax ?? Infinity);
  }
  const ci = (v: number[]): [number, number] => {
    v.sort((a, b) => a - b);
    return [quantileSorted(v, 0.025), quantileSorted(v, 0.975)];
  };
  return { sigma: ci(sig), kappa: ci(kap), nMax: ci(nmax) };
}
