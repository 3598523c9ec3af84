/**
 * Open loop: every call has an intended start time from one schedule shared
 * by the step's workers (the next free worker takes the next arrival, as a
 * pool behind one queue does), and its latency is measured from there, so a
 * stall anywhere shows up as latency instead of a lower rate (no coordinated
 * omission). Service time and dispatch lag are kept beside it.
 */
import { CLOCK, CTRL, type StepConfig } from '../src/engine/protocol.js';
import { nextPoissonArrival, wholeGapMs, wholeIndexOf, type Stride } from '../src/engine/schedule.js';
import { SLOT } from '../src/engine/shared-recording.js';
import { atomicsAdd, atomicsCompareExchange, atomicsLoad, atomicsNotify, atomicsStore, atomicsWait, mathMax, now, ORIGIN, round, setImmediateOf, setIntervalOf, clearIntervalOf, setTimer } from './clock.js';
import { isThenable, type DriveContext } from './drive-context.js';
import { passRowError } from './row-source.js';
import type { Mix, MixFunctionRuntime } from './mix.js';

/** A snapshot is posted while waiting only with at least this much time before the next arrival. */
const FLUSH_SLACK_MS = 5;

/** The index in the step's schedule of the arrival claimed last (a mix assigns arrivals by it). */
let claimedIndex = 0;

/** Claim the next arrival: its intended start (epoch ms); its index is left in claimedIndex. */
function claimArrival(ctrl: Int32Array, clock: Float64Array, open: NonNullable<StepConfig['open']>, start: number, gapMs: number, seed: number): number {
  // A shard serves every count-th arrival of the whole schedule, from its index on.
  if (open.arrival === 'uniform') {
    claimedIndex = wholeIndexOf(atomicsAdd(ctrl, CTRL.claimed, 1), open.stride);
    return start + claimedIndex * gapMs;
  }
  return start + claimPoisson(ctrl, clock, seed, gapMs, open.stride);
}

/** The function of the arrival claimed last, in a mix (undefined for one extractor). */
function functionOfArrival(d: DriveContext, seed: number): MixFunctionRuntime | undefined {
  const mix = d.mix;
  return mix ? mix.fns[mix.ofArrival(claimedIndex, ((seed >>> 0) / 2 ** 32))] : undefined;
}

/** Claim the next Poisson arrival: its offset from the schedule's start. */
function claimPoisson(ctrl: Int32Array, clock: Float64Array, seed: number, meanMs: number, stride: Stride | undefined): number {
  let spins = 0;
  while (atomicsCompareExchange(ctrl, CTRL.lock, 0, 1) !== 0) {
    // The holder was preempted (more threads than cores): sleep instead of spinning.
    if (++spins > 100) atomicsWait(ctrl, CTRL.lock, 1, 1);
  }
  const j = atomicsLoad(ctrl, CTRL.claimed);
  const k = wholeIndexOf(j, stride);
  claimedIndex = k;
  const t = clock[CLOCK.nextArrival] as number;
  clock[CLOCK.nextArrival] = nextPoissonArrival(t, seed, k, meanMs, stride?.count ?? 1);
  atomicsStore(ctrl, CTRL.claimed, j + 1);
  atomicsStore(ctrl, CTRL.lock, 0);
  atomicsNotify(ctrl, CTRL.lock, 1);
  return t;
}

export async function driveOpen(d: DriveContext, step: number, cfg: StepConfig, gen: number): Promise<void> {
  const { iv, fn, ctx, ctrl, clock } = d;
  const sl = iv.slots;
  const open = cfg.open as NonNullable<StepConfig['open']>;
  const start = clock[CLOCK.start] as number;
  const end = start + (cfg.durationMs as number);
  const gapMs = wholeGapMs(open);
  const seed = atomicsLoad(ctrl, CTRL.seed);
  const t0 = now();
  const warmupEnd = t0 + cfg.warmupMs;
  iv.begin(step, cfg.warmupMs > 0, t0);
  let nextFlush = d.firstFlush(t0, cfg.warmupMs);
  // A snapshot costs up to a few hundred µs (four sets of sparse pairs, a
  // memory reading, a post): post it while waiting with time to spare, not
  // just before an arrival, so the generator's own work does not become the
  // next call's lag. The warm-up
  // boundary is never postponed (a snapshot must not straddle it), and no
  // snapshot waits longer than half an interval.
  const overdue = d.task.snapshotIntervalMs / 2;
  let lanesFrom: InFlight | undefined;
  const beat = (t: number, leftMs: number): void => {
    if (leftMs > FLUSH_SLACK_MS || t >= nextFlush + overdue || nextFlush <= warmupEnd) nextFlush = d.flushIfDue(t, nextFlush, warmupEnd, true);
  };
  for (;;) {
    if (d.genChanged(gen)) break;
    const intended = claimArrival(ctrl, clock, open, start, gapMs, seed);
    const f = functionOfArrival(d, seed);
    if (intended >= end) break;
    const ahead = intended - (ORIGIN + now());
    if (ahead > 0) {
      if (!d.waitUntil(intended, gen, beat)) break;
    } else if (-ahead > open.dropAfterMs) {
      sl[SLOT.dropped]!++;
      continue;
    }
    const input = f ? (d.mix as Mix).rowOf(f.index) : d.nextRow();
    const a = now();
    sl[SLOT.callStart] = a;
    let thrown: unknown;
    let threw = false;
    let wentAsync = false;
    try {
      const out = f ? f.fn(input, f.ctx) : fn(input, ctx);
      // The result escapes into a sink, so the JIT cannot drop a pure extractor's work as dead code.
      d.sink = out;
      if (isThenable(out)) {
        // An async extractor: serve the rest of the step with several calls in flight.
        if (cfg.lanes > 1) {
          wentAsync = true;
          lanesFrom = { a, intended, out, f };
        } else await out;
      }
    } catch (e) {
      threw = true;
      thrown = e;
    }
    if (wentAsync) break;
    const b = now();
    (f ? f.ctx : ctx).iteration++;
    sl[SLOT.busyMs]! += b - a;
    record(d, open, intended, a, b, threw, thrown, f);
    if (b >= nextFlush + overdue || nextFlush <= warmupEnd) nextFlush = d.flushIfDue(b, nextFlush, warmupEnd, true);
  }
  if (lanesFrom) await driveOpenLanes(d, cfg, gen, { start, end, gapMs, seed, warmupEnd }, lanesFrom, nextFlush);
  iv.flush(true, now(), true, warmupEnd);
}

