import type { PlannedStep } from '../plan/plan.js';
import type { StepAccumulator } from './merge.js';

/**
 * Whether a finished step breaks its phase's stop condition (the breakpoint
 * test): error rate, a p99 ceiling, or achieved rate short of offered.
 * Returns the reason, or undefined when the ramp may go on.
 */
export function breaksStopWhen(s: StepAccumulator, step: PlannedStep, scheduled: number): string | undefined {
  const w = step.stopWhen;
  if (!w) return undefined;
  const calls = s.calls;
  const errorRate = s.steadyCalls ? s.steadyErrors / s.steadyCalls : 0;
  if (w.errorRate !== undefined && errorRate >= w.errorRate) return `error rate ${errorRate.toFixed(4)} reached ${w.errorRate}`;
  const p99 = s.steady.totalCount ? s.steady.getValueAtPercentile(99) / 1e6 : 0;
  if (w.p99Ms !== undefined && p99 >= w.p99Ms) return `p99 ${p99.toFixed(3)} ms reached ${w.p99Ms} ms`;
  // Against the arrivals the schedule drew (`scheduled`), never the nominal rate.
  if (w.achievedBelow !== undefined && step.open && step.durationMs && scheduled > 0) {
    const achieved = calls / (step.durationMs / 1000);
    const drawn = scheduled / (step.durationMs / 1000);
    if (calls < w.achievedBelow * scheduled) {
      return `achieved ${achieved.toFixed(1)}/s fell under ${w.achievedBelow} of the ${drawn.toFixed(1)}/s scheduled (offered ${step.open.rate}/s)`;
    }
  }
  return undefined;
}
