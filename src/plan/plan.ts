import os from 'node:os';
import { StrainError } from '../errors.js';
import { parseDuration } from '../profile/duration.js';
import type { NormalizedProfile } from '../profile/load.js';
import type { Phase } from '../profile/schema.js';
import { phaseNames } from './phase-name.js';
import type { Stride } from '../engine/schedule.js';
import { searchSettingsOf, type SearchSlot } from '../capacity/plan-search.js';

export interface StopWhen {
  errorRate?: number;
  p99Ms?: number;
  achievedBelow?: number;
}

/** Open-loop parameters of an arrival-rate step. */
export interface OpenLoop {
  /** Calls per second offered. */
  rate: number;
  arrival: 'uniform' | 'poisson';
  lateAfterMs: number;
  dropAfterMs: number;
  /** A shard's step: the part of the whole schedule it serves (src/shard/split.ts). */
  stride?: Stride | undefined;
}

/** One plateau of load: what the coordinator drives and what the result reports. */
export interface PlannedStep {
  /** Position in the plan, counting warm-up steps. */
  seq: number;
  phase: string;
  phaseIndex: number;
  executor: Phase['executor'];
  /** Closed loop: calls in flight. Open loop: workers allowed to serve the schedule. */
  concurrency: number;
  /** Worker threads this step uses. */
  workers: number;
  /** In-flight calls per worker (closed loop, async extractors). */
  lanes: number;
  /** Timed steps end after durationMs; counted steps after `iterations` calls. */
  durationMs: number | undefined;
  iterations: number | undefined;
  /** The first part of a timed step kept out of its steady-state statistics. */
  warmupMs: number;
  /** False for the warm-up iterations of the `iterations` executor. */
  measured: boolean;
  open: OpenLoop | undefined;
  /** Think time between a lane's calls, [min, max] ms. */
  thinkMs: [number, number] | undefined;
  /** Calls timed together per pair of timer reads (1: every call timed on its own). */
  batch: number;
  /** The worker may choose a batch size itself (closed loop, sync extractor, no think time or lanes). */
  autoBatch: boolean;
  /** Breakpoint: end the phase at the first step that breaks this. */
  stopWhen: StopWhen | undefined;
  /**
   * A capacity search's probe slot: its load and duration are set by the
   * search just before it starts (the coordinator writes them to the workers'
   * shared control words). Unused slots are never started.
   */
  search: SearchSlot | undefined;
  /** Record a CPU profile of this step's steady part in each of its workers. */
  profile: boolean;
  /** A step that may end before durationMs once it has measured enough (paired A/B: coordinate's endStep). */
  minDurationMs?: number | undefined;
}

/** The load of a dynamic step (a capacity probe), decided just before it starts. */
export interface DynamicLoad {
  concurrency: number;
  workers: number;
  /** Open loop: the offered rate. */
  rate: number | undefined;
  durationMs: number;
}

/** A dynamic step takes the load decided for it: what the workers read and the result reports. */
export function applyLoad(step: PlannedStep, load: DynamicLoad): void {
  step.concurrency = load.concurrency;
  step.workers = load.workers;
  step.durationMs = load.durationMs;
  if (step.open && load.rate !== undefined) step.open = { ...step.open, rate: load.rate };
}

export interface Plan {
  steps: PlannedStep[];
  /** Worker threads the pool needs. */
  maxWorkers: number;
  /** Sum of timed steps; counted steps add an unknown amount. */
  timedMs: number;
}

type StepDraft = Omit<PlannedStep, 'seq' | 'profile'>;

function invalid(where: string, message: string): StrainError {
  return new StrainError('STRAIN_PROFILE_INVALID', message, { where });
}

/** More steps than this is a mistake (a ramp to 1e9 in steps of 1), not a plan. */
const MAX_STEPS = 10_000;

function levels(from: number, to: number, step: number, at: string): number[] {
  if ((to - from) / step + 1 > MAX_STEPS) {
    throw invalid(at, `a ramp from ${from} to ${to} in steps of ${step} makes ${Math.floor((to - from) / step) + 1} steps; a plan has at most ${MAX_STEPS} steps`);
  }
  const out: number[] = [];
  // Tolerance so 0.1-sized steps do not lose their last level to rounding.
  for (let k = 0; from + k * step <= to + 1e-9; k++) out.push(Number((from + k * step).toPrecision(12)));
  if (out[out.length - 1] !== to) out.push(to);
  return out;
}

