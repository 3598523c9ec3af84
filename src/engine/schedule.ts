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

export interface ScheduleSpec {
  arrival: 'uniform' | 'poisson';
  rate: number;
}

/** Arrivals the schedule puts in [0, durationMs): what saturation is judged against. */
export function scheduledCount(spec: ScheduleSpec, seed: number, durationMs: number): number {
  const meanMs = 1000 / spec.rate;
  if (spec.arrival === 'uniform') return Math.max(0, Math.ceil(durationMs / meanMs - 1e-9));
  let t = poissonGap(seed, 0, meanMs);
  let k = 0;
  while (t < durationMs) {
    k++;
    t += poissonGap(seed, k, meanMs);
  }
  return k;
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
