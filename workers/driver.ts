/**
 * The worker entry: one long-lived drive task per worker. It loads the
 * extractor once, then loops over it for as many steps as the coordinator
 * asks, timing each call and posting one snapshot per interval. It reads its
 * orders from shared control words and talks only through the protocol.
 */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Histogram } from 'hdr-histogram-js';
import { seededRandom } from '../src/analysis/random.js';
import { encodeHistogram, newHistogram } from '../src/engine/histogram.js';
import { CTRL, type DriveTask, type ErrorSample, type StepConfig, type WorkerMessage } from '../src/engine/protocol.js';
import { FastRecorder } from '../src/engine/recorder.js';
import { currentTid, pinThread } from '../src/engine/pinning.js';
import { ExtractorLoadError, loadExtractor, type ExtractorContext, type ExtractorFn } from '../src/extractor/load.js';
import { toError } from '../src/errors.js';

const MAX_ERROR_SAMPLES = 20;
const ORIGIN = performance.timeOrigin;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

class Recording {
  readonly hist: Histogram = newHistogram();
  readonly rec = new FastRecorder(this.hist);
  encode(): string {
    this.rec.drainInto(this.hist);
    const s = encodeHistogram(this.hist);
    this.hist.reset();
    return s;
  }
}

/** One interval's counters; reset after each snapshot so nothing grows with run length. */
class Interval {
  readonly latency = new Recording();
  readonly service = new Recording();
  readonly lag = new Recording();
  calls = 0;
  errors = 0;
  late = 0;
  dropped = 0;
  samples = new Map<string, ErrorSample>();
  startT = 0;

  error(thrown: unknown): void {
    this.errors++;
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
}

class Driver {
  private readonly ctrl: Int32Array;
  private readonly clock: Float64Array;
  /** A private cell to Atomics.wait on: a precise sleep for a thread with nothing else to do. */
  private readonly sleepCell = new Int32Array(new SharedArrayBuffer(4));
  private readonly iv = new Interval();
  private elu = performance.eventLoopUtilization();
  private row = 0;
  private readonly ctx: ExtractorContext;
  private rand = seededRandom(1);

  constructor(private readonly task: DriveTask, private readonly fn: ExtractorFn, state: unknown) {
    this.ctrl = new Int32Array(task.control);
    this.clock = new Float64Array(task.clock);
    this.ctx = { workerId: task.workerId, iteration: 0, state };
  }

  private nextRow(): unknown {
    const rows = this.task.rows;
    if (rows.length === 0) return undefined;
    const r = rows[this.row];
    if (++this.row === rows.length) this.row = 0;
    return r;
  }

  private flush(step: number, warmup: boolean, final: boolean, endT: number, open: boolean, scheduled = 0): void {
    const iv = this.iv;
    const elu = performance.eventLoopUtilization(this.elu);
    this.elu = performance.eventLoopUtilization();
    this.task.port.postMessage({
      type: 'snapshot',
      workerId: this.task.workerId,
      step,
      warmup,
      final,
      startMs: ORIGIN + iv.startT,
      endMs: ORIGIN + endT,
      calls: iv.calls,
      errors: iv.errors,
      errorSamples: [...iv.samples.values()],
      histogram: iv.latency.encode(),
      service: open ? iv.service.encode() : undefined,
      lag: open ? iv.lag.encode() : undefined,
      late: iv.late,
      dropped: iv.dropped,
      scheduled,
      heapUsedBytes: getHeapStatistics().used_heap_size,
      elu: elu.utilization,
    } satisfies WorkerMessage);
    iv.calls = 0;
    iv.errors = 0;
    iv.late = 0;
    iv.dropped = 0;
    iv.samples = new Map();
    iv.startT = endT;
  }

  private genChanged(gen: number): boolean {
    return Atomics.load(this.ctrl, CTRL.generation) !== gen;
  }

  /**
   * Block until epoch time `target`; false if the step changed meanwhile.
   * `beat` runs at least every 50 ms so snapshots (heartbeats) keep flowing.
   */
  private waitUntil(target: number, gen: number, beat: () => void): boolean {
    for (;;) {
      const d = target - (ORIGIN + performance.now());
      if (d <= 0) return true;
      if (this.genChanged(gen)) return false;
      beat();
      // Sleep most of the wait, spin the last millisecond for precision.
      if (d > 1.5) Atomics.wait(this.sleepCell, 0, 0, Math.min(d - 1, 50));
    }
  }