function rampLevels(phase: { from?: number; to?: number; step?: number; stepDuration?: string | number; stages?: readonly { target: number; duration: string | number }[] }, at: string): { level: number; ms: number }[] {
  if (phase.stages) {
    if (phase.from !== undefined || phase.to !== undefined || phase.stepDuration !== undefined) {
      throw invalid(at, 'give either "stages" or "from"/"to"/"stepDuration", not both');
    }
    return phase.stages.map((s, k) => ({ level: s.target, ms: parseDuration(s.duration, `${at}.stages[${k}].duration`) }));
  }
  for (const key of ['from', 'to', 'stepDuration'] as const) {
    if (phase[key] === undefined) throw invalid(`${at}.${key}`, 'is required when "stages" is not given');
  }
  const from = phase.from as number;
  const to = phase.to as number;
  if (from > to) throw invalid(`${at}.from`, `expected "from" (${from}) to be at most "to" (${to})`);
  const ms = parseDuration(phase.stepDuration as string | number, `${at}.stepDuration`);
  return levels(from, to, phase.step ?? 1, at).map((level) => ({ level, ms }));
}

function think(t: unknown, at: string): [number, number] | undefined {
  if (t === undefined) return undefined;
  if (typeof t === 'object' && t !== null && 'min' in t) {
    const r = t as { min: string | number; max: string | number };
    const min = parseDuration(r.min, `${at}.thinkTime.min`);
    const max = parseDuration(r.max, `${at}.thinkTime.max`);
    if (min > max) throw invalid(`${at}.thinkTime.min`, `expected min (${min} ms) to be at most max (${max} ms)`);
    return [min, max];
  }
  const ms = parseDuration(t as string | number, `${at}.thinkTime`);
  return [ms, ms];
}

/** An arrival-rate phase's (or rate search's) schedule options, with their defaults. */
function openOptions(phase: { arrival?: 'uniform' | 'poisson'; lateAfter?: string | number; dropAfter?: string | number }, at: string): Omit<OpenLoop, 'rate'> {
  return {
    arrival: phase.arrival ?? 'uniform',
    lateAfterMs: phase.lateAfter === undefined ? 10 : parseDuration(phase.lateAfter, `${at}.lateAfter`),
    dropAfterMs: phase.dropAfter === undefined ? 10_000 : parseDuration(phase.dropAfter, `${at}.dropAfter`),
  };
}

/** Open loop: in-flight calls per worker for async extractors, unless the phase says otherwise. */
export const DEFAULT_OPEN_LANES = 32;

