/**
 * Paired A/B blocks (strain ab): the two functions of a two-function mix
 * take turns in blocks of `blockMs` on the run's wall-clock grid, in the
 * order A B B A, so every worker runs the same side at the same moment and a
 * drift that is linear over a cycle cancels out of the cycle's comparison.
 * A call belongs to the block it starts in. Each complete cycle after the
 * warm-up yields one record: [cycle, A's ms, A's calls, B's ms, B's calls].
 */
import { floorOf } from './clock.js';

/**
 * Block k of a cycle runs side k of A B B A (A = 0, the base; B = 1, the
 * candidate), or of B A A B: which one is drawn per cycle from its index, the
 * same in every worker. A fixed order would put anything that recurs on the
 * run's grid (the snapshots, the coordinator merging them) on A's first block
 * every time; drawn, it falls on either side as often.
 */
const ORDERS = [[0, 1, 1, 0], [1, 0, 0, 1]] as const;

/** A well-mixed bit of the cycle index (an integer hash, the same in every worker). */
export function orderOf(cycle: number): 0 | 1 {
  let x = Math.imul(cycle ^ 0x9e3779b9, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return (x & 1) as 0 | 1;
}
/** Numbers per cycle record. */
export const CYCLE_FIELDS = 5;

export class PairedBlocks {
  private cycle = -1;
  private order: readonly number[] = ORDERS[0];
  private cycleStart = 0;
  private steadyFrom = Infinity;
  private msA = 0;
  private nA = 0;
  private msB = 0;
  private nB = 0;
  /** Cycles closed since the last snapshot, CYCLE_FIELDS numbers each. */
  out: number[] = [];

  /** `zero`: the run's start on this worker's clock (ms). */
  constructor(readonly blockMs: number, private zero: number) {}

  /** A step starts: cycles that begin before `steadyFrom` (its warm-up) are not kept. */
  begin(zero: number, steadyFrom: number): void {
    this.zero = zero;
    this.steadyFrom = steadyFrom;
    this.drop();
  }

  /** The side of a call starting at worker time t. */
  side(t: number): number {
    const b = floorOf((t - this.zero) / this.blockMs);
    const c = b >> 2;
    if (c !== this.cycle) {
      this.close();
      this.cycle = c;
      this.cycleStart = this.zero + c * 4 * this.blockMs;
      this.order = ORDERS[orderOf(c)];
    }
    return this.order[b & 3] as number;
  }

  /** A successful call of side k took `ms`. */
  add(k: number, ms: number): void {
    if (k === 0) {
      this.msA += ms;
      this.nA++;
    } else {
      this.msB += ms;
      this.nB++;
    }
  }

  /** The cycle in progress ended: kept when both sides ran in it after the warm-up. */
  private close(): void {
    if (this.cycle >= 0 && this.nA > 0 && this.nB > 0 && this.cycleStart >= this.steadyFrom) {
      this.out.push(this.cycle, this.msA, this.nA, this.msB, this.nB);
    }
    this.drop();
  }

  /** The step ended: the cycle in progress is incomplete and is not kept. */
  drop(): void {
    this.cycle = -1;
    this.msA = 0;
    this.nA = 0;
    this.msB = 0;
    this.nB = 0;
  }

  /** The cycles for a snapshot, and none pending after. */
  take(): Float64Array {
    const a = Float64Array.from(this.out);
    this.out = [];
    return a;
  }
}
