/**
 * Everything that crosses between the coordinator and a worker: the task a
 * worker is given, the control words it reads, and the messages it posts.
 * A union tagged by `type`; no other file defines a message.
 */
import type { MessagePort } from 'node:worker_threads';
import type { SparseCounts } from './recorder.js';
import type { SharedRows } from '../data/shared-rows.js';
import type { Stride } from './schedule.js';

/** Int32 slots of the shared control buffer. */
export const CTRL = {
  /** Bumped on every change; workers Atomics.wait on it. */
  generation: 0,
  /** Index of the plan step being driven (-1 before the first). */
  step: 1,
  /** 1 once the run is stopping. */
  stop: 2,
  /** Iterations claimed so far in a counted step; open loop: arrivals claimed (Atomics.add). */
  claimed: 3,
  /** Spin lock over the Poisson schedule's next arrival (clock slot 1). */
  lock: 4,
  /** The current open-loop step's schedule seed. */
  seed: 5,
  /** A dynamic step's (capacity probe's) worker threads and in-flight calls. */
  workers: 6,
  concurrency: 7,
} as const;
export const CTRL_SLOTS = 8;

/** Float64 slots of the shared clock buffer. */
export const CLOCK = {
  /** The current open-loop step's schedule start (epoch ms). */
  start: 0,
  /** Poisson: offset (ms from start) of the next unclaimed arrival, under CTRL.lock. */
  nextArrival: 1,
  /** The run's time origin (epoch ms): snapshots are taken on its grid of intervals. */
  runStart: 2,
  /** A dynamic step's offered rate (calls/s, open loop) and duration (ms). */
  rate: 3,
  duration: 4,
} as const;
export const CLOCK_SLOTS = 5;

export interface StepConfig {
  /** Worker threads active in this step (ids below this run). */
  workers: number;
  /** Concurrent calls per worker (closed loop, async extractors). */
  lanes: number;
  /** In-flight calls for the whole step; the last worker may run fewer lanes. */
  concurrency: number;
  warmupMs: number;
  /** Set for counted steps: total calls across all workers. */
  iterations: number | undefined;
  durationMs: number | undefined;
  /** Open loop: calls follow a schedule of intended start times (seed in CTRL.seed). */
  open: { rate: number; arrival: 'uniform' | 'poisson'; lateAfterMs: number; dropAfterMs: number; stride?: Stride | undefined } | undefined;
  thinkMs: [number, number] | undefined;
  /** Calls per pair of timer reads; 1 times each call. */
  batch: number;
  /** Without a batchSize in the profile, the worker may pick one for sub-µs calls. */
  autoBatch: boolean;
  /** A capacity probe: workers, concurrency, rate and duration are read from the shared words when it starts. */
  dynamic: boolean;
  /** Run the task's profilers over this step (task.profiling). */
  profile: boolean;
}

export interface DriveTask {
  workerId: number;
  port: MessagePort;
  control: SharedArrayBuffer;
  /** Float64 slots, see CLOCK. */
  clock: SharedArrayBuffer;
  /** This worker id's SharedRecording: pending counts, counters and progress. */
  recording: SharedArrayBuffer;
  extractorPath: string;
  exportName: string | undefined;
  extractorOptions: unknown;
  rows: unknown[];
  snapshotIntervalMs: number;
  steps: StepConfig[];
  /** A data module (src/data/module.ts) this worker loads for its rows, instead of `rows`. */
  dataModule?: string | undefined;
  /** A large data file's rows, held once for all workers (src/data/shared-rows.ts), instead of `rows`. */
  sharedRows?: SharedRows | undefined;
  /** A weighted mix: every function is loaded, and each call goes to one by weight (seeded by `mixSeed`). */
  mix?: MixTask[] | undefined;
  mixSeed?: number | undefined;
  /** Paired A/B (strain ab): a two-function mix whose sides take turns in A B B A blocks of blockMs (workers/paired.ts). */
  paired?: { blockMs: number } | undefined;
  /** Pin this worker's thread to this CPU before loading the extractor. */
  pinCpu: number | undefined;
  /** The profilers to run in profiled steps (sampling intervals), when any step is profiled. */
  profiling: {
    cpuIntervalUs: number | undefined;
    heapIntervalBytes: number | undefined;
    /** Take a heap snapshot at the end of the last profiled step, into snapshotDir. */
    heapSnapshot: boolean;
    snapshotDir: string | undefined;
  } | undefined;
}

