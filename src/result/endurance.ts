import { analyseSpike } from '../analysis/spike.js';
import { LEAK_DEFAULTS, DRIFT_DEFAULTS, trendVerdict, type TrendOptions, type TrendVerdict } from '../analysis/trend.js';
import type { RunAccumulator, SeriesPoint } from '../engine/merge.js';
import type { ResourceSample } from '../engine/sampler.js';
import type { NormalizedProfile } from '../profile/load.js';
import type { StepResult, StrainResult } from './schema.js';

type Endurance = NonNullable<StrainResult['endurance']>;
type Trend = Endurance['latency'];

/**
 * A stretch of constant load: one measured step's steady part. Leak and
 * drift are judged only inside such a stretch, never across steps: heap and
 * latency that grow with load belong to the scaling analysis.
 */
export interface Plateau {
  /** Position of the step in result.steps. */
  index: number;
  seq: number;
  /** Milliseconds since the run's start. */
  fromMs: number;
  toMs: number;
}

function toTrend(v: TrendVerdict, step: number | null, extra: Partial<Trend> = {}): Trend {
  return { verdict: v.verdict, slopePerMin: v.slopePerMs * 60_000, growth: v.growth, pValue: v.pValue, windows: v.windows, reason: v.reason, step, ...extra };
}

function options(o: NonNullable<NormalizedProfile['analysis']>['leak']): Partial<TrendOptions> {
  const out: Partial<TrendOptions> = {};
  if (!o) return out;
  for (const k of ['warmupFraction', 'window', 'minWindows', 'alpha', 'minRelGrowth', 'minAbsGrowth'] as const) {
    if (o[k] !== undefined) out[k] = o[k];
  }
  return out;
}

const RANK: Record<Trend['verdict'], number> = { leak: 4, drift: 4, step: 3, none: 2, 'insufficient-data': 1 };

/**
 * Judge `series` on every plateau and keep the most telling verdict: a leak
 * or drift anywhere, else a step, else none. When no plateau is long enough,
 * say how many windows the longest had and about how much longer it needed.
 */
function judgePlateaus(
  plateaus: readonly Plateau[],
  pick: (p: Plateau) => { t: number[]; y: number[] },
  kind: 'leak' | 'drift',
  o: Partial<TrendOptions>,
  pointMs: number,
  extra: (p: Plateau, v: TrendVerdict) => Partial<Trend> = () => ({}),
): Trend {
  const full = { ...(kind === 'leak' ? LEAK_DEFAULTS : DRIFT_DEFAULTS), ...o };
  let best: Trend | undefined;
  let longest: { p: Plateau; v: TrendVerdict } | undefined;
  for (const p of plateaus) {
    const { t, y } = pick(p);
    const v = trendVerdict(t, y, kind, o);
    if (v.verdict === 'insufficient-data') {
      if (!longest || v.windows > longest.v.windows) longest = { p, v };
      continue;
    }
    const trend = toTrend(v, p.index, { reason: `step ${p.index + 1}: ${v.reason}`, ...extra(p, v) });
    if (!best || RANK[trend.verdict] > RANK[best.verdict]) best = trend;
  }
  if (best) return best;
  const have = longest?.v.windows ?? 0;
  const missingPoints = (full.minWindows - have) * full.window / (1 - full.warmupFraction);
  const minutes = Math.max(0.1, (missingPoints * pointMs) / 60_000);
  const reason = plateaus.length === 0
    ? 'not judged: no step held its load'
    : `not judged: the longest plateau (step ${(longest?.p.index ?? 0) + 1}) gave ${have} of ${full.minWindows} windows; about ${minutes.toFixed(1)} more minutes at constant load needed`;
  return { verdict: 'insufficient-data', slopePerMin: 0, growth: 0, pValue: 1, windows: have, reason, step: null };
}

function between<T>(xs: readonly T[], t: (x: T) => number, p: Plateau): T[] {
  return xs.filter((x) => t(x) >= p.fromMs && t(x) <= p.toMs);
}