  private thinkFor(cfg: StepConfig): number {
    const [lo, hi] = cfg.thinkMs as [number, number];
    return lo + (hi - lo) * this.rand();
  }

  /** Think time between calls; keeps heartbeats flowing. Returns the next flush time. */
  private think(cfg: StepConfig, gen: number, step: number, warmupEnd: number, nextFlush: number): number {
    const until = ORIGIN + performance.now() + this.thinkFor(cfg);
    let next = nextFlush;
    this.waitUntil(until, gen, () => {
      const t = performance.now();
      if (t >= next) {
        this.flush(step, this.iv.startT < warmupEnd, false, t, false);
        next = t + this.task.snapshotIntervalMs;
      }
    });
    return next;
  }

  /** Closed loop, one call at a time: the fast path. */
  async driveClosed(step: number, cfg: StepConfig, gen: number): Promise<void> {
    const { ctrl, iv, fn, ctx } = this;
    const rec = iv.latency.rec;
    const rows = this.task.rows;
    const nRows = rows.length;
    const interval = this.task.snapshotIntervalMs;
    const counted = cfg.iterations !== undefined;
    const limit = cfg.iterations ?? 0;
    const thinking = cfg.thinkMs !== undefined;
    const t0 = performance.now();
    const warmupEnd = t0 + cfg.warmupMs;
    iv.startT = t0;
    let nextFlush = cfg.warmupMs > 0 ? Math.min(warmupEnd, t0 + interval) : t0 + interval;
    let r = this.row;
    let asyncMode = false;
    // The control word is read at most every 0.5 ms: a float compare per call
    // is cheaper than an atomic load, and a step change still lands within
    // half a millisecond (plus the call in progress).
    let nextCheck = t0;
    for (;;) {
      if (counted && Atomics.add(ctrl, CTRL.claimed, 1) >= limit) break;
      const input = nRows === 0 ? undefined : rows[r];
      if (++r === nRows) r = 0;
      const a = performance.now();
      try {
        const out = fn(input, ctx);
        // Sync extractors never await, so the loop never yields for them.
        if (asyncMode || isThenable(out)) {
          asyncMode = true;
          await out;
        }
      } catch (e) {
        iv.error(e);
      }
      const b = performance.now();
      ctx.iteration++;
      iv.calls++;
      rec.record(Math.round((b - a) * 1e6));
      if (b >= nextCheck) {
        if (Atomics.load(ctrl, CTRL.generation) !== gen) break;
        nextCheck = b + 0.5;
      }
      if (b >= nextFlush) {
        this.flush(step, iv.startT < warmupEnd, false, b, false);
        nextFlush = b + interval;
        if (b < warmupEnd) nextFlush = Math.min(nextFlush, warmupEnd);
      }
      // A method, not a closure: capturing nextFlush here would move it off
      // the hot loop's registers (it cost about 15% of the no-op rate here).
      if (thinking) nextFlush = this.think(cfg, gen, step, warmupEnd, nextFlush);
    }
    this.row = r;
    this.flush(step, iv.startT < warmupEnd, true, performance.now(), false);
  }

  /**
   * Closed loop timing `batch` calls per pair of timer reads: under ~1 µs a
   * call, per-call timing measures the timer itself. Each call is recorded at
   * its batch's mean, and the result says the step was batched.
   */
  async driveBatched(step: number, cfg: StepConfig, gen: number): Promise<void> {
    const { ctrl, iv, fn, ctx } = this;
    const rec = iv.latency.rec;
    const interval = this.task.snapshotIntervalMs;
    const counted = cfg.iterations !== undefined;
    const limit = cfg.iterations ?? 0;
    const t0 = performance.now();
    const warmupEnd = t0 + cfg.warmupMs;
    iv.startT = t0;
    let nextFlush = cfg.warmupMs > 0 ? Math.min(warmupEnd, t0 + interval) : t0 + interval;
    for (;;) {
      if (Atomics.load(ctrl, CTRL.generation) !== gen) break;
      let n = cfg.batch;
      if (counted) {
        const first = Atomics.add(ctrl, CTRL.claimed, n);
        n = Math.min(n, limit - first);
        if (n <= 0) break;
      }
      const a = performance.now();
      for (let k = 0; k < n; k++) {
        try {
          const out = fn(this.nextRow(), ctx);
          // A promise cannot be timed in a batch: await it, and the batch's figure says so by being slow.
          if (isThenable(out)) await out;
        } catch (e) {
          iv.error(e);
        }
        ctx.iteration++;
      }
      const b = performance.now();
      iv.calls += n;
      rec.recordN(Math.round(((b - a) * 1e6) / n), n);
      if (b >= nextFlush) {
        this.flush(step, iv.startT < warmupEnd, false, b, false);
        nextFlush = b + interval;
        if (b < warmupEnd) nextFlush = Math.min(nextFlush, warmupEnd);
      }
    }
    this.flush(step, iv.startT < warmupEnd, true, performance.now(), false);
  }

