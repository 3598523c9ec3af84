/**
 * Liveness from progress in shared memory, not from messages: a worker is
 * hung when the start of its latest call and its heartbeat have not moved for
 * `hangTimeout` of observed time while it should be driving. Observed time
 * is credited per watchdog tick, at most two periods a tick, so a starved,
 * busy or paused coordinator (or a stopped process) never turns a working
 * worker into a fault: it simply observes less.
 */
import { SLOT, type SharedRecording } from './shared-recording.js';

interface Watch {
  callStart: number;
  beat: number;
  observedMs: number;
}

export interface Hung {
  workerId: number;
  message: string;
}

export class Liveness {
  private readonly watches = new Map<number, Watch>();
  private lastTickMs: number | undefined;

  constructor(private readonly hangTimeoutMs: number, private readonly periodMs: number) {}

  /** Forget a worker (it finished its step, died, or was replaced). */
  forget(workerId: number): void {
    this.watches.delete(workerId);
  }

  /**
   * One watchdog tick at `nowMs` (epoch). `driving` lists the workers that
   * should be making progress now; returns those judged hung.
   */
  tick(nowMs: number, driving: readonly number[], recordingOf: (w: number) => SharedRecording): Hung[] {
    const gap = this.lastTickMs === undefined ? 0 : Math.max(0, nowMs - this.lastTickMs);
    this.lastTickMs = nowMs;
    const credit = Math.min(gap, 2 * this.periodMs);
    const hung: Hung[] = [];
    const active = new Set(driving);
    for (const w of this.watches.keys()) if (!active.has(w)) this.watches.delete(w);
    for (const w of driving) {
      const sl = recordingOf(w).slots;
      const callStart = sl[SLOT.callStart] as number;
      const beat = sl[SLOT.beat] as number;
      const seen = this.watches.get(w);
      if (!seen || seen.callStart !== callStart || seen.beat !== beat) {
        this.watches.set(w, { callStart, beat, observedMs: 0 });
        continue;
      }
      seen.observedMs += credit;
      if (seen.observedMs < this.hangTimeoutMs) continue;
      const origin = sl[SLOT.origin] as number;
      const sinceMs = nowMs - (origin + Math.max(callStart, beat));
      const what = callStart >= beat ? `its call in flight started ${(sinceMs / 1000).toFixed(1)} s ago` : `no call or heartbeat for ${(sinceMs / 1000).toFixed(1)} s`;
      hung.push({ workerId: w, message: `worker ${w} made no progress (${what}; hangTimeout ${this.hangTimeoutMs / 1000} s); terminated and replaced` });
      this.watches.delete(w);
    }
    return hung;
  }
}
