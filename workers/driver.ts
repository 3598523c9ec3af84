/**
 * The worker entry: one long-lived drive task per worker. It loads the
 * extractor once, then loops over it for as many steps as the coordinator
 * asks, timing each call and posting one snapshot per interval. It reads its
 * orders from shared control words and talks only through the protocol.
 */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Histogram } from 'hdr-histogram-js';
import { encodeHistogram, newHistogram } from '../src/engine/histogram.js';
import { CTRL, type DriveTask, type ErrorSample, type StepConfig, type WorkerMessage } from '../src/engine/protocol.js';
import { FastRecorder } from '../src/engine/recorder.js';
import { ExtractorLoadError, loadExtractor, type ExtractorContext, type ExtractorFn } from '../src/extractor/load.js';
import { toError } from '../src/errors.js';

const MAX_ERROR_SAMPLES = 20;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/** One interval's counters; reset after each snapshot so nothing grows with run length. */
class Interval {
  readonly hist: Histogram = newHistogram();
  readonly recorder = new FastRecorder(this.hist);
  calls = 0;
  errors = 0;
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
  private readonly iv = new Interval();
  private elu = performance.eventLoopUtilization();
  private row = 0;
  private readonly ctx: ExtractorContext;

  constructor(private readonly task: DriveTask, private readonly fn: ExtractorFn, state: unknown) {
    this.ctrl = new Int32Array(task.control);
    this.ctx = { workerId: task.workerId, iteration: 0, state };
  }

  private post(msg: WorkerMessage): void {
    this.task.port.postMessage(msg);
  }

  private flush(step: number, warmup: boolean, final: boolean, endT: number): void {
    const iv = this.iv;
    iv.recorder.drainInto(iv.hist);
    const elu = performance.eventLoopUtilization(this.elu);
    this.elu = performance.eventLoopUtilization();
    this.post({
      type: 'snapshot',
      workerId: this.task.workerId,
      step,
      warmup,
      final,
      startMs: performance.timeOrigin + iv.startT,
      endMs: performance.timeOrigin + endT,
      calls: iv.calls,
      errors: iv.errors,
      errorSamples: [...iv.samples.values()],
      histogram: encodeHistogram(iv.hist),
      heapUsedBytes: getHeapStatistics().used_heap_size,
      elu: elu.utilization,
    });
    iv.hist.reset();
    iv.calls = 0;
    iv.errors = 0;
    iv.samples = new Map();
    iv.startT = endT;
  }

  /** Drive one step until the generation changes or the counted iterations run out. */
  async driveStep(step: number, cfg: StepConfig, gen: number): Promise<void> {
    const { ctrl, iv, fn, ctx } = this;
    const rows = this.task.rows;
    const nRows = rows.length;
    const interval = this.task.snapshotIntervalMs;
    const counted = cfg.iterations !== undefined;
    const limit = cfg.iterations ?? 0;
    const t0 = performance.now();
    const warmupEnd = t0 + cfg.warmupMs;
    iv.startT = t0;
    let nextFlush = cfg.warmupMs > 0 ? Math.min(warmupEnd, t0 + interval) : t0 + interval;
    let r = this.row;
    let asyncMode = false;
    for (;;) {
      if (Atomics.load(ctrl, CTRL.generation) !== gen) break;
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
      iv.recorder.record(Math.round((b - a) * 1e6));
      if (b >= nextFlush) {
        this.flush(step, iv.startT < warmupEnd, false, b);
        nextFlush = b + interval;
        if (b < warmupEnd) nextFlush = Math.min(nextFlush, warmupEnd);
      }
    }
    this.row = r;
    const end = performance.now();
    this.flush(step, iv.startT < warmupEnd, true, end);
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
      if (!cfg || task.workerId >= cfg.concurrency) continue;
      await this.driveStep(step, cfg, gen);
    }
  }
}

export default async function drive(task: DriveTask): Promise<void> {
  const post = (msg: WorkerMessage): void => task.port.postMessage(msg);
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
  post({ type: 'ready', workerId: task.workerId, async: loaded.fn.constructor.name === 'AsyncFunction' });
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
