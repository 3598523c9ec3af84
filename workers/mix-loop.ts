/**
 * The closed loop of a weighted mix, one call at a time: each call goes to
 * the function the mix chooses, with that function's next row and context,
 * and is recorded twice: in the blend and in its function's histograms.
 * Paired A/B (strain ab) chooses by block instead of by weight. Never batched (a batch would blur which function took the time).
 */
import { CTRL, type StepConfig } from '../src/engine/protocol.js';
import { SLOT } from '../src/engine/shared-recording.js';
import { atomicsAdd, atomicsLoad, mathMin, now, round } from './clock.js';
import { stepEnd } from './closed-loop.js';
import { isThenable, type DriveContext } from './drive-context.js';
import type { Mix, MixFunctionRuntime } from './mix.js';

export async function driveMixClosed(d: DriveContext, step: number, cfg: StepConfig, gen: number): Promise<void> {
  const { ctrl, iv } = d;
  const mix = d.mix as Mix;
  const sl = iv.slots;
  const ok = iv.ok.rec;
  const failed = iv.failed.rec;
  const counted = cfg.iterations !== undefined;
  const limit = cfg.iterations ?? 0;
  const thinking = cfg.thinkMs !== undefined;
  const t0 = now();
  const warmupEnd = t0 + cfg.warmupMs;
  iv.begin(step, cfg.warmupMs > 0, t0);
  iv.batch = 1;
  let nextFlush = d.firstFlush(t0, cfg.warmupMs);
  let busy = 0;
  let nextCheck = t0;
  let leave = false;
  const endT = stepEnd(d, cfg);
  // Paired A/B: the side comes from the block the call starts in (the previous call's end, no extra timer read).
  const paired = d.paired;
  d.beginPaired(warmupEnd);
  let last = t0;
  for (;;) {
    if (counted && atomicsAdd(ctrl, CTRL.claimed, 1) >= limit) break;
    const k = paired ? paired.side(last) : mix.next();
    const f = mix.fns[k] as MixFunctionRuntime;
    const input = mix.rowOf(k);
    const a = now();
    sl[SLOT.callStart] = a;
    let thrown: unknown;
    let threw = false;
    try {
      const out = f.fn(input, f.ctx);
      d.sink = out;
      if (isThenable(out)) await out;
    } catch (e) {
      threw = true;
      thrown = e;
    }
    const b = now();
    last = b;
    f.ctx.iteration++;
    busy += b - a;
    if (b >= nextCheck) {
      // Past the nominal end: run, not counted (as in every closed loop).
      if (b > endT) {
        sl[SLOT.overran]!++;
        break;
      }
      leave = atomicsLoad(ctrl, CTRL.generation) !== gen;
      nextCheck = mathMin(b + 0.5, endT);
    }
    const ns = round((b - a) * 1e6);
    if (threw) {
      failed.record(ns);
      f.failed.record(ns);
      iv.error(thrown);
    } else {
      ok.record(ns);
      f.ok.record(ns);
      if (paired) paired.add(k, b - a);
    }
    if (leave) break;
    if (b >= nextFlush) {
      sl[SLOT.busyMs]! += busy;
      busy = 0;
      nextFlush = d.flushIfDue(b, nextFlush, warmupEnd, false);
    }
    if (thinking) nextFlush = d.think(cfg, gen, warmupEnd, nextFlush);
  }
  sl[SLOT.busyMs]! += busy;
  paired?.drop();
  iv.flush(true, mathMin(now(), endT), false, warmupEnd);
}
