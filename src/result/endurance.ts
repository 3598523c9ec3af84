import { analyseSpike } from '../analysis/spike.js';
import { trendVerdict, type TrendOptions, type TrendVerdict } from '../analysis/trend.js';
import type { RunAccumulator, SeriesPoint } from '../engine/merge.js';
import type { NormalizedProfile } from '../profile/load.js';
import type { StepResult, StrainResult } from './schema.js';

type Trend = NonNullable<StrainResult['endurance']>['latency'];

function toTrend(v: TrendVerdict): Trend {
  return { verdict: v.verdict, slopePerMin: v.slopePerMs * 60_000, growth: v.growth, pValue: v.pValue, windows: v.windows, reason: v.reason };
}

function options(o: NonNullable<NormalizedProfile['analysis']>['leak']): Partial<TrendOptions> {
  const out: Partial<TrendOptions> = {};
  if (!o) return out;
  for (const k of ['warmupFraction', 'window', 'minWindows', 'alpha', 'minRelGrowth', 'minAbsGrowth'] as const) {
    if (o[k] !== undefined) out[k] = o[k];
  }
  return out;
}

/** Leak verdict per worker (heap floors) and drift verdict on per-interval p99. */
export function enduranceOf(acc: RunAccumulator, profile: NormalizedProfile): NonNullable<StrainResult['endurance']> {
  const heap = [...acc.workers.values()]
    .sort((a, b) => a.workerId - b.workerId)
    .map((w) => ({ workerId: w.workerId, trend: toTrend(trendVerdict(w.heapT, w.heapY, 'leak', options(profile.analysis.leak))) }));
  const series: SeriesPoint[] = acc.series;
  const latency = toTrend(trendVerdict(series.map((p) => p.tMs), series.map((p) => p.p99Ms), 'drift', options(profile.analysis.drift)));
  return { heap, latency };
}

/**
 * A spike is a run of steps at least twice the load of the step before,
 * followed by a step back at (or near) that load. Its peak p99 and recovery
 * time come from the per-interval series.
 */
export function spikeOf(steps: readonly StepResult[], series: readonly SeriesPoint[], tolerance = 0.1): NonNullable<StrainResult['spike']> | null {
  // Load in one model: a spike never spans concurrency and arrival-rate steps.
  const load = (s: StepResult): number => s.load.rate ?? s.load.concurrency;
  const sameModel = (a: StepResult, b: StepResult): boolean => (a.load.rate === undefined) === (b.load.rate === undefined);
  for (let i = 1; i < steps.length; i++) {
    const before = steps[i - 1] as StepResult;
    const base = load(before);
    if (!sameModel(before, steps[i] as StepResult) || load(steps[i] as StepResult) < 2 * base) continue;
    let j = i;
    while (j + 1 < steps.length && sameModel(before, steps[j + 1] as StepResult) && load(steps[j + 1] as StepResult) >= 2 * base) j++;
    const after = steps[j + 1];
    if (!after || !sameModel(before, after) || load(after) > 1.5 * base) continue;
    const a = analyseSpike(series.map((p) => ({ tMs: p.tMs, p99Ms: p.p99Ms })), (steps[i] as StepResult).startMs, (steps[j] as StepResult).endMs, tolerance);
    if (!a) return null;
    return { steps: steps.slice(i, j + 1).map((s) => s.index), ...a };
  }
  return null;
}
