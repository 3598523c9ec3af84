/**
 * Closed-loop drive loops: each worker calls back-to-back (optionally with
 * think time). Successful and failed calls are timed into separate
 * histograms; error bookkeeping happens after the timer is read.
 */
import { CLOCK, CTRL, type StepConfig } from '../src/engine/protocol.js';
import { SLOT } from '../src/engine/shared-recording.js';
import { atomicsAdd, atomicsLoad, mathMin, now, ORIGIN, round, setTimer } from './clock.js';
import { isThenable, type DriveContext } from './drive-context.js';
import { driveMixClosed } from './mix-loop.js';
import { passRowError } from './row-source.js';

/**
 * The step's nominal end in this worker's clock: a timed step's window is
 * exactly [start, start + duration], whatever the slowest call does.
 */
export function stepEnd(d: DriveContext, cfg: StepConfig): number {
  return cfg.durationMs === undefined ? Infinity : (d.clock[CLOCK.start] as number) - ORIGIN + cfg.durationMs;
}

/** One call at a time: the fast path. */
export async function driveClosed(d: DriveContext, step: number, cfg: StepConfig, gen: number): Promise<void> {
  if (d.mix) return driveMixClosed(d, step, cfg, gen);
  const { ctrl, iv, fn, ctx } = d;
  const sl = iv.slots;
  const ok = iv.ok.rec;
  const failed = iv.failed.rec;
  const rows = d.task.rows;
  const nRows = rows.length;
  const source = d.rowSource;
  const counted = cfg.iterations !== undefined;
  const limit = cfg.iterations ?? 0;
  const thinking = cfg.thinkMs !== undefined;
  const t0 = now();
  const warmupEnd = t0 + cfg.warmupMs;
  iv.begin(step, cfg.warmupMs > 0, t0);
  let nextFlush = d.firstFlush(t0, cfg.warmupMs);
  let r = d.row;
  let asyncMode = false;
  let busy = 0;
  // The control word is read at most every 0.5 ms: a float compare per call
  // is cheaper than an atomic load, and a step change still lands within
  // half a millisecond (plus the call in progress).
  let nextCheck = t0;
  const endT = stepEnd(d, cfg);
  // Automatic batching: the first calls are timed one by one and tell what a call costs.
  const calibrating = cfg.autoBatch && !thinking && d.autoBatch === 0;
  // The calibration calls' own times: their median decides, so one stall (a
  // GC, a JIT compile) among them cannot push a 0.3 µs call over the line.
  const calTimes = calibrating ? new Float64Array(CALIBRATION_CALLS) : undefined;
  let calLeft = calibrating ? CALIBRATION_CALLS : 0;
  let switchTo = 0;
  let leave = false;
  iv.batch = 1;
  for (;;) {
    if (counted && atomicsAdd(ctrl, CTRL.claimed, 1) >= limit) break;
    let input: unknown;
    if (source !== undefined) input = source();
    else {
      input = nRows === 0 ? undefined : rows[r];
      if (++r === nRows) r = 0;
    }
    const a = now();
    // Progress for the watchdog: a call that started long ago and has not ended is a hang.
    sl[SLOT.callStart] = a;
    let thrown: unknown;
    let threw = false;
    try {
      const out = fn(input, ctx);
      // The result escapes into a sink, so the JIT cannot drop a pure extractor's work as dead code.
      d.sink = out;
      // Sync extractors never await, so the loop never yields for them.
      if (asyncMode || isThenable(out)) {
        asyncMode = true;
        await out;
      }
    } catch (e) {
      threw = true;
      thrown = e;
    }
    const b = now();
    ctx.iteration++;
    busy += b - a;
    if (calLeft > 0) (calTimes as Float64Array)[--calLeft] = b - a;
    if (b >= nextCheck) {
      // A call that ends past the step's nominal end is outside its window: run, not counted.
      if (b > endT) {
        sl[SLOT.overran]!++;
        break;
      }
      // The step changed: this call still ended inside the window, so it is recorded before leaving.
      leave = atomicsLoad(ctrl, CTRL.generation) !== gen;
      nextCheck = mathMin(b + 0.5, endT);
      if (calibrating && d.autoBatch === 0 && calLeft === 0) {
        d.autoBatch = asyncMode ? 1 : batchFor(medianOf(calTimes as Float64Array), d.timerMs);
        if (d.autoBatch > 1) switchTo = d.autoBatch;
      }
    }
    if (threw) {
      failed.record(round((b - a) * 1e6));
      iv.error(thrown);
    } else ok.record(round((b - a) * 1e6));
    if (leave || switchTo) break;
    if (b >= nextFlush) {
      sl[SLOT.busyMs]! += busy;
      busy = 0;
      nextFlush = d.flushIfDue(b, nextFlush, warmupEnd, false);
    }
    // A method, not a closure: capturing nextFlush here would move it off
    // the hot loop's registers (it cost about 15% of the no-op rate here).
    if (thinking) nextFlush = d.think(cfg, gen, warmupEnd, nextFlush);
  }
  d.row = r;
  sl[SLOT.busyMs]! += busy;
  // Sub-µs calls: the rest of the step is timed in batches (the interval so far stays as measured).
  if (switchTo) return driveBatched(d, step, cfg, gen, switchTo, { warmupEnd, nextFlush, endT });
  iv.flush(true, mathMin(now(), endT), false, warmupEnd);
}