function expandPhase(phase: Phase, i: number, name: string, stepWarmupMs: number, source: string): StepDraft[] {
  const at = `${source} $.phases[${i}]`;
  const base = {
    phase: name, phaseIndex: i, executor: phase.executor, measured: true, open: undefined, thinkMs: undefined, stopWhen: undefined, search: undefined, lanes: 1,
    batch: 'batchSize' in phase ? (phase.batchSize ?? 1) : 1,
    // Unless the profile sets batchSize, a worker measures its first calls and batches sub-µs ones itself.
    autoBatch: !('batchSize' in phase && phase.batchSize !== undefined),
  };
  switch (phase.executor) {
    case 'constant-concurrency':
    case 'ramping-concurrency': {
      const lanes = phase.concurrencyPerWorker ?? 1;
      const thinkMs = think(phase.thinkTime, at);
      if ((phase.batchSize ?? 1) > 1 && (lanes > 1 || thinkMs)) {
        throw invalid(`${at}.batchSize`, 'batching times calls back to back; it cannot be combined with thinkTime or concurrencyPerWorker');
      }
      const plateaus = phase.executor === 'constant-concurrency'
        ? [{ level: phase.concurrency, ms: parseDuration(phase.duration, `${at}.duration`) }]
        : rampLevels(phase, at);
      const stopWhen = phase.executor === 'ramping-concurrency' ? phase.stopWhen : undefined;
      return plateaus.map(({ level, ms }) => ({
        ...base, concurrency: level, workers: Math.ceil(level / lanes), lanes, durationMs: ms, iterations: undefined,
        warmupMs: stepWarmupMs, thinkMs, stopWhen,
      }));
    }
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const workers = phase.maxConcurrency ?? os.availableParallelism();
      const open = openOptions(phase, at);
      const plateaus = phase.executor === 'constant-arrival-rate'
        ? [{ level: phase.rate, ms: parseDuration(phase.duration, `${at}.duration`) }]
        : rampLevels(phase, at);
      const stopWhen = phase.executor === 'ramping-arrival-rate' ? phase.stopWhen : undefined;
      // Lanes only open up for an async extractor (a sync call blocks its worker anyway).
      const lanes = phase.concurrencyPerWorker ?? DEFAULT_OPEN_LANES;
      return plateaus.map(({ level, ms }) => ({
        ...base, concurrency: workers, workers, lanes, durationMs: ms, iterations: undefined, warmupMs: stepWarmupMs,
        open: { ...open, rate: level }, stopWhen,
      }));
    }
    case 'capacity-search': {
      const settings = searchSettingsOf(phase, at);
      const warmupMs = phase.probeWarmup !== undefined ? parseDuration(phase.probeWarmup, `${at}.probeWarmup`)
        : stepWarmupMs > 0 ? stepWarmupMs : Math.round(settings.probeMs / 5);
      if (warmupMs >= Math.min(settings.probeMs, settings.confirmMs)) {
        throw invalid(`${at}.probeWarmup`, `the probe warm-up (${warmupMs} ms) must be shorter than probeDuration (${settings.probeMs} ms) and confirmDuration (${settings.confirmMs} ms)`);
      }
      const slot = { ...base, durationMs: settings.probeMs, iterations: undefined, warmupMs };
      if (settings.mode === 'concurrency') {
        const lanes = phase.concurrencyPerWorker ?? 1;
        // Sized for the largest load the search may try; each probe uses the workers its load needs.
        const max = settings.max as number;
        return Array.from({ length: settings.maxProbes }, () => ({
          ...slot, concurrency: max, workers: Math.ceil(max / lanes), lanes, search: { settings },
        }));
      }
      const workers = phase.maxConcurrency ?? os.availableParallelism();
      const open = openOptions(phase, at);
      return Array.from({ length: settings.maxProbes }, () => ({
        ...slot, concurrency: workers, workers, lanes: phase.concurrencyPerWorker ?? DEFAULT_OPEN_LANES,
        open: { ...open, rate: settings.from }, search: { settings },
      }));
    }
    case 'iterations': {
      const concurrency = phase.concurrency ?? 1;
      const common = { ...base, concurrency, workers: concurrency, durationMs: undefined, warmupMs: 0 };
      const steps: StepDraft[] = [];
      if (phase.warmupIterations) steps.push({ ...common, measured: false, iterations: phase.warmupIterations });
      steps.push({ ...common, iterations: phase.iterations });
      return steps;
    }
  }
}

/** Which steps are profiled: the ones the profile names (by their number in the result), else every measured step. */
function markProfiled(steps: PlannedStep[], profile: NormalizedProfile, source: string): void {
  const p = profile.profiling;
  if (!p) return;
  const measured = steps.filter((s) => s.measured);
  if (!p.steps) {
    for (const s of measured) s.profile = true;
    return;
  }
  p.steps.forEach((n, i) => {
    const s = measured[n - 1];
    if (!s) throw invalid(`${source} $.profile.steps[${i}]`, `there is no step ${n}: the plan has ${measured.length} measured steps`);
    s.profile = true;
  });
}

export function planProfile(profile: NormalizedProfile, source = 'profile'): Plan {
  const names = phaseNames(profile.phases);
  const steps = profile.phases
    .flatMap((p, i) => expandPhase(p, i, names[i] as string, profile.stepWarmupMs, source))
    .map((s, seq) => ({ ...s, seq, profile: false }));
  markProfiled(steps, profile, source);
  const searches = profile.phases.map((p, i) => (p.executor === 'capacity-search' ? i : -1)).filter((i) => i >= 0);
  if (searches.length > 1) throw invalid(`${source} $.phases[${searches[1]}]`, 'a profile has at most one capacity-search phase');
  for (const s of steps) {
    if (s.search) continue;
    if (s.durationMs !== undefined && s.warmupMs >= s.durationMs) {
      throw invalid(`${source} $.stepWarmup`, `the warm-up (${s.warmupMs} ms) must be shorter than each step (${s.durationMs} ms in phase ${s.phase})`);
    }
  }
  return {
    steps,
    maxWorkers: Math.max(...steps.map((s) => s.workers)),
    timedMs: steps.reduce((a, s) => a + (s.durationMs ?? 0), 0),
  };
}
