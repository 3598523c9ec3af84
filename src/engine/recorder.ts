import type { Histogram } from 'hdr-histogram-js';

/**
 * The worker's per-call recorder. hdr-histogram-js's JS `recordValue` costs
 * ~160 ns here (more than the two timer reads it follows), so the drive loop
 * records into a counts array laid out exactly like an HdrHistogram with
 * lowestDiscernibleValue 1 and 3 significant digits (sub-bucket count 2048),
 * indexing with `Math.clz32` for values under 2^32 ns (4.3 s). At snapshot
 * time the counts are folded into a real hdr-histogram-js histogram, one
 * `recordValueWithCount` per occupied bucket, so the encoded snapshot equals
 * what per-call `recordValue` would have produced (test/recorder.test.ts).
 */
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE; // 1024
const SUB_BUCKET_MASK = 2 * SUB_BUCKET_HALF_COUNT - 1; // 2047
/** 53 - clz64(v | mask) for v < 2^32 is 21 - clz32(v | mask). */
const FAST_BUCKET_BASE = 21;
const FAST_LIMIT = 2 ** 32;
const FAST_LENGTH = (FAST_BUCKET_BASE + 2) << SUB_BUCKET_HALF_COUNT_MAGNITUDE;

export function bucketIndexOf(v: number): number {
  const bucket = FAST_BUCKET_BASE - Math.clz32(v | SUB_BUCKET_MASK);
  return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (v >>> bucket) - SUB_BUCKET_HALF_COUNT;
}

/** The lowest value that lands in counts index `i` (HdrHistogram's valueFromIndex). */
export function valueOfIndex(i: number): number {
  let bucket = (i >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  let sub = (i & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

export class FastRecorder {
  private readonly counts = new Float64Array(FAST_LENGTH);
  private lo = FAST_LENGTH;
  private hi = -1;
  /** Values past the fast range go straight to the library (rare: calls over 4.3 s). */
  constructor(private readonly slow: Histogram) {}

  /** `ns` must be a non-negative integer. */
  record(ns: number): void {
    if (ns < FAST_LIMIT) {
      const i = bucketIndexOf(ns);
      this.counts[i]! += 1;
      if (i < this.lo) this.lo = i;
      if (i > this.hi) this.hi = i;
    } else {
      this.slow.recordValue(ns);
    }
  }

  /** Record `count` calls of `ns` each (a timed batch, at its mean). */
  recordN(ns: number, count: number): void {
    if (ns < FAST_LIMIT) {
      const i = bucketIndexOf(ns);
      this.counts[i]! += count;
      if (i < this.lo) this.lo = i;
      if (i > this.hi) this.hi = i;
    } else {
      this.slow.recordValueWithCount(ns, count);
    }
  }

  /** Move everything recorded into `into` (normally the slow histogram) and reset. */
  drainInto(into: Histogram): void {
    const c = this.counts;
    for (let i = this.lo; i <= this.hi; i++) {
      const n = c[i]!;
      if (n !== 0) {
        into.recordValueWithCount(valueOfIndex(i), n);
        c[i] = 0;
      }
    }
    this.lo = FAST_LENGTH;
    this.hi = -1;
  }
}
