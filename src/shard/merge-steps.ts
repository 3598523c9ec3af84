/** One plan step's data from several shards, added: histograms exactly, counters summed. */
import type { Histogram } from 'hdr-histogram-js';
import { addErrorSample, type StepAccumulator } from '../engine/merge.js';
import { addFunctions } from '../engine/merge-functions.js';

const HISTS = ['all', 'steady', 'failedAll', 'failedSteady', 'service', 'lag', 'steadyService', 'steadyLag'] as const;
const SUMS = ['calls', 'errors', 'steadyCalls', 'steadyErrors', 'late', 'steadyLate', 'dropped', 'steadyDropped', 'steadyBusyMs', 'harvestedCalls', 'overran'] as const;

/**
 * Add a shard's step into the merged one; its worker ids move up by
 * `workerOffset`, its times down by `originMs` (the merged result keeps
 * times from its start, so spans of milliseconds are not differences of
 * epoch times, each rounded at 1e-4 ms).
 */
export function addStep(into: StepAccumulator, from: StepAccumulator, workerOffset: number, originMs: number): void {
  for (const k of HISTS) (into[k] as Histogram).add(from[k]);
  for (const k of SUMS) into[k] += from[k];
  into.steadyCpuMs = into.steadyCpuMs === null || from.steadyCpuMs === null ? null : into.steadyCpuMs + from.steadyCpuMs;
  into.startMs = Math.min(into.startMs, from.startMs - originMs);
  into.endMs = Math.max(into.endMs, from.endMs - originMs);
  into.steadyStartMs = Math.min(into.steadyStartMs, from.steadyStartMs - originMs);
  into.steadyEndMs = Math.max(into.steadyEndMs, from.steadyEndMs - originMs);
  for (const e of from.errorSamples.values()) addErrorSample(into.errorSamples, e);
  for (const w of from.finished) into.finished.add(w + workerOffset);
  for (const b of from.batchSizes) into.batchSizes.add(b);
  addFunctions(into.fnAll, from.fnAll);
  addFunctions(into.fnSteady, from.fnSteady);
}

/**
 * A closed-loop step's throughput is its steady calls over its steady span.
 * Merged, it must be the sum of the shards' throughputs, each over its own
 * span (their spans differ by the shards' skew): the merged span is set to
 * the one that makes calls / span equal that sum.
 */
export function closedThroughputSpan(merged: StepAccumulator, parts: readonly StepAccumulator[]): void {
  // Throughput counts successful calls (analysis/stats.ts), so the span is fitted on them.
  const okOf = (s: StepAccumulator): number => s.steadyCalls - s.steadyErrors;
  let rate = 0;
  for (const p of parts) {
    const ms = p.steadyEndMs - p.steadyStartMs;
    if (okOf(p) > 0 && Number.isFinite(ms) && ms > 0) rate += okOf(p) / ms;
  }
  if (rate > 0 && Number.isFinite(merged.steadyStartMs)) merged.steadyEndMs = merged.steadyStartMs + okOf(merged) / rate;
}
