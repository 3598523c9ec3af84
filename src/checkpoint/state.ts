/**
 * The checkpoint: everything a result is built from, as JSON. Each step's
 * merged histograms (encoded) and counters, the bounded series, samples and
 * heap points, faults and meta. Its size grows with the plan's steps, never
 * with run length: every list in it is bounded by the accumulator (a paired
 * A/B run's cycles by its --max-time).
 */
import type { Fault, Placement } from '../engine/coordinator.js';
import { decodeHistogram, encodeHistogram, type Histogram } from '../engine/histogram.js';
import type { HostFacts } from '../engine/host.js';
import { RunAccumulator, type SeriesPoint, type StepAccumulator, type WorkerTotals } from '../engine/merge.js';
import type { ResourceSample } from '../engine/sampler.js';
import type { SearchCheckpoint } from '../capacity/steer.js';
import type { FunctionAcc } from '../engine/merge-functions.js';
import type { ShardMeta } from '../shard/state.js';
import type { PairedRunOptions } from '../ab/paired-run.js';

export const CHECKPOINT_FILE = 'checkpoint.json';
export const CHECKPOINT_VERSION = 1;

const HISTS = ['all', 'steady', 'failedAll', 'failedSteady', 'service', 'lag', 'steadyService', 'steadyLag'] as const;
type HistName = (typeof HISTS)[number];
const COUNTERS = ['calls', 'errors', 'steadyCalls', 'steadyErrors', 'steadyStartMs', 'steadyEndMs', 'startMs', 'endMs', 'late', 'steadyLate',
  'dropped', 'steadyDropped', 'steadyBusyMs', 'harvestedCalls', 'overran', 'steadyCpuMs'] as const;
type CounterName = (typeof COUNTERS)[number];

export interface StepState {
  seq: number;
  hist: Record<HistName, string>;
  /** Non-finite numbers (an empty step's Infinity bounds) are stored as null. */
  counters: Record<CounterName, number | null>;
  errorSamples: { message: string; count: number; stack: string | null }[];
  finished: number[];
  /** Batch sizes the steady calls were timed with. */
  batchSizes?: number[] | undefined;
  /** Paired A/B: the workers' cycles and each snapshot's side quantiles (bounded by the run's --max-time). */
  cycles?: number[] | undefined;
  sideQuantiles?: number[] | undefined;
  /** A mix: each function's accumulators (whole step and steady), encoded like the blend's. */
  fns?: { all: FunctionState[]; steady: FunctionState[] } | undefined;
}

interface FunctionState {
  ok: string;
  failed: string;
  calls: number;
  errors: number;
}

const encodeFns = (list: readonly FunctionAcc[]): FunctionState[] =>
  list.map((f) => ({ ok: encodeHistogram(f.ok), failed: encodeHistogram(f.failed), calls: f.calls, errors: f.errors }));
const decodeFns = (list: readonly FunctionState[]): FunctionAcc[] =>
  list.map((f) => ({ ok: decodeHistogram(f.ok), failed: decodeHistogram(f.failed), calls: f.calls, errors: f.errors }));

export interface CheckpointState {
  kind: 'strain-checkpoint';
  version: number;
  writtenAt: string;
  /** The profile as given (already validated), and how its paths resolve. */
  profile: unknown;
  baseDir: string;
  source: string;
  host: HostFacts;
  /** A shard's run (src/shard). */
  shard?: ShardMeta | undefined;
  /** A paired A/B run (strain ab): recover judges its pairs as the run would have. */
  paired?: PairedRunOptions | undefined;
  startedAt: string;
  runStartMs: number;
  intervalMs: number;
  seed: number;
  samplePeriodMs: number;
  started: number[];
  faults: Fault[];
  teardownErrors: string[];
  placement: Placement;
  steps: StepState[];
  workers: WorkerTotals[];
  series: SeriesPoint[];
  samples: ResourceSample[];
  /** A capacity search's probes so far. */
  search?: SearchCheckpoint | undefined;
}

/** Encoded histograms of steps whose counts did not change are reused from the last checkpoint. */
export class StepEncoder {
  private readonly cache = new Map<number, { sig: string; state: StepState }>();

  encode(s: StepAccumulator): StepState {
    const sig = `${s.calls}:${s.late}:${s.dropped}:${s.finished.size}:${s.steadyCalls}:${s.batchSizes.size}:${s.cycles.length}`;
    const hit = this.cache.get(s.seq);
    if (hit && hit.sig === sig) return hit.state;
    const hist = Object.fromEntries(HISTS.map((k) => [k, encodeHistogram(s[k])])) as Record<HistName, string>;
    const counters = Object.fromEntries(COUNTERS.map((k) => [k, Number.isFinite(s[k]) ? s[k] : null])) as Record<CounterName, number | null>;
    const state: StepState = {
      seq: s.seq, hist, counters,
      errorSamples: [...s.errorSamples.values()].map((e) => ({ message: e.message, count: e.count, stack: e.stack ?? null })),
      finished: [...s.finished],
      batchSizes: [...s.batchSizes],
      ...(s.cycles.length ? { cycles: [...s.cycles], sideQuantiles: [...s.sideQuantiles] } : {}),
      ...(s.fnAll.length ? { fns: { all: encodeFns(s.fnAll), steady: encodeFns(s.fnSteady) } } : {}),
    };
    this.cache.set(s.seq, { sig, state });
    return state;
  }
}

/** Rebuild the accumulator a checkpoint was taken from. */
export function restoreAccumulator(cp: CheckpointState, isMeasured: (seq: number) => boolean): RunAccumulator {
  const acc = new RunAccumulator(cp.runStartMs, cp.intervalMs, isMeasured);
  for (const st of cp.steps) {
    const s = acc.step(st.seq);
    for (const k of HISTS) (s[k] as Histogram).add(decodeHistogram(st.hist[k]));
    for (const k of COUNTERS) {
      const v = st.counters[k];
      const empty = k === 'steadyStartMs' || k === 'startMs' ? Infinity : k === 'steadyEndMs' || k === 'endMs' ? -Infinity : 0;
      if (k === 'steadyCpuMs') s.steadyCpuMs = v;
      else s[k] = v === null ? empty : v;
    }
    for (const e of st.errorSamples) s.errorSamples.set(e.message, { message: e.message, count: e.count, stack: e.stack ?? undefined });
    for (const w of st.finished) s.finished.add(w);
    for (const b of st.batchSizes ?? []) s.batchSizes.add(b);
    s.cycles.push(...(st.cycles ?? []));
    s.sideQuantiles.push(...(st.sideQuantiles ?? []));
    if (st.fns) {
      s.fnAll.push(...decodeFns(st.fns.all));
      s.fnSteady.push(...decodeFns(st.fns.steady));
    }
  }
  for (const w of cp.workers) acc.workers.set(w.workerId, { ...w });
  acc.series.push(...cp.series);
  return acc;
}
