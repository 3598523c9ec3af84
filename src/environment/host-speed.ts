/**
 * A host-speed reference: a fixed, deterministic piece of native work
 * (SHA-256 of the same 256 KiB, in OpenSSL's C code) timed for a few
 * milliseconds on the coordinator's thread at a run's start and end. Native
 * code has no JIT tiers, deoptimisation or code flushing (a JavaScript
 * kernel read 2x apart in one process on Node 24 as V8 re-tiered it), so the
 * same machine gives the same rate, and a change of it between two runs is
 * the machine's (frequency, steal, a neighbour), not the code under test's.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface SpeedReading {
  /** Bytes hashed per microsecond (median rep). */
  bytesPerUs: number;
  /** Interquartile range of the reps over their median. */
  spread: number;
}

const BYTES = 256 * 1024;
const REPS = 12;
const WARM = 2;

let block: Buffer | undefined;

function input(): Buffer {
  if (!block) {
    block = Buffer.alloc(BYTES);
    // Deterministic content (a xorshift stream): the same bytes in every process.
    let x = 0x9e3779b9 | 0;
    for (let i = 0; i < BYTES; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      block.writeInt32LE(x, i);
    }
  }
  return block;
}

const q = (sorted: readonly number[], p: number): number => {
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (i - lo);
};

/** About 5 ms on a 2020s core: long enough for a stable median, short beside any run. */
export function measureHostSpeed(clock: () => number = () => performance.now()): SpeedReading {
  const buf = input();
  for (let i = 0; i < WARM; i++) createHash('sha256').update(buf).digest();
  const us: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const a = clock();
    createHash('sha256').update(buf).digest();
    us.push((clock() - a) * 1000);
  }
  us.sort((a, b) => a - b);
  const med = q(us, 0.5);
  return { bytesPerUs: med > 0 ? BYTES / med : 0, spread: med > 0 ? (q(us, 0.75) - q(us, 0.25)) / med : 0 };
}
