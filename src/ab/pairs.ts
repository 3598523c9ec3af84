/**
 * The pairs of a paired A/B step, from what the workers sent: one pair per
 * A B B A cycle (all workers' blocks of that cycle together, since they ran
 * the same side at the same moment and share its disturbances), and one per
 * steady snapshot for the quantiles.
 */

/** Numbers per cycle record: [cycle, A ms, A calls, B ms, B calls]. */
const CYCLE_FIELDS = 5;
/** Numbers per snapshot record: [A p50, B p50, A p99, B p99, A calls, B calls]. */
const QUANTILE_FIELDS = 6;
/** A snapshot's side needs this many calls for its p50, and this many for its p99, to be a pair. */
const MIN_CALLS_P50 = 20;
const MIN_CALLS_P99 = 200;

export interface StepPairs {
  /** Per cycle: ln(B's mean call / A's mean call), the mean over the workers that ran it. */
  mean: number[];
  /** Per cycle: ln(B's calls / A's calls) over all workers (both sides had the same wall time). */
  throughput: number[];
  /** Per steady snapshot: ln(B's p50 / A's p50), and the same for p99. */
  p50: number[];
  p99: number[];
  /** Totals over the kept cycles. */
  msA: number;
  callsA: number;
  msB: number;
  callsB: number;
  /** Distinct cycles kept. */
  cycles: number;
}

export function stepPairs(cycles: readonly number[], quantiles: readonly number[]): StepPairs {
  const byCycle = new Map<number, { d: number; k: number; nA: number; nB: number }>();
  let msA = 0;
  let callsA = 0;
  let msB = 0;
  let callsB = 0;
  for (let i = 0; i + CYCLE_FIELDS <= cycles.length; i += CYCLE_FIELDS) {
    const [c, ma, na, mb, nb] = cycles.slice(i, i + CYCLE_FIELDS) as [number, number, number, number, number];
    if (!(na > 0 && nb > 0 && ma > 0 && mb > 0)) continue;
    msA += ma;
    callsA += na;
    msB += mb;
    callsB += nb;
    const e = byCycle.get(c) ?? { d: 0, k: 0, nA: 0, nB: 0 };
    e.d += Math.log(mb / nb / (ma / na));
    e.k++;
    e.nA += na;
    e.nB += nb;
    byCycle.set(c, e);
  }
  const order = [...byCycle.keys()].sort((x, y) => x - y);
  const p50: number[] = [];
  const p99: number[] = [];
  for (let i = 0; i + QUANTILE_FIELDS <= quantiles.length; i += QUANTILE_FIELDS) {
    const [a50, b50, a99, b99, na, nb] = quantiles.slice(i, i + QUANTILE_FIELDS) as [number, number, number, number, number, number];
    if (na >= MIN_CALLS_P50 && nb >= MIN_CALLS_P50 && a50 > 0 && b50 > 0) p50.push(Math.log(b50 / a50));
    if (na >= MIN_CALLS_P99 && nb >= MIN_CALLS_P99 && a99 > 0 && b99 > 0) p99.push(Math.log(b99 / a99));
  }
  return {
    mean: order.map((c) => { const e = byCycle.get(c)!; return e.d / e.k; }),
    throughput: order.map((c) => { const e = byCycle.get(c)!; return Math.log(e.nB / e.nA); }),
    p50, p99, msA, callsA, msB, callsB, cycles: order.length,
  };
}
