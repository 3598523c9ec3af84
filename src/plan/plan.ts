import { StrainError } from '../errors.js';
import { parseDuration } from '../profile/duration.js';
import type { NormalizedProfile } from '../profile/load.js';
import type { Phase } from '../profile/schema.js';

/** One plateau of load: what the coordinator drives and what the result reports. */
export interface PlannedStep {
  /** Position in the plan, counting warm-up steps. */
  seq: number;
  phase: string;
  phaseIndex: number;
  executor: Phase['executor'];
  concurrency: number;
  /** Timed steps end after durationMs; counted steps after `iterations` calls. */
  durationMs: number | undefined;
  iterations: number | undefined;
  /** The first part of a timed step kept out of its steady-state statistics. */
  warmupMs: number;
  /** False for the warm-up iterations of the `iterations` executor. */
  measured: boolean;
}

export interface Plan {
  steps: PlannedStep[];
  maxConcurrency: number;
  /** Sum of timed steps; counted steps add an unknown amount. */
  timedMs: number;
}

function invalid(where: string, message: string): StrainError {
  return new StrainError('STRAIN_PROFILE_INVALID', message, { where });
}

function expandPhase(phase: Phase, i: number, stepWarmupMs: number, source: string): Omit<PlannedStep, 'seq'>[] {
  const at = `${source} $.phases[${i}]`;
  const name = phase.name ?? `${i}:${phase.executor}`;
  const base = { phase: name, phaseIndex: i, executor: phase.executor, measured: true };
  switch (phase.executor) {
    case 'constant-concurrency':
      return [{
        ...base,
        concurrency: phase.concurrency,
        durationMs: parseDuration(phase.duration, `${at}.duration`),
        iterations: undefined,
        warmupMs: stepWarmupMs,
      }];
    case 'ramping-concurrency': {
      if (phase.stages) {
        if (phase.from !== undefined || phase.to !== undefined || phase.stepDuration !== undefined) {
          throw invalid(at, 'give either "stages" or "from"/"to"/"stepDuration", not both');
        }
        return phase.stages.map((s, k) => ({
          ...base,
          concurrency: s.target,
          durationMs: parseDuration(s.duration, `${at}.stages[${k}].duration`),
          iterations: undefined,
          warmupMs: stepWarmupMs,
        }));
      }
      for (const key of ['from', 'to', 'stepDuration'] as const) {
        if (phase[key] === undefined) throw invalid(`${at}.${key}`, 'is required when "stages" is not given');
      }
      const from = phase.from as number;
      const to = phase.to as number;
      if (from > to) throw invalid(`${at}.from`, `expected "from" (${from}) to be at most "to" (${to})`);
      const stepMs = parseDuration(phase.stepDuration as string | number, `${at}.stepDuration`);
      const levels: number[] = [];
      for (let c = from; c <= to; c += phase.step ?? 1) levels.push(c);
      if (levels[levels.length - 1] !== to) levels.push(to);
      return levels.map((c) => ({ ...base, concurrency: c, durationMs: stepMs, iterations: undefined, warmupMs: stepWarmupMs }));
    }
    case 'iterations': {
      const concurrency = phase.concurrency ?? 1;
      const steps: Omit<PlannedStep, 'seq'>[] = [];
      if (phase.warmupIterations) {
        steps.push({ ...base, measured: false, concurrency, durationMs: undefined, iterations: phase.warmupIterations, warmupMs: 0 });
      }
      steps.push({ ...base, concurrency, durationMs: undefined, iterations: phase.iterations, warmupMs: 0 });
      return steps;
    }
  }
}

export function planProfile(profile: NormalizedProfile, source = 'profile'): Plan {
  const steps = profile.phases
    .flatMap((p, i) => expandPhase(p, i, profile.stepWarmupMs, source))
    .map((s, seq) => ({ ...s, seq }));
  for (const s of steps) {
    if (s.durationMs !== undefined && s.warmupMs >= s.durationMs) {
      throw invalid(`${source} $.stepWarmup`, `the warm-up (${s.warmupMs} ms) must be shorter than each step (${s.durationMs} ms in phase ${s.phase})`);
    }
  }
  return {
    steps,
    maxConcurrency: Math.max(...steps.map((s) => s.concurrency)),
    timedMs: steps.reduce((a, s) => a + (s.durationMs ?? 0), 0),
  };
}