function medianOf(xs: Float64Array): number {
  const s = Float64Array.from(xs).sort();
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Calls the calibration times one by one before deciding. */
const CALIBRATION_CALLS = 2000;
/** Calls cheaper than this (ms) are timed in batches when the profile leaves batchSize to strain. */
const BATCH_BELOW_MS = 0.001;

/**
 * The batch that keeps the two timer reads under 1% of the measured time:
 * n · c ≥ 100 · 2t. `perCallMs` is a call as timed singly (one timer read
 * included); slower calls (≥ 1 µs) keep per-call timing (returns 1).
 */
export function batchFor(perCallMs: number, timerMs: number): number {
  const c = Math.max(perCallMs - timerMs, 1e-6);
  if (c >= BATCH_BELOW_MS) return 1;
  return Math.min(100_000, Math.max(2, Math.ceil((2 * timerMs) / (0.01 * c))));
}

/**
 * Timing `batch` calls per pair of timer reads: under ~1 µs a call, per-call
 * timing measures the timer itself. Each call is recorded at its batch's
 * mean (a batch with a failure is recorded as failed calls at that mean).
 */
export async function driveBatched(
  d: DriveContext, step: number, cfg: StepConfig, gen: number, batch: number,
  cont?: { warmupEnd: number; nextFlush: number; endT: number },
): Promise<void> {
  const { ctrl, iv, fn, ctx } = d;
  const sl = iv.slots;
  const counted = cfg.iterations !== undefined;
  const limit = cfg.iterations ?? 0;
  const t0 = now();
  const warmupEnd = cont ? cont.warmupEnd : t0 + cfg.warmupMs;
  if (!cont) iv.begin(step, cfg.warmupMs > 0, t0);
  let nextFlush = cont ? cont.nextFlush : d.firstFlush(t0, cfg.warmupMs);
  const endT = cont ? cont.endT : stepEnd(d, cfg);
  iv.batch = batch;
  for (;;) {
    if (atomicsLoad(ctrl, CTRL.generation) !== gen) break;
    let n = batch;
    if (counted) {
      const first = atomicsAdd(ctrl, CTRL.claimed, n);
      n = Math.min(n, limit - first);
      if (n <= 0) break;
    }
    let fails = 0;
    // A batch that overruns the step is not counted: its errors are kept only once it is.
    const thrown: unknown[] = [];
    const a = now();
    sl[SLOT.callStart] = a;
    // The calls run in a plain (non-async) function: an async loop pays for
    // its resumable frame on every call. A promise hands back to await here.
    for (let k = 0; k < n; ) {
      k = runCalls(d, fn, ctx, k, n);
      if (k < 0) {
        k = -k;
        try {
          await d.pending;
        } catch (e) {
          fails++;
          thrown.push(e);
        }
      } else if (k < n) {
        fails++;
        thrown.push(d.pending);
        k++;
      }
      d.pending = undefined;
    }
    const b = now();
    sl[SLOT.busyMs]! += b - a;
    if (b > endT) {
      sl[SLOT.overran]! += n;
      break;
    }
    const each = round(((b - a) * 1e6) / n);
    if (fails < n) iv.ok.rec.recordN(each, n - fails);
    if (fails > 0) iv.failed.rec.recordN(each, fails);
    for (const e of thrown) iv.error(e);
    nextFlush = d.flushIfDue(b, nextFlush, warmupEnd, false);
  }
  iv.flush(true, mathMin(now(), endT), false, warmupEnd);
}

/**
 * Calls [k, n) of a batch back to back. Returns n when all returned a value;
 * i when call i threw (the error in d.pending, its iteration counted); −(i + 1)
 * when call i returned a promise (in d.pending), left to the caller to await.
 */
function runCalls(d: DriveContext, fn: DriveContext['fn'], ctx: DriveContext['ctx'], k: number, n: number): number {
  try {
    for (; k < n; k++) {
      const out = fn(d.nextRow(), ctx);
      d.sink = out;
      ctx.iteration++;
      if (isThenable(out)) {
        d.pending = out;
        return -(k + 1);
      }
    }
  } catch (e) {
    passRowError(e);
    d.pending = e;
    ctx.iteration++;
  }
  return k;
}

/** Several calls in flight per worker (async extractors). */
export async function driveLanes(d: DriveContext, step: number, cfg: StepConfig, gen: number, lanes: number): Promise<void> {
  const { iv, fn, ctx } = d;
  const sl = iv.slots;
  const counted = cfg.iterations !== undefined;
  const t0 = now();
  const warmupEnd = t0 + cfg.warmupMs;
  iv.begin(step, cfg.warmupMs > 0, t0);
  let nextFlush = d.firstFlush(t0, cfg.warmupMs);
  let inFlight = 0;
  let busySince = 0;
  const endT = stepEnd(d, cfg);
  const paired = d.paired;
  d.beginPaired(warmupEnd);
  const lane = async (): Promise<void> => {
    for (;;) {
      if (d.genChanged(gen)) return;
      if (counted && atomicsAdd(d.ctrl, CTRL.claimed, 1) >= (cfg.iterations ?? 0)) return;
      const mix = d.mix;
      const k = paired ? paired.side(now()) : mix ? mix.next() : -1;
      const f = mix?.fns[k];
      const input = mix ? mix.rowOf(k) : d.nextRow();
      const a = now();
      // Busy time is the time with at least one call in flight; progress is any start or completion.
      if (inFlight++ === 0) busySince = a;
      sl[SLOT.callStart] = a;
      let thrown: unknown;
      let threw = false;
      try {
        d.sink = await (f ? f.fn(input, { ...f.ctx, iteration: f.ctx.iteration++ }) : fn(input, { ...ctx, iteration: ctx.iteration++ }));
      } catch (e) {
        threw = true;
        thrown = e;
      }
      const b = now();
      if (--inFlight === 0) sl[SLOT.busyMs]! += b - busySince;
      sl[SLOT.callStart] = b;
      if (b > endT) {
        sl[SLOT.overran]!++;
        return;
      }
      const ns = round((b - a) * 1e6);
      if (threw) {
        iv.failed.rec.record(ns);
        f?.failed.record(ns);
        iv.error(thrown);
      } else {
        iv.ok.rec.record(ns);
        f?.ok.record(ns);
        paired?.add(k, b - a);
      }
      if (b >= nextFlush) {
        if (inFlight > 0) {
          sl[SLOT.busyMs]! += b - busySince;
          busySince = b;
        }
        nextFlush = d.flushIfDue(b, nextFlush, warmupEnd, false);
      }
      if (cfg.thinkMs) await new Promise((res) => setTimer(res, d.thinkFor(cfg)));
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  paired?.drop();
  iv.flush(true, mathMin(now(), endT), false, warmupEnd);
}
