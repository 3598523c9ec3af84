import { bootstrapUsl, fitUsl, type UslFit } from './usl.js';

/** One measured load level (steady state). */
export interface LoadPoint {
  /** Concurrency (closed loop) or offered rate (open loop). */
  load: number;
  throughput: number;
  p99Ms: number;
  /** Carried along for charts; the knee does not use it. */
  p50Ms?: number;
  /** Offered rate, for arrival-rate steps. */
  offered?: number;
  /** Successful calls behind p99Ms; under `minCallsForP99` its p99 is a sample's top few values, not a percentile. */
  count?: number;
}

export interface KneeOptions {
  minStepsForFit: number;
  minR2: number;
  /** Largest relative residual a credible fit may leave. */
  maxRelResidual: number;
  /** N_max interval wider than this fraction of N_max is not credible. */
  maxRelInterval: number;
  /** Marginal efficiency (ΔX/X)/(ΔN/N) under which scaling has stopped. */
  minMarginalEfficiency: number;
  /** p99 above this multiple of the first step's has left its floor. */
  p99Factor: number;
  /** A step's p99 is judged only from this many calls (and the first step's too). */
  minCallsForP99: number;
  /** Achieved below this fraction of offered is falling short. */
  achievedRatio: number;
  /** N_max beyond this multiple of the largest tested load makes the fit not credible (beyond 1× it is a prediction). */
  extrapolationFactor: number;
  bootstrapResamples: number;
  seed: number;
}

export const DEFAULT_KNEE_OPTIONS: KneeOptions = {
  minStepsForFit: 6,
  minR2: 0.95,
  maxRelResidual: 0.1,
  maxRelInterval: 1,
  minMarginalEfficiency: 0.1,
  p99Factor: 3,
  minCallsForP99: 200,
  achievedRatio: 0.97,
  extrapolationFactor: 2,
  bootstrapResamples: 200,
  seed: 1,
};

export interface UslReport {
  sigma: number;
  kappa: number;
  lambda: number;
  nMax: number | null;
  nOpt: number | null;
  r2: number;
  credible: boolean;
  extrapolated: boolean;
  nMaxInterval: number[] | null;
  sigmaInterval: number[] | null;
  kappaInterval: number[] | null;
}

export interface Knee {
  detected: boolean;
  load: number | null;
  maxThroughput: number;
  method: 'usl' | 'rule' | 'none';
  confidence: 'high' | 'medium' | 'low';
  reason: string;
  usl: UslReport | null;
}

const fmt = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));

/**
 * The first level where scaling stops: marginal efficiency under the floor,
 * p99 leaving its floor, or achieved short of offered. The knee is the level
 * before it.
 */
export function ruleKnee(
  points: readonly LoadPoint[],
  o: KneeOptions = DEFAULT_KNEE_OPTIONS,
  { efficiency = true }: { efficiency?: boolean } = {},
): { index: number; reason: string } | undefined {
  const first = points[0];
  if (!first) return undefined;
  for (let k = 1; k < points.length; k++) {
    const prev = points[k - 1] as LoadPoint;
    const cur = points[k] as LoadPoint;
    const eff = prev.throughput > 0 && cur.load !== prev.load
      ? ((cur.throughput - prev.throughput) / prev.throughput) / ((cur.load - prev.load) / prev.load)
      : 1;
    if (efficiency && eff < o.minMarginalEfficiency) {
      return { index: k - 1, reason: `marginal efficiency fell to ${fmt(eff)} going from ${prev.load} to ${cur.load}` };
    }
    const judged = (p: LoadPoint): boolean => p.count === undefined || p.count >= o.minCallsForP99;
    if (first.p99Ms > 0 && judged(first) && judged(cur) && cur.p99Ms > o.p99Factor * first.p99Ms) {
      return { index: k - 1, reason: `p99 rose to ${fmt(cur.p99Ms)} ms at ${cur.load}, over ${o.p99Factor}x the first step's ${fmt(first.p99Ms)} ms` };
    }
    if (cur.offered !== undefined && cur.throughput < o.achievedRatio * cur.offered) {
      return { index: k - 1, reason: `achieved ${fmt(cur.throughput)}/s fell short of offered ${fmt(cur.offered)}/s` };
    }
  }
  return undefined;
}

