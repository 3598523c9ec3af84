/**
 * How long a timed step holds the workers, beyond its duration: the open
 * loop's schedule starts a little ahead so no worker begins late, and calls
 * scheduled inside the step get a moment to start before it ends (the
 * schedule itself stops at its end, so this adds no calls). Shared by the
 * coordinator and the wall-clock alignment of shards (src/shard/align.ts).
 */
import type { PlannedStep } from '../plan/plan.js';

export const SCHEDULE_LEAD_MS = 20;
export const OPEN_GRACE_MS = 50;

export function leadMsOf(step: PlannedStep): number {
  return step.open ? SCHEDULE_LEAD_MS : 0;
}

export function graceMsOf(step: PlannedStep): number {
  return step.open ? Math.max(OPEN_GRACE_MS, step.open.lateAfterMs) : 0;
}

/** A timed step's slot from its start to the next step's; undefined for a counted step (its length is not known). */
export function slotMsOf(step: PlannedStep): number | undefined {
  return step.durationMs === undefined ? undefined : step.durationMs + leadMsOf(step) + graceMsOf(step);
}
