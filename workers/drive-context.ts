/**
 * What every drive loop shares: the task, the control words, the pending
 * interval, the extractor and its rows, and the waits that keep the shared
 * heartbeat moving. The loops themselves live in closed-loop.ts and open-loop.ts.
 */
import { seededRandom } from '../src/analysis/random.js';
import { CLOCK, CTRL, type DriveTask, type StepConfig } from '../src/engine/protocol.js';
import { SLOT } from '../src/engine/shared-recording.js';
import type { ExtractorContext, ExtractorFn } from '../src/extractor/load.js';
import { atomicsLoad, atomicsWait, mathMin, now, ORIGIN } from './clock.js';
import { Interval } from './interval.js';
import { Mix, type MixFunctionRuntime } from './mix.js';
import { PairedBlocks } from './paired.js';
import type { FastRecorder } from '../src/engine/recorder.js';
import type { LoadedExtractor } from '../src/extractor/load.js';

/** One function of a mix as the driver loaded it. */
export interface MixLoaded {
  fn: ExtractorFn;
  state: unknown;
  teardown: LoadedExtractor['teardown'];
  /** Its rows made on demand: by a data module, or read from rows shared by all workers. */
  source?: (() => unknown) | undefined;
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/** Below this many ms of waiting, spin; above it, sleep and wake this much early. */
const SPIN_MS = 0.08;

/** What one `now()` costs on this machine, in ms (the median of five runs of 20 000 reads). */
function timerReadMs(): number {
  const runs: number[] = [];
  for (let k = 0; k < 5; k++) {
    const a = now();
    let x = 0;
    for (let i = 0; i < 20_000; i++) x += now();
    const b = now();
    if (x === -1) runs.push(0); // keep the loop from being optimised away
    runs.push((b - a) / 20_000);
  }
  runs.sort((p, q) => p - q);
  return runs[2] as number;
}

export class DriveContext {
  readonly ctrl: Int32Array;
  readonly clock: Float64Array;
  readonly iv: Interval;
  readonly ctx: ExtractorContext;
  /** A private cell to Atomics.wait on: a precise sleep for a thread with nothing else to do. */
  private readonly sleepCell = new Int32Array(new SharedArrayBuffer(4));
  row = 0;
  rand = seededRandom(1);
  /** Where every call's result goes (see the drive loops): a value that escapes is a value computed. */
  sink: unknown;
  /** A batch's promise to await, or the error a call threw (driveBatched). */
  pending: unknown;
  /** Automatic batching: 0 not decided yet, 1 per-call timing, n > 1 calls per timed batch. */
  autoBatch = 0;
  /** The cost of one timer read here (ms), measured once. */
  readonly timerMs = timerReadMs();

  /** A weighted mix: the functions, and which one each call goes to. */
  readonly mix: Mix | undefined;

  /** Paired A/B: the mix's two sides take turns in blocks (workers/paired.ts). */
  readonly paired: PairedBlocks | undefined;

  /** Rows made on demand: by a data module, or read from rows shared by all workers (undefined: task.rows, cycled). */
  readonly rowSource: (() => unknown) | undefined;

  constructor(readonly task: DriveTask, readonly fn: ExtractorFn, state: unknown, mixLoaded?: MixLoaded[], rowSource?: () => unknown) {
    this.rowSource = rowSource;
    this.ctrl = new Int32Array(task.control);
    this.clock = new Float64Array(task.clock);
    this.iv = new Interval(task.recording, task.port, task.workerId);
    this.ctx = { workerId: task.workerId, iteration: 0, state };
    if (task.mix && mixLoaded) {
      const fns: MixFunctionRuntime[] = mixLoaded.map((l, k) => ({
        index: k, fn: l.fn, ctx: { workerId: task.workerId, iteration: 0, state: l.state }, rows: task.mix?.[k]?.rows ?? task.rows, row: 0, source: l.source,
        teardown: l.teardown, ok: (this.iv.fnOk[k] as { rec: FastRecorder }).rec, failed: (this.iv.fnFailed[k] as { rec: FastRecorder }).rec,
      }));
      // Each worker its own stretch of the sequence: together they still spread evenly.
      this.mix = new Mix(fns, task.mix.map((m) => m.weight), ((task.mixSeed ?? 0) + task.workerId * 0.381966) % 1);
    }
    this.paired = task.paired && this.mix?.fns.length === 2 ? new PairedBlocks(task.paired.blockMs, 0) : undefined;
    this.iv.paired = this.paired;
  }

  /** Paired A/B: a step starts at worker time t0, its cycles kept from warmupEnd on. */
  beginPaired(warmupEnd: number): void {
    this.paired?.begin((this.clock[CLOCK.runStart] as number) - ORIGIN, warmupEnd);
  }

  nextRow(): unknown {
    if (this.rowSource !== undefined) return this.rowSource();
    const rows = this.task.rows;
    if (rows.length === 0) return undefined;
    const r = rows[this.row];
    if (++this.row === rows.length) this.row = 0;
    return r;
  }

  genChanged(gen: number): boolean {
    return atomicsLoad(this.ctrl, CTRL.generation) !== gen;
  }

  /**
   * The next snapshot boundary after t (this worker's clock): every worker
   * flushes on one grid of the run's intervals, so each snapshot falls in
   * exactly one bucket of the time series and a steady load draws a flat line.
   */
  private gridNext(t: number): number {
    const interval = this.task.snapshotIntervalMs;
    const origin = this.clock[CLOCK.runStart] as number;
    if (!(origin > 0)) return t + interval;
    const k = Math.floor((ORIGIN + t - origin) / interval) + 1;
    return origin + k * interval - ORIGIN;
  }

  /** The first flush time of a step started at t0. */
  firstFlush(t0: number, warmupMs: number): number {
    const next = this.gridNext(t0);
    return warmupMs > 0 ? mathMin(t0 + warmupMs, next) : next;
  }

  /** Flush if due; returns the next flush time. */
  flushIfDue(t: number, nextFlush: number, warmupEnd: number, open: boolean): number {
    if (t < nextFlush) return nextFlush;
    this.iv.flush(false, t, open, warmupEnd);
    const next = this.gridNext(t);
    return t < warmupEnd ? mathMin(next, warmupEnd) : next;
  }

  /**
   * Block until epoch time `target`; false if the step changed meanwhile.
   * Sleeps most of the wait (a low rate must not burn a core) and spins only
   * the last fraction of a millisecond; `beat` runs at least every 50 ms.
   */
  waitUntil(target: number, gen: number, beat: (t: number, leftMs: number) => void): boolean {
    const sl = this.iv.slots;
    for (;;) {
      const t = now();
      const d = target - (ORIGIN + t);
      if (d <= 0) return true;
      if (this.genChanged(gen)) return false;
      sl[SLOT.beat] = t;
      beat(t, d);
      if (d > SPIN_MS) atomicsWait(this.sleepCell, 0, 0, mathMin(d - SPIN_MS, 50));
    }
  }

  thinkFor(cfg: StepConfig): number {
    const [lo, hi] = cfg.thinkMs as [number, number];
    return lo + (hi - lo) * this.rand();
  }

  /** Think time between calls; keeps snapshots flowing. Returns the next flush time. */
  think(cfg: StepConfig, gen: number, warmupEnd: number, nextFlush: number): number {
    const until = ORIGIN + now() + this.thinkFor(cfg);
    let next = nextFlush;
    this.waitUntil(until, gen, (t) => {
      next = this.flushIfDue(t, next, warmupEnd, false);
    });
    return next;
  }
}
