/**
 * A host-speed reference: a fixed, deterministic kernel (xorshift and an
 * integer multiply, no allocation, no memory traffic) timed for a few
 * milliseconds on the coordinator's thread at a run's start and end. The
 * same code on the same machine runs at the same rate, so a change of this
 * rate between two runs is the machine's (frequency, steal, a neighbour),
 * not the code under test's.
 */
import { performance } from 'node:perf_hooks';

export interface SpeedReading {
  /** Kernel iterations per microsecond (median rep). */
  opsPerUs: number;
  /** Interquartile range of the reps over their median. */
  spread: number;
}

const REP = 200_000;
const WARM = 4;
const REPS = 12;

let sink = 0;

function kernel(n: number, seed: number): number {
  let x = seed | 1;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    acc = (acc + Math.imul(x, 0x9e3779b1)) | 0;
  }
  return acc;
}

const q = (sorted: readonly number[], p: number): number => {
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (i - lo);
};

/** About 5 ms on a 2020s core: long enough for a stable median, short beside any run. */
export function measureHostSpeed(clock: () => number = () => performance.now()): SpeedReading {
  for (let i = 0; i < WARM; i++) sink ^= kernel(REP, i + 1);
  const us: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const a = clock();
    sink ^= kernel(REP, i + 7);
    us.push((clock() - a) * 1000);
  }
  us.sort((a, b) => a - b);
  const med = q(us, 0.5);
  return { opsPerUs: med > 0 ? REP / med : 0, spread: med > 0 ? (q(us, 0.75) - q(us, 0.25)) / med : 0 };
}

/** Keeps the kernel's result observable, so the JIT cannot drop it. */
export function hostSpeedSink(): number {
  return sink;
}
