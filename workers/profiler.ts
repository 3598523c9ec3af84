/**
 * V8's profilers on this worker's own isolate, through an in-thread
 * node:inspector session (whose calls answer synchronously): the sampling
 * CPU profiler and the sampling heap profiler; heap snapshots through
 * v8.writeHeapSnapshot. Started as a profiled step
 * starts and stopped when the worker leaves it. The CPU profile's warm-up
 * samples are cut off, so it covers the steady part the step's figures
 * describe; the heap profile holds the sampled allocations of the step that
 * were still alive when it ended: the memory that stayed.
 */
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Session } from 'node:inspector';
import { writeHeapSnapshot } from 'node:v8';
import { memoryUsage, now } from './clock.js';

/** A heap this large makes a snapshot too big to write beside a run. */
const SNAPSHOT_LIMIT_BYTES = 512 * 1024 * 1024;

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfilerSettings {
  /** CPU sampling interval (µs), or undefined for no CPU profile. */
  cpuIntervalUs: number | undefined;
  /** Mean bytes between heap samples, or undefined for no heap profile. */
  heapIntervalBytes: number | undefined;
}

export interface StepProfiles {
  cpu?: { profile: CpuProfile | undefined; samples: number; error: string | undefined };
  heap?: { profile: unknown; samples: number; error: string | undefined };
}

export class StepProfiler {
  private session: Session | undefined;
  private startedAt = 0;
  private cpuError: string | undefined;
  private heapError: string | undefined;

  constructor(private readonly settings: ProfilerSettings) {}

  start(): void {
    const { cpuIntervalUs, heapIntervalBytes } = this.settings;
    try {
      if (!this.session) {
        this.session = new Session();
        this.session.connect();
        if (cpuIntervalUs) {
          this.post('Profiler.enable');
          this.post('Profiler.setSamplingInterval', { interval: cpuIntervalUs });
        }
        if (heapIntervalBytes) this.post('HeapProfiler.enable');
      }
    } catch (e) {
      this.cpuError = this.heapError = `the inspector session could not start: ${(e as Error).message}`;
      return;
    }
    if (cpuIntervalUs && !this.cpuError) {
      try {
        this.post('Profiler.start');
      } catch (e) {
        this.cpuError = `the CPU profiler could not start: ${(e as Error).message}`;
      }
    }
    if (heapIntervalBytes && !this.heapError) {
      try {
        this.post('HeapProfiler.startSampling', { samplingInterval: heapIntervalBytes });
      } catch (e) {
        this.heapError = `the heap profiler could not start: ${(e as Error).message}`;
      }
    }
    this.startedAt = now();
  }

  /** The step's profiles; the CPU one without the samples taken before `steadyFrom` (this worker's clock, ms). */
  async stop(steadyFrom: number): Promise<StepProfiles> {
    const out: StepProfiles = {};
    if (this.settings.cpuIntervalUs) {
      let profile: CpuProfile | undefined;
      if (!this.cpuError) {
        try {
          const p = (this.post('Profiler.stop') as { profile: CpuProfile }).profile;
          profile = trim(p, p.startTime + Math.max(0, steadyFrom - this.startedAt) * 1000);
        } catch (e) {
          this.cpuError = `the CPU profiler could not stop: ${(e as Error).message}`;
        }
      }
      out.cpu = { profile, samples: profile?.samples.length ?? 0, error: this.cpuError };
    }
    if (this.settings.heapIntervalBytes) {
      let profile: { samples?: unknown[] } | undefined;
      if (!this.heapError) {
        try {
          // A full collection first (it answers later, not at once): what the profile then holds is what stayed.
          await this.postLater('HeapProfiler.collectGarbage');
          profile = (this.post('HeapProfiler.stopSampling') as { profile: { samples?: unknown[] } }).profile;
        } catch (e) {
          this.heapError = `the heap profiler could not stop: ${(e as Error).message}`;
        }
      }
      out.heap = { profile, samples: profile?.samples?.length ?? 0, error: this.heapError };
    }
    return out;
  }

  /** A full heap snapshot of this worker's isolate into `file` (v8.writeHeapSnapshot), written whole or not at all. */
  snapshot(file: string): { bytes: number; error: string | undefined } {
    const used = memoryUsage().heapUsed;
    if (used > SNAPSHOT_LIMIT_BYTES) return { bytes: 0, error: `the heap holds ${(used / 1048576).toFixed(0)} MiB, over the ${SNAPSHOT_LIMIT_BYTES / 1048576} MiB a snapshot is taken at` };
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeHeapSnapshot(tmp);
      renameSync(tmp, file);
      return { bytes: statSync(file).size, error: undefined };
    } catch (e) {
      rmSync(tmp, { force: true });
      return { bytes: 0, error: `the heap snapshot failed: ${(e as Error).message}` };
    }
  }

  /** For the commands that answer after post returns. */
  private postLater(method: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      (this.session as Session).post(method, {}, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  /** An in-thread session dispatches most commands at once: the callback has run when post returns (checked, not assumed). */
  private post(method: string, params?: object): unknown {
    let out: unknown;
    let failure: Error | null = null;
    let answered = false;
    (this.session as Session).post(method, params ?? {}, (err, res) => {
      answered = true;
      failure = err;
      out = res;
    });
    if (!answered) throw new Error(`the inspector did not answer ${method} at once`);
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