  /** Closed loop with several calls in flight per worker (async extractors). */
  async driveLanes(step: number, cfg: StepConfig, gen: number, lanes: number): Promise<void> {
    const { iv, fn, ctx } = this;
    const interval = this.task.snapshotIntervalMs;
    const counted = cfg.iterations !== undefined;
    const t0 = performance.now();
    const warmupEnd = t0 + cfg.warmupMs;
    iv.startT = t0;
    let nextFlush = cfg.warmupMs > 0 ? Math.min(warmupEnd, t0 + interval) : t0 + interval;
    const lane = async (): Promise<void> => {
      for (;;) {
        if (this.genChanged(gen)) return;
        if (counted && Atomics.add(this.ctrl, CTRL.claimed, 1) >= (cfg.iterations ?? 0)) return;
        const input = this.nextRow();
        const a = performance.now();
        try {
          await fn(input, { ...ctx, iteration: ctx.iteration++ });
        } catch (e) {
          iv.error(e);
        }
        const b = performance.now();
        iv.calls++;
        iv.latency.rec.record(Math.round((b - a) * 1e6));
        if (b >= nextFlush) {
          this.flush(step, iv.startT < warmupEnd, false, b, false);
          nextFlush = b + interval;
          if (b < warmupEnd) nextFlush = Math.min(nextFlush, warmupEnd);
        }
        if (cfg.thinkMs) await new Promise((res) => setTimeout(res, this.thinkFor(cfg)));
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    this.flush(step, iv.startT < warmupEnd, true, performance.now(), false);
  }

  /**
   * Open loop: every call has an intended start time from the schedule and
   * its latency is measured from there, so a stall anywhere shows up as
   * latency instead of a lower rate (no coordinated omission).
   */
  async driveOpen(step: number, cfg: StepConfig, gen: number): Promise<void> {
    const { iv, fn, ctx } = this;
    const open = cfg.open as NonNullable<StepConfig['open']>;
    const start = this.clock[0] as number;
    const end = start + (cfg.durationMs as number);
    const interval = this.task.snapshotIntervalMs;
    const gapMs = 1000 / open.rate;
    // Poisson: each worker an independent stream at rate/workers; together a Poisson stream at rate.
    const poissonMean = (gapMs * cfg.workers);
    const rand = seededRandom(step * 7919 + this.task.workerId * 104729 + 1);
    const expGap = (): number => -Math.log(1 - rand()) * poissonMean;
    let nextArrival = start + expGap();
    let scheduled = 0;
    const t0 = performance.now();
    const warmupEnd = t0 + cfg.warmupMs;
    iv.startT = t0;
    let nextFlush = cfg.warmupMs > 0 ? Math.min(warmupEnd, t0 + interval) : t0 + interval;
    for (;;) {
      if (this.genChanged(gen)) break;
      let intended: number;
      if (open.arrival === 'uniform') {
        intended = start + Atomics.add(this.ctrl, CTRL.claimed, 1) * gapMs;
      } else {
        intended = nextArrival;
        nextArrival += expGap();
      }
      if (intended >= end) break;
      scheduled++;
      const now = ORIGIN + performance.now();
      if (now < intended) {
        const beat = (): void => {
          const t = performance.now();
          if (t >= nextFlush) {
            this.flush(step, iv.startT < warmupEnd, false, t, true);
            nextFlush = t + interval;
            if (t < warmupEnd) nextFlush = Math.min(nextFlush, warmupEnd);
          }
        };
        if (!this.waitUntil(intended, gen, beat)) break;
      } else if (now - intended > open.dropAfterMs) {
        iv.dropped++;
        continue;
      }
      const input = this.nextRow();
      const a = performance.now();
      try {
        const out = fn(input, ctx);
        if (isThenable(out)) await out;
      } catch (e) {
        iv.error(e);
      }
      const b = performance.now();
      ctx.iteration++;
      iv.calls++;
      const lag = Math.max(0, ORIGIN + a - intended);
      iv.latency.rec.record(Math.round((ORIGIN + b - intended) * 1e6));
      iv.service.rec.record(Math.round((b - a) * 1e6));
      iv.lag.rec.record(Math.round(lag * 1e6));
      if (lag > open.lateAfterMs) iv.late++;
      if (b >= nextFlush) {
        this.flush(step, iv.startT < warmupEnd, false, b, true);
        nextFlush = b + interval;
        if (b < warmupEnd) nextFlush = Math.min(nextFlush, warmupEnd);
      }
    }
    // Arrivals of this worker's stream that the step ended before serving.
    if (open.arrival === 'poisson') {
      while (nextArrival < end) {
        scheduled++;
        nextArrival += expGap();
      }
    }
    this.flush(step, iv.startT < warmupEnd, true, performance.now(), true, open.arrival === 'poisson' ? scheduled : 0);
  }

  async run(): Promise<void> {
    const { ctrl, task } = this;
    let seen = 0; // generation 0: nothing started yet
    for (;;) {
      // Blocking wait is fine: this thread has nothing else to do between steps.
      Atomics.wait(ctrl, CTRL.generation, seen);
      const gen = Atomics.load(ctrl, CTRL.generation);
      seen = gen;
      if (Atomics.load(ctrl, CTRL.stop) === 1) return;
      const step = Atomics.load(ctrl, CTRL.step);
      const cfg = task.steps[step];
      if (!cfg || task.workerId >= cfg.workers) continue;
      this.rand = seededRandom(step * 31 + task.workerId + 7);
      if (cfg.open) await this.driveOpen(step, cfg, gen);
      else {
        const lanes = Math.min(cfg.lanes, cfg.concurrency - task.workerId * cfg.lanes);
        if (lanes > 1) await this.driveLanes(step, cfg, gen, lanes);
        else if (cfg.batch > 1) await this.driveBatched(step, cfg, gen);
        else await this.driveClosed(step, cfg, gen);
      }
    }
  }
}

export default async function drive(task: DriveTask): Promise<void> {
  const post = (msg: WorkerMessage): void => task.port.postMessage(msg);
  let tid: number | undefined;
  let pinError: string | undefined;
  if (task.pinCpu !== undefined) {
    try {
      tid = currentTid();
      pinError = pinThread(tid, [task.pinCpu]);
    } catch (e) {
      pinError = `cannot find this thread's id: ${(e as Error).message}`;
    }
  }
  let state: unknown;
  let loaded;
  try {
    loaded = await loadExtractor(task.extractorPath, task.exportName);
  } catch (e) {
    const err = e instanceof ExtractorLoadError ? e : new ExtractorLoadError('STRAIN_EXTRACTOR_LOAD', String(e));
    const orig = err.original instanceof Error ? err.original : err;
    post({ type: 'load-failed', workerId: task.workerId, code: err.code, message: err.message, stack: orig.stack });
    task.port.close();
    return;
  }
  try {
    state = loaded.setup ? await loaded.setup({ workerId: task.workerId, options: task.extractorOptions, rows: task.rows.length }) : undefined;
  } catch (e) {
    const err = toError(e);
    post({ type: 'load-failed', workerId: task.workerId, code: 'STRAIN_EXTRACTOR_SETUP', message: `setup threw: ${err.message}`, stack: err.stack });
    task.port.close();
    return;
  }
  post({ type: 'ready', workerId: task.workerId, async: loaded.fn.constructor.name === 'AsyncFunction', tid, pinError });
  await new Driver(task, loaded.fn, state).run();
  let teardownError: string | undefined;
  try {
    if (loaded.teardown) await loaded.teardown(state);
  } catch (e) {
    teardownError = toError(e).message;
  }
  post({ type: 'done', workerId: task.workerId, teardownError });
  task.port.close();
}
