/**
 * Open-loop arrival schedules, shared by all workers of a step: arrival k has
 * one intended time, whoever serves it. Uniform arrivals are k/rate; Poisson
 * arrivals are the prefix sums of exponential gaps drawn from a counter-based
 * generator (gap k is a function of the seed and k alone), so the workers and
 * the coordinator agree on the schedule without sharing a generator's state.
 */

function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Uniform in (0, 1), a pure function of (seed, k). */
export function uniformAt(seed: number, k: number): number {
  const x = (Math.imul(k | 0, 0x9e3779b1) + mix32(seed >>> 0)) | 0;
  return (mix32(mix32(x) ^ (k / 4294967296) >>> 0) + 0.5) / 4294967296;
}

/** The gap before Poisson arrival k (arrival 0 comes one gap after the start). */
export function poissonGap(seed: number, k: number, meanMs: number): number {
  return -Math.log(uniformAt(seed, k)) * meanMs;
}

/** A step's schedule seed, from the run's seed and the step's position. */
export function stepSeed(runSeed: number, seq: number): number {
  return mix32((runSeed >>> 0) ^ Math.imul(seq + 1, 0x85ebca6b)) | 0;
}

/**
 * One shard's part of a whole schedule (src/shard): of the whole schedule's
 * arrivals at `rate`, this step serves those whose index k has
 * k mod count = index, so the shards' arrivals are exactly the whole's.
 */
export interface Stride {
  /** 0-based. */
  index: number;
  count: number;
  /** The whole schedule's rate (the sum of the shards'). */
  rate: number;
  /** A partial merge (src/shard/merge.ts): the 0-based shards it holds, counted together. */
  held?: readonly number[] | undefined;
}

export interface ScheduleSpec {
  arrival: 'uniform' | 'poisson';
  rate: number;
  stride?: Stride | undefined;
}

/** The mean gap of the schedule arrivals are drawn from: the whole's, for a shard. */
export function wholeGapMs(spec: ScheduleSpec): number {
  return 1000 / (spec.stride ? spec.stride.rate : spec.rate);
}

/** Offset of the step's first Poisson arrival: the whole schedule's arrival number `stride.index`. */
export function firstPoissonArrival(spec: ScheduleSpec, seed: number): number {
  const meanMs = wholeGapMs(spec);
  let t = 0;
  for (let k = 0; k <= (spec.stride?.index ?? 0); k++) t += poissonGap(seed, k, meanMs);
  return t;
}

/** The whole schedule's index of a shard's j-th arrival (the worker claims j). */
export function wholeIndexOf(j: number, stride: Stride | undefined): number {
  return stride ? j * stride.count + stride.index : j;
}

/** The time of the next Poisson arrival of a shard, after its arrival at `t` (whole index k): `count` whole gaps later. */
export function nextPoissonArrival(t: number, seed: number, k: number, meanMs: number, count: number): number {
  let next = t;
  for (let m = 1; m <= count; m++) next += poissonGap(seed, k + m, meanMs);
  return next;
}

/** Arrivals the schedule puts in [0, durationMs) (a shard's: its part of them): what saturation is judged against. */
export function scheduledCount(spec: ScheduleSpec, seed: number, durationMs: number): number {
  const meanMs = wholeGapMs(spec);
  const count = spec.stride?.count ?? 1;
  const held = spec.stride?.held ?? [spec.stride?.index ?? 0];
  const ofShard = (whole: number): number => held.reduce((a, i) => a + (whole > i ? Math.floor((whole - 1 - i) / count) + 1 : 0), 0);
  if (spec.arrival === 'uniform') return ofShard(Math.max(0, Math.ceil(durationMs / meanMs - 1e-9)));
  let t = poissonGap(seed, 0, meanMs);
  let k = 0;
  while (t < durationMs) {
    k++;
    t += poissonGap(seed, k, meanMs);
  }
  return ofShard(k);
}

/** Intended offsets (ms from the schedule's start) of the first arrivals; for tests and reports. */
export function poissonTimes(seed: number, meanMs: number, durationMs: number): number[] {
  const out: number[] = [];
  let t = poissonGap(seed, 0, meanMs);
  for (let k = 1; t < durationMs; k++) {
    out.push(t);
    t += poissonGap(seed, k, meanMs);
  }
  return out;
}
