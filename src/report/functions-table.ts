/**
 * A mix's per-function table (as Locust shows its tasks): weight asked,
 * share achieved, and each function's own figures, beside the blend.
 */
import type { StrainResult } from '../result/schema.js';
import { fmtMs, fmtPct, fmtRate } from './format.js';

export const FUNCTION_HEADER = ['function', 'weight', 'share', 'calls', 'throughput', 'p50', 'p95', 'p99', 'max', 'errors'];

/** Rows of the run's total per function; empty when the run is not a mix. */
export function functionRows(r: StrainResult): string[][] {
  return (r.total.functions ?? []).map((f) => [
    f.name, fmtPct(f.weight), fmtPct(f.share), String(f.count), fmtRate(f.throughput),
    fmtMs(f.latencyMs.p50), fmtMs(f.latencyMs.p95), fmtMs(f.latencyMs.p99), fmtMs(f.latencyMs.max), fmtPct(f.errorRate),
  ]);
}
