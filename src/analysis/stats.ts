import type { Histogram } from 'hdr-histogram-js';

export interface LatencyStats {
  min: number;
  mean: number;
  stddev: number;
  p50: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export interface CallStats {
  /** Completed calls, successes and failures. */
  count: number;
  errors: number;
  errorRate: number;
  /** Successful calls per second over `durationMs`. */
  throughput: number;
  /** Completed calls (successes and failures) per second over `durationMs`. */
  attemptThroughput: number;
  /** Successful calls. */
  latencyMs: LatencyStats;
  failedLatencyMs: LatencyStats;
}

const NS_PER_MS = 1e6;

/** Latency statistics in milliseconds from a histogram recorded in nanoseconds. */
export function latencyStats(h: Histogram): LatencyStats {
  if (h.totalCount === 0) return { min: 0, mean: 0, stddev: 0, p50: 0, p75: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  const at = (p: number): number => h.getValueAtPercentile(p) / NS_PER_MS;
  return {
    min: h.minNonZeroValue / NS_PER_MS,
    mean: h.mean / NS_PER_MS,
    stddev: h.stdDeviation / NS_PER_MS,
    p50: at(50),
    p75: at(75),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    max: h.maxValue / NS_PER_MS,
  };
}

/** `ok` holds the successful calls' latencies, `failed` the failures'; calls counts both. */
export function callStats(ok: Histogram, failed: Histogram, calls: number, errors: number, durationMs: number): CallStats {
  const perSecond = (n: number): number => (durationMs > 0 ? n / (durationMs / 1000) : 0);
  return {
    count: calls,
    errors,
    errorRate: calls === 0 ? 0 : errors / calls,
    throughput: perSecond(calls - errors),
    attemptThroughput: perSecond(calls),
    latencyMs: latencyStats(ok),
    failedLatencyMs: latencyStats(failed),
  };
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}
