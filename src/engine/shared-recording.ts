/**
 * A worker's recording in shared memory: the counters and HDR-layout counts
 * of the interval not yet posted, and its progress (the call in flight, a
 * heartbeat). The worker writes; the coordinator reads progress for liveness
 * and, when the worker dies, harvests what it measured since its last
 * snapshot. One buffer per worker id, reused by its replacements.
 */
import { COUNTS_LENGTH } from './recorder.js';

/** Float64 slots of the header. Times are the worker's performance.now() (ms). */
export const SLOT = {
  /** Plan step whose calls the pending interval holds (-1: none). */
  step: 0,
  /** 1 while the pending interval is inside the step's warm-up. */
  warmup: 1,
  /** Start of the pending interval. */
  intervalStart: 2,
  /** Milliseconds spent inside calls in the pending interval (written at flushes and waits). */
  busyMs: 3,
  /** Start of the latest call (a batch, in batched steps); changes with every call. */
  callStart: 4,
  /** Last time the loop showed life outside a call (waits, flushes). */
  beat: 5,
  /** The worker's performance.timeOrigin: epoch ms = origin + worker time. */
  origin: 6,
  /** Snapshots posted by this incarnation. */
  posted: 7,
  /** Open loop, pending interval: calls started more than lateAfter past their intended time. */
  late: 8,
  /** Open loop, pending interval: arrivals skipped because they could not start within dropAfter. */
  dropped: 9,
  /** Calls that completed past the step's nominal end: run, outside every window. */
  overran: 10,
} as const;
export const HEADER_SLOTS = 16;

/**
 * The counts arrays, in order after the header. Calls and errors are not
 * counted apart: they are the totals of `ok` plus `failed`, and of `failed`.
 * A mix adds an `ok` and a `failed` array per function after these (fnOk, fnFailed).
 */
export const HIST = { ok: 0, failed: 1, service: 2, lag: 3 } as const;
const HISTS = 4;
export const fnOk = (k: number): number => HISTS + 2 * k;
export const fnFailed = (k: number): number => HISTS + 2 * k + 1;

/** The buffer for a worker's recording; `functions` > 0 for a mix. */
export const sharedRecordingBytes = (functions = 0): number => (HEADER_SLOTS + (HISTS + 2 * functions) * COUNTS_LENGTH) * Float64Array.BYTES_PER_ELEMENT;
export const SHARED_RECORDING_BYTES = sharedRecordingBytes(0);

export class SharedRecording {
  readonly slots: Float64Array;
  readonly counts: Float64Array[];
  /** Functions of a mix recorded apart (0: a single extractor). */
  readonly functions: number;

  /** A view of an existing buffer (the worker's side); `create()` makes a new, empty one. */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.slots = new Float64Array(buffer, 0, HEADER_SLOTS);
    const arrays = Math.floor((buffer.byteLength / 8 - HEADER_SLOTS) / COUNTS_LENGTH);
    this.functions = (arrays - HISTS) / 2;
    this.counts = Array.from({ length: arrays }, (_, k) => new Float64Array(buffer, (HEADER_SLOTS + k * COUNTS_LENGTH) * 8, COUNTS_LENGTH));
  }

  static create(functions = 0): SharedRecording {
    const r = new SharedRecording(new SharedArrayBuffer(sharedRecordingBytes(functions)));
    r.reset();
    return r;
  }

  /** Empty: nothing pending, no call in flight. */
  reset(): void {
    this.slots.fill(0);
    this.slots[SLOT.step] = -1;
    this.slots[SLOT.callStart] = -1;
    for (const c of this.counts) c.fill(0);
  }
}
