/**
 * V8's sampling CPU profiler on this worker's own isolate: an in-thread
 * node:inspector session, whose calls answer synchronously. Started as a
 * profiled step starts and stopped when the worker leaves it; the samples
 * of the step's warm-up are cut off, so a profile covers the steady part the
 * step's figures describe.
 */
import { Session } from 'node:inspector';
import { now } from './clock.js';

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export class StepProfiler {
  private session: Session | undefined;
  private startedAt = 0;
  /** Why profiling is off in this worker, once it failed. */
  error: string | undefined;

  constructor(private readonly intervalUs: number) {}

  start(): void {
    if (this.error) return;
    try {
      if (!this.session) {
        this.session = new Session();
        this.session.connect();
        this.post('Profiler.enable');
        this.post('Profiler.setSamplingInterval', { interval: this.intervalUs });
      }
      this.post('Profiler.start');
      this.startedAt = now();
    } catch (e) {
      this.error = `the CPU profiler could not start: ${(e as Error).message}`;
    }
  }

  /** The profile since start(), without the samples taken before `steadyFrom` (this worker's clock, ms). */
  stop(steadyFrom: number): CpuProfile | undefined {
    if (this.error || !this.session) return undefined;
    let profile: CpuProfile | undefined;
    try {
      profile = (this.post('Profiler.stop') as { profile: CpuProfile }).profile;
    } catch (e) {
      this.error = `the CPU profiler could not stop: ${(e as Error).message}`;
      return undefined;
    }
    return trim(profile, profile.startTime + Math.max(0, steadyFrom - this.startedAt) * 1000);
  }

  /** An in-thread session dispatches at once: the callback has run when post returns. */
  private post(method: string, params?: object): unknown {
    let out: unknown;
    let failure: Error | null = null;
    (this.session as Session).post(method, params ?? {}, (err, res) => {
      failure = err;
      out = res;
    });
    if (failure) throw failure;
    return out;
  }
}

/** Drop the samples before `fromUs` (profile clock). */
function trim(p: CpuProfile, fromUs: number): CpuProfile {
  const samples: number[] = [];
  const deltas: number[] = [];
  let t = p.startTime;
  let last = fromUs;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] as number;
    if (t < fromUs) continue;
    samples.push(p.samples[i] as number);
    deltas.push(t - last);
    last = t;
  }
  return { ...p, startTime: Math.min(fromUs, p.endTime), samples, timeDeltas: deltas };
}
