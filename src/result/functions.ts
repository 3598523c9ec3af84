/**
 * A mix's per-function figures for the result: each function's calls over
 * the same window as the blend (so its throughput and the others' add up to
 * the step's), its share of the calls beside the share its weight asked for.
 */
import type { Histogram } from 'hdr-histogram-js';
import { callStats } from '../analysis/stats.js';
import { encodeHistogram, newHistogram } from '../engine/histogram.js';
import type { FunctionAcc } from '../engine/merge-functions.js';
import type { MixFunction } from '../profile/load.js';
import type { StepResult } from './schema.js';

export type FunctionResult = NonNullable<StepResult['functions']>[number];

export function functionResults(mix: readonly MixFunction[], accs: readonly FunctionAcc[], windowMs: number): FunctionResult[] {
  const weights = mix.reduce((a, f) => a + f.weight, 0);
  const calls = accs.reduce((a, f) => a + f.calls, 0);
  return mix.map((f, k) => {
    const a = accs[k];
    const ok = a?.ok ?? newHistogram();
    const st = callStats(ok, a?.failed ?? newHistogram(), a?.calls ?? 0, a?.errors ?? 0, windowMs);
    return {
      name: f.name, weight: f.weight / weights, share: calls ? (a?.calls ?? 0) / calls : 0,
      count: st.count, errors: st.errors, errorRate: st.errorRate, throughput: st.throughput, latencyMs: st.latencyMs, histogram: encodeHistogram(ok),
    };
  });
}

/** Per-function totals over several steps: histograms added, windows summed (as the run's total is). */
export class FunctionTotals {
  private readonly accs: FunctionAcc[] = [];
  private ms = 0;

  add(steps: readonly FunctionAcc[], windowMs: number): void {
    this.ms += windowMs;
    steps.forEach((s, k) => {
      const a = (this.accs[k] ??= { ok: newHistogram() as Histogram, failed: newHistogram() as Histogram, calls: 0, errors: 0 });
      a.ok.add(s.ok);
      a.failed.add(s.failed);
      a.calls += s.calls;
      a.errors += s.errors;
    });
  }

  results(mix: readonly MixFunction[]): FunctionResult[] {
    return functionResults(mix, this.accs, this.ms);
  }
}
