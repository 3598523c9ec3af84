import type { Histogram } from 'hdr-histogram-js';
import type { MetricView, ParsedThreshold, ThresholdVerdict } from '../analysis/thresholds.js';
import { evaluateThreshold, metricLabel } from '../analysis/thresholds.js';
import type { FunctionAcc } from '../engine/merge-functions.js';
import { newHistogram } from '../engine/histogram.js';
import type { RunAccumulator, StepAccumulator } from '../engine/merge.js';
import type { ResourceSample } from '../engine/sampler.js';
import type { Plan } from '../plan/plan.js';
import { resourcesOver } from './resources.js';

const MiB = 1024 * 1024;

interface Part {
  hist: Histogram;
  calls: number;
  errors: number;
  durationMs: number;
  /** The part's window, ms since the run's start (for the resource samples that cover it). */
  fromMs: number;
  toMs: number;
  /** A mix: each function's calls over the same window. */
  fns: readonly FunctionAcc[];
}

/** The view of a mix's function k alone: its calls over the same windows (and the same machine). */
function functionView(parts: Part[], k: number, samples: readonly ResourceSample[], periodMs: number): MetricView {
  return view(parts.map((p) => {
    const f = p.fns[k];
    return { ...p, hist: f?.ok ?? newHistogram(), calls: f?.calls ?? 0, errors: f?.errors ?? 0, fns: [] };
  }), samples, periodMs);
}

function view(parts: Part[], samples: readonly ResourceSample[], periodMs: number, fnNames?: readonly string[]): MetricView {
  const h = newHistogram();
  let calls = 0;
  let errors = 0;
  let ms = 0;
  for (const p of parts) {
    h.add(p.hist);
    calls += p.calls;
    errors += p.errors;
    ms += p.durationMs;
  }
  // Throughput counts successful calls, as in the result.
  const rates = parts.filter((p) => p.durationMs > 0).map((p) => (p.calls - p.errors) / (p.durationMs / 1000));
  const empty = h.totalCount === 0;
  return {
    count: calls,
    latencyMs: {
      avg: empty ? 0 : h.mean / 1e6,
      min: empty ? 0 : h.minNonZeroValue / 1e6,
      max: empty ? 0 : h.maxValue / 1e6,
      med: empty ? 0 : h.getValueAtPercentile(50) / 1e6,
      percentile: (p) => (empty ? 0 : h.getValueAtPercentile(p) / 1e6),
    },
    errors: { rate: calls ? errors / calls : 0, count: errors },
    throughput: { avg: ms > 0 ? (calls - errors) / (ms / 1000) : 0, min: rates.length ? Math.min(...rates) : 0, max: Math.max(0, ...rates) },
    ...resourceView(parts, samples, periodMs),
    ...(fnNames?.length ? { functions: new Map(fnNames.map((name, k) => [name, functionView(parts, k, samples, periodMs)])) } : {}),
  };
}

/** CPU and memory over the parts' windows, apportioned by time; null (no data) when no sample covers them. */
function resourceView(parts: Part[], samples: readonly ResourceSample[], periodMs: number): Pick<MetricView, 'cpu' | 'memoryMiB'> {
  let w = 0;
  let cpu = 0;
  let rss = 0;
  let peakCpu: number | null = null;
  let peakRss: number | null = null;
  for (const p of parts) {
    const r = resourcesOver(samples, p.fromMs, p.toMs, periodMs);
    if (r.meanCpu === null || r.meanRss === null || r.peakCpu === null || r.peakRss === null) continue;
    const span = p.toMs - p.fromMs;
    w += span;
    cpu += span * r.meanCpu;
    rss += span * r.meanRss;
    peakCpu = Math.max(peakCpu ?? -Infinity, r.peakCpu);
    peakRss = Math.max(peakRss ?? -Infinity, r.peakRss);
  }
  return {
    cpu: { avg: w > 0 ? cpu / w : null, max: peakCpu },
    memoryMiB: { avg: w > 0 ? rss / w / MiB : null, max: peakRss === null ? null : peakRss / MiB },
  };
}

/** Every scope is judged on steady calls only: warm-up is never in a figure. */
function steadyPart(s: StepAccumulator, runStartMs: number): Part {
  const has = Number.isFinite(s.steadyStartMs);
  return {
    hist: s.steady, calls: s.steadyCalls, errors: s.steadyErrors, durationMs: has ? s.steadyEndMs - s.steadyStartMs : 0,
    fromMs: has ? s.steadyStartMs - runStartMs : 0, toMs: has ? s.steadyEndMs - runStartMs : 0, fns: s.fnSteady,
  };
}

/** One step's steady state: what a capacity probe is judged on. */
export function stepView(s: StepAccumulator, runStartMs: number, samples: readonly ResourceSample[], periodMs: number, fnNames?: readonly string[]): MetricView {
  return view([steadyPart(s, runStartMs)], samples, periodMs, fnNames);
}

export interface ScopedView {
  scope: string;
  kind: 'run' | 'phase' | 'step';
  phase: string | undefined;
  view: MetricView;
}

/**
 * The views thresholds are judged on: the whole run (every measured call),
 * each phase and each step (their steady state). Used live for abortOnFail
 * and at the end for the result.
 */
export function scopedViews(acc: RunAccumulator, plan: Plan, started: readonly number[], samples: readonly ResourceSample[], periodMs = 1000, fnNames?: readonly string[]): ScopedView[] {
  const out: ScopedView[] = [];
  const runParts: Part[] = [];
  const phases = new Map<string, { parts: Part[]; seqs: Set<number> }>();
  for (const seq of started) {
    const planned = plan.steps[seq];
    const s = acc.steps.get(seq);
    if (!planned?.measured || !s) continue;
    // A capacity search's probes are judged one by one as it runs; only the ones its answer stands on count here.
    if (planned.search && !planned.search.accepted) continue;
    const steady = steadyPart(s, acc.runStartMs);
    runParts.push(steady);
    out.push({ scope: `step:${out.filter((v) => v.kind === 'step').length + 1}`, kind: 'step', phase: planned.phase, view: view([steady], samples, periodMs, fnNames) });
    const ph = phases.get(planned.phase) ?? { parts: [], seqs: new Set<number>() };
    ph.parts.push(steady);
    ph.seqs.add(seq);
    phases.set(planned.phase, ph);
  }
  for (const [name, ph] of phases) {
    out.push({ scope: `phase:${name}`, kind: 'phase', phase: name, view: view(ph.parts, samples, periodMs, fnNames) });
  }
  out.unshift({ scope: 'run', kind: 'run', phase: undefined, view: view(runParts, samples, periodMs, fnNames) });
  return out;
}

/** Judge each threshold on every view of its scope (optionally one phase's). */
export function judgeThresholds(thresholds: readonly ParsedThreshold[], views: readonly ScopedView[]): ThresholdVerdict[] {
  const out: ThresholdVerdict[] = [];
  for (const t of thresholds) {
    const targets = views.filter((v) => v.kind === t.scope && (t.phase === undefined || v.phase === t.phase));
    if (targets.length === 0 && t.scope !== 'run') {
      out.push({ metric: metricLabel(t), expression: t.expression, scope: `${t.scope}${t.phase ? `:${t.phase}` : ''}`, passed: false, actual: null, abortOnFail: t.abortOnFail });
    }
    for (const v of targets) out.push(evaluateThreshold(t, v.view, v.scope));
  }
  return out;
}
