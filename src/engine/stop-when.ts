import type { PlannedStep } from '../plan/plan.js';
import type { StepAccumulator } from './merge.js';

/**
 * Whether a finished step breaks its phase's stop condition (the breakpoint
 * test): error rate, a p99 ceiling, or achieved rate short of offered.
 * Returns the reason, or undefined when the ramp may go on.
 */
export function breaksStopWhen(s: StepAccumulator, step: PlannedStep): string | undefined {
  const w = step.stopWhen;
  if (!w) return undefined;
  const calls = s.calls;
  const errorRate = calls ? s.errors / calls : 0;
  if (w.errorRate !== undefined && errorRate >= w.errorRate) return `error rate ${errorRate.toFixed(4)} reached ${w.errorRate}`;
  const p99 = s.steady.totalCount ? s.steady.getValueAtPercentile(99) / 1e6 : 0;
  if (w.p99Ms !== undefined && p99 >= w.p99Ms) return `p99 ${p99.toFixed(3)} ms reached ${w.p99Ms} ms`;
  if (w.achievedBelow !== undefined && step.open && step.durationMs) {
    const achieved = calls / (step.durationMs / 1000);
    if (achieved < w.achievedBelow * step.open.rate) {
      return `achieved ${achieved.toFixed(1)}/s fell under ${w.achievedBelow} of offered ${step.open.rate}/s`;
    }
  }
  return undefined;
}
