/**
 * Judge one capacity probe on its steady state: every threshold that applies
 * to the search's phase, and for rates "achieved ≥ 97% of the arrivals the
 * schedule drew". Pure: the view and counts come from the caller.
 */
import { actualValue, compare, metricLabel, type MetricView, type ParsedThreshold } from '../analysis/thresholds.js';
import type { ProbeCheck, ProbeJudgement } from './search.js';

/** Achieved below this fraction of the arrivals drawn means the load was not carried. */
export const ACHIEVED_RATIO = 0.97;

/** The thresholds a search's probes are judged on: those of no phase, or of the search's own. */
export function objectiveOf(thresholds: readonly ParsedThreshold[], phase: string): ParsedThreshold[] {
  return thresholds.filter((t) => t.phase === undefined || t.phase === phase);
}

export function thresholdName(t: ParsedThreshold): string {
  return `${metricLabel(t)} ${t.expression}`;
}

/** How far inside its limit a figure is, as a fraction of the limit (negative past it). */
function headroom(actual: number | null, t: ParsedThreshold): number | null {
  if (actual === null || t.value === 0) return null;
  const scale = Math.abs(t.value);
  switch (t.operator) {
    case '<':
    case '<=':
      return (t.value - actual) / scale;
    case '>':
    case '>=':
      return (actual - t.value) / scale;
    default:
      return null;
  }
}

/** What the probes are judged on, by name, in the order their checks list it. */
export function objectiveNames(objective: readonly ParsedThreshold[], mode: 'rate' | 'concurrency'): string[] {
  return [...objective.map(thresholdName), ...(mode === 'rate' ? [`achieved>=${ACHIEVED_RATIO}`] : [])];
}

export interface ProbeCounts {
  /** Calls completed in the step, and arrivals its schedule drew (rate mode). */
  calls: number;
  scheduled: number;
  /** The step's length: an overloaded probe's achieved rate estimates what the system carries. */
  durationMs: number;
}

export function judgeProbe(view: MetricView, objective: readonly ParsedThreshold[], rate: ProbeCounts | undefined, margin: number): ProbeJudgement {
  const checks: ProbeCheck[] = objective.map((t) => {
    const actual = actualValue(t, view);
    return { name: thresholdName(t), actual, limit: t.value, passed: actual !== null && compare(actual, t.operator, t.value), headroom: headroom(actual, t) };
  });
  if (rate) {
    const ratio = rate.scheduled > 0 ? rate.calls / rate.scheduled : null;
    // Headroom against the shortfall allowed (3% of the arrivals), not against 0.97 itself.
    checks.push({
      name: objectiveNames([], 'rate')[0] as string, actual: ratio, limit: ACHIEVED_RATIO,
      passed: ratio !== null && ratio >= ACHIEVED_RATIO,
      headroom: ratio === null ? null : (ratio - ACHIEVED_RATIO) / (1 - ACHIEVED_RATIO),
    });
  }
  // A probe with no calls, or nothing to judge, cannot pass: silence is not a pass.
  const passed = view.count > 0 && checks.length > 0 && checks.every((c) => c.passed);
  const near = checks.some((c) => c.headroom !== null && Math.abs(c.headroom) < margin);
  const estimate = rate && rate.durationMs > 0 && rate.calls < rate.scheduled ? rate.calls / (rate.durationMs / 1000) : null;
  return { passed, near, checks, estimate };
}
