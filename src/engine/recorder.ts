import type { Histogram } from 'hdr-histogram-js';

/**
 * The worker's per-call recorder. hdr-histogram-js's JS `recordValue` costs
 * ~160 ns here (more than the two timer reads it follows), so the drive loop
 * records into a counts array laid out exactly like an HdrHistogram with
 * lowestDiscernibleValue 1 and 3 significant digits (sub-bucket count 2048).
 * The array lives in a SharedArrayBuffer (see shared-recording.ts) so the
 * coordinator can harvest it when the worker dies. A snapshot carries the
 * occupied buckets as sparse pairs; the coordinator folds them into a real
 * hdr-histogram-js histogram, one `recordValueWithCount` per bucket, which
 * equals what per-call `recordValue` would have produced (test/recorder.test.ts).
 */
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE; // 1024
const SUB_BUCKET_MASK = 2 * SUB_BUCKET_HALF_COUNT - 1; // 2047
/** 53 - clz64(v | mask) for v < 2^32 is 21 - clz32(v | mask). */
const FAST_BUCKET_BASE = 21;
const TWO_32 = 2 ** 32;
/** Values from 2^43 ns (2.4 hours) up are recorded as the largest trackable value. */
export const MAX_RECORDABLE_NS = 2 ** 43 - 1;
/** Buckets 0..32 cover every value below 2^43. */
export const COUNTS_LENGTH = 34 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;

// Captured at load: an extractor that patches Math must not change what is recorded.
const clz32 = Math.clz32;
const floor = Math.floor;

export function bucketIndexOf(v: number): number {
  if (v < TWO_32) {
    const bucket = FAST_BUCKET_BASE - clz32(v | SUB_BUCKET_MASK);
    return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (v >>> bucket) - SUB_BUCKET_HALF_COUNT;
  }
  // Above 32 bits: the high word's leading zeros give the bucket (53 - clz64).
  const x = v > MAX_RECORDABLE_NS ? MAX_RECORDABLE_NS : v;
  const bucket = 53 - clz32(floor(x / TWO_32));
  return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + floor(x / 2 ** bucket) - SUB_BUCKET_HALF_COUNT;
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

/**
 * Fold every non-zero count of `counts` into `into` and zero it. Used by the
 * coordinator to harvest a dead worker's counts, where the worker's own
 * occupied-range bookkeeping is gone. Returns the number of values moved.
 */
export function drainCounts(counts: Float64Array, into: Histogram, lo = 0, hi = counts.length - 1): number {
  let moved = 0;
  for (let i = lo; i <= hi; i++) {
    const n = counts[i]!;
    if (n !== 0) {
      into.recordValueWithCount(valueOfIndex(i), n);
      counts[i] = 0;
      moved += n;
    }
  }
  return moved;
}

/**
 * A snapshot's histogram on the wire: occupied buckets as [index, count]
 * pairs. Compressing an HDR encoding in the worker costs a millisecond and
 * hundreds of KB of garbage per histogram, and the collections it causes
 * land as dispatch lag on the next scheduled call; the pairs cost neither.
 */
export type SparseCounts = Float64Array;

/** Fold sparse pairs into `into`; returns the values added. Throws on a malformed array. */
export function addSparse(pairs: SparseCounts, into: Histogram): number {
  if (!(pairs instanceof Float64Array) || pairs.length % 2 !== 0) throw new Error('sparse counts must be a Float64Array of [index, count] pairs');
  let n = 0;
  for (let k = 0; k < pairs.length; k += 2) {
    const i = pairs[k]!;
    const c = pairs[k + 1]!;
    if (!Number.isInteger(i) || i < 0 || i >= COUNTS_LENGTH || !Number.isInteger(c) || c <= 0) throw new Error(`bad sparse pair (${i}, ${c})`);
    n += c;
  }
  for (let k = 0; k < pairs.length; k += 2) into.recordValueWithCount(valueOfIndex(pairs[k]!), pairs[k + 1]!);
  return n;
}

export class FastRecorder {
  private lo = COUNTS_LENGTH;
  private hi = -1;
  /** `counts` has COUNTS_LENGTH slots; normally a view into shared memory. */
  constructor(private readonly counts: Float64Array = new Float64Array(COUNTS_LENGTH)) {}

  /** `ns` must be a non-negative integer. */
  record(ns: number): void {
    const i = bucketIndexOf(ns);
    this.counts[i]! += 1;
    if (i < this.lo) this.lo = i;
    if (i > this.hi) this.hi = i;
  }

  /** Record `count` calls of `ns` each (a timed batch, at its mean). */
  recordN(ns: number, count: number): void {
    const i = bucketIndexOf(ns);
    this.counts[i]! += count;
    if (i < this.lo) this.lo = i;
    if (i > this.hi) this.hi = i;
  }

  /** Everything recorded as sparse pairs, and the total; resets. */
  takeSparse(): { pairs: SparseCounts; count: number } {
    const c = this.counts;
    let used = 0;
    for (let i = this.lo; i <= this.hi; i++) if (c[i] !== 0) used++;
    const pairs = new Float64Array(used * 2);
    let k = 0;
    let count = 0;
    for (let i = this.lo; i <= this.hi; i++) {
      const n = c[i]!;
      if (n !== 0) {
        pairs[k++] = i;
        pairs[k++] = n;
        count += n;
        c[i] = 0;
      }
    }
    this.lo = COUNTS_LENGTH;
    this.hi = -1;
    return { pairs, count };
  }

  /** Move everything recorded into `into` and reset. */
  drainInto(into: Histogram): void {
    if (this.hi >= 0) drainCounts(this.counts, into, this.lo, this.hi);
    this.lo = COUNTS_LENGTH;
    this.hi = -1;
  }
}