/** Record one open-loop call: latency from its intended start, service time and dispatch lag beside it. */
function record(d: DriveContext, open: NonNullable<StepConfig['open']>, intended: number, a: number, b: number, threw: boolean, thrown: unknown, f: MixFunctionRuntime | undefined): void {
  const { iv } = d;
  const lag = mathMax(0, ORIGIN + a - intended);
  const latencyNs = round((ORIGIN + b - intended) * 1e6);
  if (threw) {
    iv.failed.rec.record(latencyNs);
    f?.failed.record(latencyNs);
    iv.error(thrown);
  } else {
    iv.ok.rec.record(latencyNs);
    f?.ok.record(latencyNs);
  }
  iv.service.rec.record(round((b - a) * 1e6));
  iv.lag.rec.record(round(lag * 1e6));
  if (lag > open.lateAfterMs) iv.slots[SLOT.late]!++;
}

/** A call started and not yet settled: when, for which arrival, and (in a mix) which function. */
interface InFlight {
  a: number;
  intended: number;
  out: PromiseLike<unknown>;
  f: MixFunctionRuntime | undefined;
}

interface Schedule {
  start: number;
  end: number;
  gapMs: number;
  seed: number;
  warmupEnd: number;
}

/** Sleep on the event loop until epoch `target` (other lanes' calls complete meanwhile). */
async function sleepUntil(target: number): Promise<void> {
  for (;;) {
    const left = target - (ORIGIN + now());
    if (left <= 0) return;
    await new Promise<void>((res) => (left > 2 ? setTimer(res, left - 1) : setImmediateOf(res)));
  }
}

/**
 * Open loop with up to `cfg.lanes` calls of an async extractor in flight per
 * worker: each lane takes the next arrival from the shared schedule, waits
 * for it on the event loop and calls; `first` is the call already started.
 */
async function driveOpenLanes(d: DriveContext, cfg: StepConfig, gen: number, sch: Schedule, first: InFlight, nextFlushAt: number): Promise<void> {
  const { iv, fn, ctx, ctrl, clock } = d;
  const sl = iv.slots;
  const open = cfg.open as NonNullable<StepConfig['open']>;
  let nextFlush = nextFlushAt;
  let inFlight = 0;
  let busySince = 0;
  const settle = async (a: number, intended: number, p: PromiseLike<unknown>, f: MixFunctionRuntime | undefined): Promise<void> => {
    if (inFlight++ === 0) busySince = a;
    let thrown: unknown;
    let threw = false;
    try {
      await p;
    } catch (e) {
      threw = true;
      thrown = e;
    }
    const b = now();
    if (--inFlight === 0) sl[SLOT.busyMs]! += b - busySince;
    sl[SLOT.callStart] = b;
    (f ? f.ctx : ctx).iteration++;
    record(d, open, intended, a, b, threw, thrown, f);
    nextFlush = d.flushIfDue(b, nextFlush, sch.warmupEnd, true);
  };
  const lane = async (): Promise<void> => {
    for (;;) {
      if (d.genChanged(gen)) return;
      const intended = claimArrival(ctrl, clock, open, sch.start, sch.gapMs, sch.seed);
      const f = functionOfArrival(d, sch.seed);
      if (intended >= sch.end) return;
      await sleepUntil(intended);
      if (d.genChanged(gen)) return;
      const t = now();
      sl[SLOT.beat] = t;
      nextFlush = d.flushIfDue(t, nextFlush, sch.warmupEnd, true);
      if (ORIGIN + t - intended > open.dropAfterMs) {
        sl[SLOT.dropped]!++;
        continue;
      }
      const a = now();
      sl[SLOT.callStart] = a;
      let p: PromiseLike<unknown>;
      try {
        const out = f ? f.fn((d.mix as Mix).rowOf(f.index), { ...f.ctx }) : fn(d.nextRow(), { ...ctx });
        d.sink = out;
        p = isThenable(out) ? out : Promise.resolve(out);
      } catch (e) {
        passRowError(e);
        p = Promise.reject(e);
      }
      await settle(a, intended, p, f);
    }
  };
  // A heartbeat while every lane waits on the event loop.
  const beat = setIntervalOf(() => {
    const t = now();
    sl[SLOT.beat] = t;
    nextFlush = d.flushIfDue(t, nextFlush, sch.warmupEnd, true);
  }, 50);
  try {
    await Promise.all([settle(first.a, first.intended, first.out, first.f).then(lane), ...Array.from({ length: cfg.lanes - 1 }, lane)]);
  } finally {
    clearIntervalOf(beat);
  }
}
