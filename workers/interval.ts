/**
 * The worker's pending interval: its counters and counts live in shared
 * memory (so a worker that dies loses nothing it measured: the coordinator
 * harvests them), its error samples in a small map. `flush` posts it as one
 * snapshot and starts the next.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ErrorSample, WorkerMessage } from '../src/engine/protocol.js';
import { FastRecorder, type SparseCounts } from '../src/engine/recorder.js';
import { threadCpuMs } from '../src/engine/thread-cpu.js';
import { fnFailed, fnOk, HIST, SharedRecording, SLOT } from '../src/engine/shared-recording.js';
import { toError } from '../src/errors.js';
import { memoryUsage, now, ORIGIN, post } from './clock.js';
import type { PairedBlocks } from './paired.js';

const MAX_ERROR_SAMPLES = 20;

class Recording {
  constructor(readonly rec: FastRecorder) {}
  /** The interval's values as sparse pairs, and how many there were; resets. */
  take(): { pairs: SparseCounts; count: number } {
    return this.rec.takeSparse();
  }
}

export class Interval {
  readonly sh: SharedRecording;
  /** The shared header: step, busy time, progress (see SLOT). */
  readonly slots: Float64Array;
  readonly ok: Recording;
  readonly failed: Recording;
  readonly service: Recording;
  readonly lag: Recording;
  /** A mix: each function's successful and failed calls, recorded beside the blend. */
  readonly fnOk: Recording[];
  readonly fnFailed: Recording[];
  private samples = new Map<string, ErrorSample>();
  /** Calls per pair of timer reads for the pending interval (set by the drive loop). */
  batch = 1;
  /** Thread CPU at the start of the pending interval (null where it cannot be read). */
  private cpuAt: number | null = threadCpuMs();
  /** Paired A/B: the cycles that go out with each snapshot. */
  paired: PairedBlocks | undefined;

  constructor(buffer: SharedArrayBuffer, private readonly port: MessagePort, private readonly workerId: number) {
    this.sh = new SharedRecording(buffer);
    this.slots = this.sh.slots;
    const rec = (k: number): Recording => new Recording(new FastRecorder(this.sh.counts[k]));
    this.ok = rec(HIST.ok);
    this.failed = rec(HIST.failed);
    this.service = rec(HIST.service);
    this.lag = rec(HIST.lag);
    this.fnOk = Array.from({ length: this.sh.functions }, (_, k) => rec(fnOk(k)));
    this.fnFailed = Array.from({ length: this.sh.functions }, (_, k) => rec(fnFailed(k)));
    this.slots[SLOT.origin] = ORIGIN;
    this.slots[SLOT.beat] = now();
  }

  /** Run the snapshot path once before timing starts, so its first compilation is not inside a step. */
  warm(): void {
    const r = new FastRecorder();
    for (let v = 1; v < 1e9; v *= 3) r.record(v);
    r.takeSparse();
    memoryUsage();
  }

  /** Start a step's first interval. */
  begin(step: number, warmup: boolean, t: number): void {
    const sl = this.slots;
    sl[SLOT.step] = step;
    sl[SLOT.warmup] = warmup ? 1 : 0;
    sl[SLOT.intervalStart] = t;
    sl[SLOT.beat] = t;
  }

  get startT(): number {
    return this.slots[SLOT.intervalStart] as number;
  }

  /** Keep a thrown value's message (after the call's timer was read: bookkeeping is not latency). */
  error(thrown: unknown): void {
    const e = toError(thrown);
    const s = this.samples.get(e.message);
    if (s) s.count++;
    else if (this.samples.size < MAX_ERROR_SAMPLES) this.samples.set(e.message, { message: e.message, count: 1, stack: e.stack });
    else {
      const other = this.samples.get('(other errors)');
      if (other) other.count++;
      else this.samples.set('(other errors)', { message: '(other errors)', count: 1, stack: undefined });
    }
  }

  /**
   * Post the pending interval and start the next at `endT`. `warmupEnd`
   * decides whether the next interval is warm-up; snapshots never straddle it.
   */
  flush(final: boolean, endT: number, open: boolean, warmupEnd: number): void {
    const sl = this.slots;
    const mem = memoryUsage();
    const ok = this.ok.take();
    const failed = this.failed.take();
    const cpu = threadCpuMs();
    const cpuMs = cpu === null || this.cpuAt === null ? null : cpu - this.cpuAt;
    this.cpuAt = cpu;
    const msg: WorkerMessage = {
      type: 'snapshot',
      workerId: this.workerId,
      step: sl[SLOT.step] as number,
      warmup: sl[SLOT.warmup] === 1,
      final,
      startMs: ORIGIN + (sl[SLOT.intervalStart] as number),
      endMs: ORIGIN + endT,
      calls: ok.count + failed.count,
      errors: failed.count,
      errorSamples: [...this.samples.values()],
      histogram: ok.pairs,
      failures: failed.pairs,
      busyMs: sl[SLOT.busyMs] as number,
      cpuMs,
      batch: this.batch,
      service: open ? this.service.take().pairs : undefined,
      lag: open ? this.lag.take().pairs : undefined,
      late: sl[SLOT.late] as number,
      dropped: sl[SLOT.dropped] as number,
      overran: sl[SLOT.overran] as number,
      heapUsedBytes: mem.heapUsed,
      externalBytes: mem.external,
      arrayBuffersBytes: mem.arrayBuffers,
      fns: this.fnOk.length ? this.fnOk.map((r, k) => ({ histogram: r.take().pairs, failures: (this.fnFailed[k] as Recording).take().pairs })) : undefined,
      cycles: this.paired?.take(),
    };
    // Counters are cleared before the post, so a harvest after a death never counts them twice.
    sl[SLOT.busyMs] = 0;
    sl[SLOT.late] = 0;
    sl[SLOT.dropped] = 0;
    sl[SLOT.overran] = 0;
    sl[SLOT.intervalStart] = endT;
    sl[SLOT.warmup] = endT < warmupEnd ? 1 : 0;
    sl[SLOT.beat] = endT;
    sl[SLOT.posted]!++;
    this.samples = new Map();
    // The pairs' buffers move to the coordinator instead of being copied.
    post(this.port, msg, transferOf(msg));
  }
}

function transferOf(m: WorkerMessage): ArrayBuffer[] {
  if (m.type !== 'snapshot') return [];
  const out = [m.histogram.buffer, m.failures.buffer];
  if (m.service) out.push(m.service.buffer);
  if (m.lag) out.push(m.lag.buffer);
  for (const f of m.fns ?? []) out.push(f.histogram.buffer, f.failures.buffer);
  if (m.cycles) out.push(m.cycles.buffer);
  return out as ArrayBuffer[];
}