/**
 * Leak verdicts per worker on its isolate's memory (heap used + external,
 * which holds typed arrays and Buffers), naming the part that grows; the
 * process RSS gets its own verdict; drift is judged on per-interval p99.
 * All of them per plateau of constant load only.
 */
export function enduranceOf(acc: RunAccumulator, profile: NormalizedProfile, plateaus: readonly Plateau[], samples: readonly ResourceSample[]): Endurance {
  const leakOpts = options(profile.analysis.leak);
  const driftOpts = options(profile.analysis.drift);
  const interval = acc.intervalMs;
  const heap = [...acc.workers.values()]
    .sort((a, b) => a.workerId - b.workerId)
    .map((w) => {
      const idx = (p: Plateau): number[] => w.heapT.map((t, i) => (t >= p.fromMs && t <= p.toMs ? i : -1)).filter((i) => i >= 0);
      const trend = judgePlateaus(
        plateaus,
        (p) => {
          const i = idx(p);
          return { t: i.map((k) => w.heapT[k] as number), y: i.map((k) => (w.heapY[k] as number) + (w.extY[k] ?? 0)) };
        },
        'leak', leakOpts, interval,
        (p) => {
          // Which part grows: compare the two parts' own slopes over the same points.
          const i = idx(p);
          const t = i.map((k) => w.heapT[k] as number);
          const hs = trendVerdict(t, i.map((k) => w.heapY[k] as number), 'leak', { ...leakOpts, minWindows: 1 }).slopePerMs;
          const es = trendVerdict(t, i.map((k) => w.extY[k] ?? 0), 'leak', { ...leakOpts, minWindows: 1 }).slopePerMs;
          return { part: es > hs ? 'external' : 'heap' };
        },
      );
      return { workerId: w.workerId, trend };
    });
  const series: SeriesPoint[] = acc.series;
  const latency = judgePlateaus(plateaus, (p) => {
    const pts = series.filter((x) => x.step === p.seq && x.count > 0);
    return { t: pts.map((x) => x.tMs), y: pts.map((x) => x.p99Ms) };
  }, 'drift', driftOpts, interval);
  const rss = judgePlateaus(plateaus, (p) => {
    const pts = between(samples, (x) => x.tMs, p);
    return { t: pts.map((x) => x.tMs), y: pts.map((x) => x.rssBytes) };
  }, 'leak', leakOpts, 1000);
  const memory = [...acc.workers.values()].sort((a, b) => a.workerId - b.workerId).slice(0, MAX_CHARTED_WORKERS).map((w) => {
    const every = Math.max(1, Math.ceil(w.heapT.length / MAX_CHART_POINTS));
    const pick = (ys: readonly number[]): number[] => {
      const out: number[] = [];
      for (let i = 0; i < ys.length; i += every) out.push(Math.min(...ys.slice(i, i + every)));
      return out;
    };
    return { workerId: w.workerId, tMs: w.heapT.filter((_, i) => i % every === 0), heapBytes: pick(w.heapY), externalBytes: pick(w.extY) };
  });
  return { heap, latency, rss, memory };
}

const MAX_CHARTED_WORKERS = 16;
const MAX_CHART_POINTS = 300;

/**
 * A spike is a run of steps at least twice the load of the step before,
 * holding one level, followed by a step back at (or near) that load. Its peak p99 and recovery
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
    // A spike holds one level; a ramp that climbs and comes back down (2, 3, 4, 2) is no spike.
    const held = steps.slice(i, j + 1).map(load);
    if (Math.max(...held) > 1.5 * Math.min(...held)) continue;
    const a = analyseSpike(series.map((p) => ({ tMs: p.tMs, p99Ms: p.p99Ms })), (steps[i] as StepResult).startMs, (steps[j] as StepResult).endMs, tolerance);
    if (!a) return null;
    return { steps: steps.slice(i, j + 1).map((s) => s.index), ...a };
  }
  return null;
}