export interface MixTask {
  name: string;
  /** This function's own data module (its rows are made in the worker). */
  dataModule?: string | undefined;
  /** This function's own rows, shared by all workers. */
  sharedRows?: SharedRows | undefined;
  extractorPath: string;
  exportName: string | undefined;
  extractorOptions: unknown;
  /** Its own rows; undefined: the task's rows. */
  rows: unknown[] | undefined;
  weight: number;
}

export interface ErrorSample {
  message: string;
  count: number;
  stack: string | undefined;
}

export type LoadFailureCode = 'STRAIN_EXTRACTOR_LOAD' | 'STRAIN_EXTRACTOR_EXPORT' | 'STRAIN_EXTRACTOR_SETUP';

export interface ReadyMessage {
  type: 'ready';
  workerId: number;
  async: boolean;
  /** The worker thread's kernel id, and the pinning outcome when asked for. */
  tid: number | undefined;
  pinError: string | undefined;
}

export interface LoadFailedMessage {
  type: 'load-failed';
  workerId: number;
  code: LoadFailureCode;
  message: string;
  stack: string | undefined;
}

export interface SnapshotMessage {
  type: 'snapshot';
  workerId: number;
  step: number;
  /** True while inside the step's warm-up window. */
  warmup: boolean;
  /** Last snapshot of this step from this worker. */
  final: boolean;
  /** Epoch milliseconds (timeOrigin + performance.now()). */
  startMs: number;
  endMs: number;
  /** Calls that completed, successes and failures; `errors` of them failed. */
  calls: number;
  errors: number;
  errorSamples: ErrorSample[];
  /** Nanoseconds as sparse [bucket index, count] pairs (recorder.ts), successful calls only. Open loop: from intended start to completion. */
  histogram: SparseCounts;
  /** The failed calls' latency, measured the same way. */
  failures: SparseCounts;
  /** Milliseconds spent inside calls (the code under test's busy time). */
  busyMs: number;
  /** The worker thread's own CPU time over the interval (Linux /proc; null elsewhere). */
  cpuMs: number | null;
  /** Calls per pair of timer reads in this interval (1: each call timed). */
  batch: number;
  /** Open loop only: service time (call start to end) and dispatch lag (intended to actual start). */
  service: SparseCounts | undefined;
  lag: SparseCounts | undefined;
  /** Open loop: calls that started more than lateAfter past their intended time. */
  late: number;
  /** Open loop: calls skipped because they could not start within dropAfter. */
  dropped: number;
  /** Closed loop: calls that completed past the step's nominal end (outside its window, not in `calls`). */
  overran: number;
  /** The worker isolate's memory: V8 heap used, external memory, array buffers (part of external). */
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  /** Set by the coordinator on what it harvested from a dead worker's shared memory. */
  harvested?: boolean;
  /** A mix: each function's successful and failed calls (sparse pairs, as histogram and failures), in mix order. */
  fns?: { histogram: SparseCounts; failures: SparseCounts }[] | undefined;
  /** Paired A/B: the A B B A cycles closed in this interval, [cycle, A ms, A calls, B ms, B calls] each (workers/paired.ts). */
  cycles?: Float64Array | undefined;
}

export interface DoneMessage {
  type: 'done';
  workerId: number;
  teardownError: string | undefined;
}

/** A step's CPU or heap profile from one worker, sent after its last snapshot of the step. */
export interface ProfileMessage {
  type: 'profile';
  workerId: number;
  step: number;
  kind: 'cpu' | 'heap';
  /** The V8 .cpuprofile (steady part only) or .heapprofile as JSON text; undefined when profiling failed. */
  profile: string | undefined;
  samples: number;
  error: string | undefined;
}