function uslReport(points: readonly LoadPoint[], o: KneeOptions): { report: UslReport; fit: UslFit; why: string } | undefined {
  const ns = points.map((p) => p.load);
  const xs = points.map((p) => p.throughput);
  if (points.length < 3 || xs.some((x) => !(x > 0))) return undefined;
  const fit = fitUsl(ns, xs);
  const maxN = Math.max(...ns);
  // Beyond the largest tested load the peak is a prediction: the knee never lands there.
  const extrapolated = fit.nMax !== null && fit.nMax > maxN;
  const boot = points.length >= o.minStepsForFit ? bootstrapUsl(ns, xs, fit, o.bootstrapResamples, o.seed) : undefined;
  const maxRel = Math.max(...points.map((p) => Math.abs(p.throughput - (fit.lambda * p.load) / (1 + fit.sigma * (p.load - 1) + fit.kappa * p.load * (p.load - 1))) / p.throughput));
  const problems: string[] = [];
  if (points.length < o.minStepsForFit) problems.push(`only ${points.length} steps (need ${o.minStepsForFit})`);
  if (fit.r2 < o.minR2) problems.push(`R² ${fit.r2.toFixed(3)} < ${o.minR2}`);
  if (maxRel > o.maxRelResidual) problems.push(`a residual of ${(maxRel * 100).toFixed(0)}%`);
  if (fit.sigma >= 0.999 || fit.kappa >= 0.999) problems.push('a parameter at its bound');
  if (fit.nMax !== null && fit.nMax > o.extrapolationFactor * maxN) problems.push(`N_max ${fit.nMax.toFixed(1)} beyond ${o.extrapolationFactor}× the tested range`);
  if (boot && fit.nMax !== null) {
    const width = boot.nMax[1] - boot.nMax[0];
    if (!Number.isFinite(width) || width > o.maxRelInterval * fit.nMax) problems.push('a very wide N_max interval');
  }
  const finite = (v: [number, number] | undefined): number[] | null => (v && v.every(Number.isFinite) ? [...v] : null);
  return {
    fit,
    why: problems.join(', '),
    report: {
      sigma: fit.sigma, kappa: fit.kappa, lambda: fit.lambda, nMax: fit.nMax, nOpt: fit.nOpt, r2: fit.r2,
      credible: problems.length === 0, extrapolated,
      nMaxInterval: finite(boot?.nMax), sigmaInterval: finite(boot?.sigma), kappaInterval: finite(boot?.kappa),
    },
  };
}

/** Find the degradation knee over steady-state load levels (sorted by load). */
export function findKnee(input: readonly LoadPoint[], options: Partial<KneeOptions> = {}): Knee {
  const o = { ...DEFAULT_KNEE_OPTIONS, ...options };
  // One point per load level: repeated levels (e.g. spike phases) keep the best throughput.
  const byLoad = new Map<number, LoadPoint>();
  for (const p of input) {
    const prev = byLoad.get(p.load);
    if (!prev || p.throughput > prev.throughput) byLoad.set(p.load, p);
  }
  const points = [...byLoad.values()].sort((a, b) => a.load - b.load);
  const maxThroughput = Math.max(0, ...points.map((p) => p.throughput));
  if (points.length < 2) {
    return { detected: false, load: null, maxThroughput, method: 'none', confidence: 'low', reason: 'a knee needs at least 2 load levels', usl: null };
  }
  const isOpen = points.some((p) => p.offered !== undefined);
  const usl = isOpen ? undefined : uslReport(points, o);
  const maxLoad = (points[points.length - 1] as LoadPoint).load;

  if (usl?.report.credible) {
    const { fit, report } = usl;
    if (fit.sigma < 1e-3 && fit.kappa < 1e-4) {
      return { detected: false, load: null, maxThroughput, method: 'usl', confidence: 'high', reason: `scales linearly over the tested range (σ≈κ≈0, R² ${fit.r2.toFixed(3)})`, usl: report };
    }
    if (fit.nMax !== null && !report.extrapolated) {
      // The knee is also where latency leaves its floor: a p99 jump (or a
      // rate falling short) before the USL peak puts the knee there.
      const latency = ruleKnee(points, o, { efficiency: false });
      if (latency && (points[latency.index] as LoadPoint).load < Math.round(fit.nMax)) {
        return {
          detected: true,
          load: (points[latency.index] as LoadPoint).load,
          maxThroughput,
          method: 'rule',
          confidence: points.length >= 4 ? 'medium' : 'low',
          reason: `${latency.reason}, before the USL throughput peak N_max ${fit.nMax.toFixed(2)}`,
          usl: report,
        };
      }
      const narrow = report.nMaxInterval !== null && (report.nMaxInterval[1]! - report.nMaxInterval[0]!) < 0.25 * fit.nMax;
      // The knee is a load that was tested: of the two bracketing the peak, the one that measured more.
      const nMax = fit.nMax;
      const below = [...points].reverse().find((p) => p.load <= nMax);
      const above = points.find((p) => p.load >= nMax);
      const nearest = !below ? (above as LoadPoint) : !above || below.throughput >= above.throughput ? below : above;
      return {
        detected: true,
        load: nearest.load,
        maxThroughput,
        method: 'usl',
        confidence: narrow ? 'high' : 'medium',
        reason: `USL peak N_max ${fit.nMax.toFixed(2)} (σ ${fit.sigma.toFixed(4)}, κ ${fit.kappa.toFixed(4)}, R² ${fit.r2.toFixed(3)}); tested load ${nearest.load} (of the two around it, the one that measured more)`,
        usl: report,
      };
    }
  }
  const rule = ruleKnee(points, o);
  const uslNote = usl
    ? usl.report.credible
      ? usl.fit.nMax === null
        ? '; USL: no peak (κ≈0, Amdahl-limited)'
        : `; USL peak N_max ${usl.fit.nMax.toFixed(1)} is a prediction beyond the tested ${maxLoad}`
      : `; USL fit not credible: ${usl.why}`
    : '';
  if (!rule) {
    return { detected: false, load: null, maxThroughput, method: 'rule', confidence: points.length >= 4 ? 'medium' : 'low', reason: `no knee in the tested range up to ${maxLoad}${uslNote}`, usl: usl?.report ?? null };
  }
  return {
    detected: true,
    load: (points[rule.index] as LoadPoint).load,
    maxThroughput,
    method: 'rule',
    confidence: points.length >= 4 ? 'medium' : 'low',
    reason: `${rule.reason}${uslNote}`,
    usl: usl?.report ?? null,
  };
}
