/**
 * Wall-clock alignment of shards: with an agreed start time T, step k of
 * every shard starts at T plus the slots of the steps before it, so step k
 * covers the same seconds on every machine. A step that could not start on
 * time (the previous one overran, a counted step came before) starts at
 * once; how late each step started is the skew the shard observed.
 */
import type { StepAlignment } from '../engine/coordinator.js';
import { slotMsOf } from '../engine/step-window.js';
import type { Plan, PlannedStep } from '../plan/plan.js';

export interface SkewReport {
  /** The agreed start (ISO). */
  startAt: string;
  /** How late the first step started after the agreed time (ms). */
  skewMs: number | null;
  /** The latest any aligned step started after its agreed time (ms). */
  maxStepSkewMs: number | null;
  /** Steps that could not be aligned (after a counted step, whose length is not known in advance). */
  unaligned: number;
}

export class WallClockAlignment implements StepAlignment {
  /** Plan step → its agreed start (epoch ms); absent after a counted step. */
  private readonly due = new Map<number, number>();
  private readonly late = new Map<number, number>();
  private unaligned = 0;

  constructor(readonly startAtMs: number, plan: Plan) {
    let at: number | undefined = startAtMs;
    for (const step of plan.steps) {
      if (at !== undefined) this.due.set(step.seq, at);
      const slot = slotMsOf(step);
      at = at === undefined || slot === undefined ? undefined : at + slot;
    }
  }

  delayMs(step: PlannedStep, nowMs: number): number {
    const due = this.due.get(step.seq);
    return due === undefined ? 0 : Math.max(0, due - nowMs);
  }

  started(step: PlannedStep, atMs: number): number {
    const due = this.due.get(step.seq);
    if (due === undefined) {
      this.unaligned++;
      return 0;
    }
    const late = Math.max(0, atMs - due);
    this.late.set(step.seq, late);
    return late;
  }

  report(): SkewReport {
    const lates = [...this.late.values()];
    const first = [...this.late.keys()].sort((a, b) => a - b)[0];
    return {
      startAt: new Date(this.startAtMs).toISOString(),
      skewMs: first === undefined ? null : (this.late.get(first) as number),
      maxStepSkewMs: lates.length ? Math.max(...lates) : null,
      unaligned: this.unaligned,
    };
  }
}
