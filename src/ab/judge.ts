/**
 * The verdicts of a paired A/B run: per measured step and over all of them,
 * for the mean call time, throughput, p50 and p99, each B against A with
 * its interval at the sequential level (src/analysis/paired.ts).
 */
import type { Direction, MetricComparison } from '../analysis/compare.js';
import type { StepAccumulator } from '../engine/merge.js';
import { lookDecides, MIN_PAIRS, pairedEstimate, pairedVerdict } from '../analysis/paired.js';
import { stepPairs, type StepPairs } from './pairs.js';

export interface PairedNoise {
  mean: number;
  throughput: number;
  p50: number;
  p99: number;
}

/**
 * Side by side at the same moment, a change of 1% in the mean call is already
 * beyond the noise. Throughput also counts the time between calls, which the
 * machine's other threads take from one block and not the next: 2%.
 */
export const DEFAULT_PAIRED_NOISE: PairedNoise = { mean: 0.01, throughput: 0.02, p50: 0.02, p99: 0.05 };

export interface PairedSettings {
  blockMs: number;
  /** The longest a timed step may run while its interval is still too wide (ms). */
  maxStepMs: number;
  alpha: number;
  noise: PairedNoise;
}

const METRICS: { key: keyof PairedNoise; direction: Direction }[] = [
  { key: 'mean', direction: 'lower-is-better' },
  { key: 'throughput', direction: 'higher-is-better' },
  { key: 'p50', direction: 'lower-is-better' },
  { key: 'p99', direction: 'lower-is-better' },
];

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;

/** Each side's own figure of a metric (ms, or calls/s), for the report beside the change. */
function sideFigures(key: keyof PairedNoise, p: StepPairs, s: StepAccumulator | undefined, blockMs: number): [number, number] {
  const [a, b] = s?.fnSteady ?? [];
  switch (key) {
    case 'mean':
      return [p.callsA ? p.msA / p.callsA : 0, p.callsB ? p.msB / p.callsB : 0];
    case 'throughput': {
      // Each side had two blocks of every cycle.
      const sec = (p.cycles * 2 * blockMs) / 1000;
      return sec > 0 ? [p.callsA / sec, p.callsB / sec] : [0, 0];
    }
    default: {
      const q = key === 'p50' ? 50 : 99;
      return [a && a.ok.totalCount ? a.ok.getValueAtPercentile(q) / 1e6 : 0, b && b.ok.totalCount ? b.ok.getValueAtPercentile(q) / 1e6 : 0];
    }
  }
}

/** One metric's comparison from its pairs, at level alpha / looks. */
export function pairedMetric(name: string, key: keyof PairedNoise, direction: Direction, ds: readonly number[], sides: [number, number], noise: number, alpha: number, looks: number): MetricComparison {
  const level = alpha / looks;
  const e = pairedEstimate(ds, level);
  const unit = key === 'mean' || key === 'throughput' ? 'cycles' : 'snapshots';
  const common = { metric: name, direction, baseMedian: sides[0], currentMedian: sides[1], relChange: e.relChange, noise };
  if (ds.length < MIN_PAIRS) {
    return { ...common, interval: [e.relChange, e.relChange], pValue: 1, verdict: 'inconclusive', reason: `only ${ds.length} paired ${unit} (at least ${MIN_PAIRS} needed): run longer or with shorter blocks` };
  }
  const verdict = pairedVerdict(e.interval, noise, direction);
  const ci = `${((1 - alpha) * 100).toFixed(0)}% CI ${pct(e.interval[0])}..${pct(e.interval[1])}${looks > 1 ? ` (level ${(1 - level).toPrecision(3)} for ${looks} looks)` : ''}`;
  const desc = `paired ${pct(e.relChange)} (${ci}) over ${ds.length} ${unit}, p=${e.pValue.toPrecision(2)}, noise ±${(noise * 100).toFixed(1)}%`;
  const why = verdict === 'inconclusive' ? `${desc}: the interval straddles the noise threshold` : desc;
  return { ...common, interval: e.interval, pValue: e.pValue, verdict, reason: why };
}

export interface StepInput {
  /** The step's position among measured steps (from 0). */
  index: number;
  s: StepAccumulator;
  looks: number;
}

/** All four metrics of one step (or of all steps pooled), each named with `suffix`. */
export function metricsOf(cycles: readonly number[], quantiles: readonly number[], s: StepAccumulator | undefined, looks: number, settings: PairedSettings, suffix: string): { pairs: StepPairs; metrics: MetricComparison[] } {
  const pairs = stepPairs(cycles, quantiles);
  const metrics = METRICS.map(({ key, direction }) =>
    pairedMetric(`${key}${suffix}`, key, direction, pairs[key], sideFigures(key, pairs, s, settings.blockMs), settings.noise[key], settings.alpha, looks),
  );
  return { pairs, metrics };
}

/**
 * The stopping rule of a step: every metric has decided. p50 and p99 count
 * only where they have pairs enough to decide at all (a snapshot must hold
 * 20 and 200 calls of each side): a slow call leaves them out, never holds
 * the step to its longest length for them.
 */
export function stepDecided(pairs: StepPairs, settings: PairedSettings, looks: number): boolean {
  const { alpha, noise } = settings;
  if (!lookDecides(pairs.mean, alpha, looks, noise.mean, 'lower-is-better')) return false;
  if (!lookDecides(pairs.throughput, alpha, looks, noise.throughput, 'higher-is-better')) return false;
  if (pairs.p50.length >= MIN_PAIRS && !lookDecides(pairs.p50, alpha, looks, noise.p50, 'lower-is-better')) return false;
  return pairs.p99.length < MIN_PAIRS || lookDecides(pairs.p99, alpha, looks, noise.p99, 'lower-is-better');
}