/** A heap snapshot one worker wrote (or why it did not). */
export interface HeapSnapshotMessage {
  type: 'heap-snapshot';
  workerId: number;
  step: number;
  file: string | undefined;
  bytes: number;
  error: string | undefined;
}

export type WorkerMessage = ReadyMessage | LoadFailedMessage | SnapshotMessage | DoneMessage | ProfileMessage | HeapSnapshotMessage;

const isInt = (v: unknown): v is number => Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const optStr = (v: unknown): boolean => v === undefined || typeof v === 'string';
const isPairs = (v: unknown): v is SparseCounts => v instanceof Float64Array && v.length % 2 === 0;
const optPairs = (v: unknown): boolean => v === undefined || isPairs(v);

/**
 * Check a message's shape before the coordinator acts on it. Messages come
 * from our own worker, but a coordinator that trusts blindly can be brought
 * down by one bad value; this returns undefined instead.
 */
export function parseWorkerMessage(raw: unknown): WorkerMessage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const m = raw as Record<string, unknown>;
  if (!isInt(m['workerId'])) return undefined;
  switch (m['type']) {
    case 'ready':
      return typeof m['async'] === 'boolean' && (m['tid'] === undefined || isInt(m['tid'])) && optStr(m['pinError']) ? (m as unknown as ReadyMessage) : undefined;
    case 'load-failed':
      return isStr(m['code']) && isStr(m['message']) && optStr(m['stack']) ? (m as unknown as LoadFailedMessage) : undefined;
    case 'done':
      return optStr(m['teardownError']) ? (m as unknown as DoneMessage) : undefined;
    case 'heap-snapshot':
      return isInt(m['step']) && optStr(m['file']) && isInt(m['bytes']) && optStr(m['error']) ? (m as unknown as HeapSnapshotMessage) : undefined;
    case 'profile':
      return isInt(m['step']) && (m['kind'] === 'cpu' || m['kind'] === 'heap') && optStr(m['profile']) && isInt(m['samples']) && optStr(m['error']) ? (m as unknown as ProfileMessage) : undefined;
    case 'snapshot': {
      const ok = isInt(m['step']) && (m['step'] as number) >= 0 && typeof m['warmup'] === 'boolean' && typeof m['final'] === 'boolean'
        && isNum(m['startMs']) && isNum(m['endMs']) && isInt(m['calls']) && (m['calls'] as number) >= 0
        && isInt(m['errors']) && (m['errors'] as number) >= 0 && isPairs(m['histogram']) && isPairs(m['failures']) && optPairs(m['service']) && optPairs(m['lag'])
        && (m['errors'] as number) <= (m['calls'] as number) && isNum(m['busyMs']) && (m['cpuMs'] === null || isNum(m['cpuMs'])) && isInt(m['batch']) && (m['batch'] as number) >= 1
        && isInt(m['late']) && isInt(m['dropped']) && isInt(m['overran']) && isNum(m['heapUsedBytes']) && isNum(m['externalBytes']) && isNum(m['arrayBuffersBytes'])
        && Array.isArray(m['errorSamples'])
        && (m['cycles'] === undefined || (m['cycles'] instanceof Float64Array && m['cycles'].length % 5 === 0))
        && (m['fns'] === undefined || (Array.isArray(m['fns']) && (m['fns'] as unknown[]).every((f) => f !== null && typeof f === 'object' && isPairs((f as Record<string, unknown>)['histogram']) && isPairs((f as Record<string, unknown>)['failures']))))
        && (m['errorSamples'] as unknown[]).every((e) => e !== null && typeof e === 'object' && isStr((e as ErrorSample).message) && isInt((e as ErrorSample).count));
      return ok ? (m as unknown as SnapshotMessage) : undefined;
    }
    default:
      return undefined;
  }
}
