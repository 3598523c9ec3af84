/**
 * A weighted mix in the worker: every function loaded and set up, each with
 * its own rows, options, state and iteration count, and the choice of
 * function per call. The choice follows a Kronecker sequence (frac(s + i·φ)),
 * seeded and low-discrepancy: after n calls each function's share is within
 * about log(n)/n of its weight, so a short run already matches the weights.
 */
import type { MixTask } from '../src/engine/protocol.js';
import type { ExtractorContext, ExtractorFn, LoadedExtractor } from '../src/extractor/load.js';
import type { FastRecorder } from '../src/engine/recorder.js';
import { floorOf } from './clock.js';

/** The golden ratio's fractional part: the most evenly spreading step there is. */
const PHI = 0.6180339887498949;

/** The function of call (or arrival) `i`: the first whose cumulative share passes frac(seed + i·φ). */
export function mixChoice(cumulative: Float64Array, seed: number, i: number): number {
  const x = seed + i * PHI;
  const u = x - floorOf(x);
  const n = cumulative.length;
  for (let k = 0; k < n - 1; k++) if (u < (cumulative[k] as number)) return k;
  return n - 1;
}

/** Cumulative shares of the weights, the last exactly 1. */
export function cumulativeShares(weights: readonly number[]): Float64Array {
  const total = weights.reduce((a, w) => a + w, 0);
  const out = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, k) => {
    acc += w;
    out[k] = k === weights.length - 1 ? 1 : acc / total;
  });
  return out;
}

export interface MixFunctionRuntime {
  /** Its place in the mix. */
  index: number;
  fn: ExtractorFn;
  ctx: ExtractorContext;
  rows: unknown[];
  row: number;
  /** Rows made on demand (a data module, or shared rows), instead of `rows`. */
  source: (() => unknown) | undefined;
  teardown: LoadedExtractor['teardown'];
  ok: FastRecorder;
  failed: FastRecorder;
}

export class Mix {
  readonly cumulative: Float64Array;
  /** Calls this worker has chosen so far (closed loop). */
  calls = 0;

  constructor(readonly fns: MixFunctionRuntime[], weights: readonly number[], readonly seed: number) {
    this.cumulative = cumulativeShares(weights);
  }

  /** The function of this worker's next closed-loop call. */
  next(): number {
    return mixChoice(this.cumulative, this.seed, this.calls++);
  }

  /** The function of the step's arrival number `i` (open loop: one sequence over all workers). */
  ofArrival(i: number, stepSeed: number): number {
    return mixChoice(this.cumulative, stepSeed, i);
  }

  /** The next row of function k. */
  rowOf(k: number): unknown {
    const f = this.fns[k] as MixFunctionRuntime;
    if (f.source !== undefined) return f.source();
    const n = f.rows.length;
    if (n === 0) return undefined;
    const r = f.rows[f.row];
    if (++f.row === n) f.row = 0;
    return r;
  }
}

export type { MixTask };
