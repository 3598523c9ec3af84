import type { Phase, Profile } from './schema.js';

/**
 * Presets are functions that return profile data: ramp, spike, endurance and
 * breakpoint are not engine features but shapes of phases.
 */
export function defineProfile(profile: Profile): Profile {
  return profile;
}

type Duration = string | number;

/** Everything of a profile but its phases. */
export type ProfileBase = Omit<Profile, 'phases'>;

export type LoadMode = 'concurrency' | 'rate';

interface OpenOptions {
  /** Workers serving an arrival rate (default: the machine's CPUs). */
  maxConcurrency?: number;
  arrival?: 'uniform' | 'poisson';
}

function constant(mode: LoadMode, name: string, load: number, duration: Duration, o: OpenOptions): Phase {
  return mode === 'rate'
    ? { name, executor: 'constant-arrival-rate', rate: load, duration, ...o }
    : { name, executor: 'constant-concurrency', concurrency: load, duration };
}

/** A stepped ramp of concurrency or rate; every step is a measured plateau. */
export function ramp(o: ProfileBase & OpenOptions & { mode?: LoadMode; from: number; to: number; step?: number; stepDuration: Duration }): Profile {
  const { mode = 'concurrency', from, to, step, stepDuration, maxConcurrency, arrival, ...base } = o;
  const phase: Phase = mode === 'rate'
    ? { name: 'ramp', executor: 'ramping-arrival-rate', from, to, stepDuration, ...(step ? { step } : {}), ...(maxConcurrency ? { maxConcurrency } : {}), ...(arrival ? { arrival } : {}) }
    : { name: 'ramp', executor: 'ramping-concurrency', from, to, stepDuration, ...(step ? { step } : {}) };
  return { ...base, phases: [phase] };
}

/** A baseline, a sudden jump to `factor` times it, and back to the baseline. */
export function spike(o: ProfileBase & OpenOptions & {
  mode?: LoadMode;
  baseline: number;
  factor?: number;
  baselineDuration: Duration;
  spikeDuration: Duration;
  recoveryDuration: Duration;
}): Profile {
  const { mode = 'concurrency', baseline, factor = 4, baselineDuration, spikeDuration, recoveryDuration, maxConcurrency, arrival, ...base } = o;
  const open = { ...(maxConcurrency ? { maxConcurrency } : {}), ...(arrival ? { arrival } : {}) };
  const peak = mode === 'rate' ? baseline * factor : Math.round(baseline * factor);
  return {
    ...base,
    phases: [
      constant(mode, 'baseline', baseline, baselineDuration, open),
      constant(mode, 'spike', peak, spikeDuration, open),
      constant(mode, 'recovery', baseline, recoveryDuration, open),
    ],
  };
}

/** A constant load for a long time, with leak and drift verdicts. */
export function endurance(o: ProfileBase & OpenOptions & { mode?: LoadMode; load: number; duration: Duration }): Profile {
  const { mode = 'rate', load, duration, maxConcurrency, arrival, ...base } = o;
  return { ...base, phases: [constant(mode, 'endurance', load, duration, { ...(maxConcurrency ? { maxConcurrency } : {}), ...(arrival ? { arrival } : {}) })] };
}

/** Ramp until a stop condition breaks (errors, a p99 ceiling, achieved short of offered), then stop cleanly. */
export function breakpoint(o: ProfileBase & OpenOptions & {
  mode?: LoadMode;
  from: number;
  step: number;
  max: number;
  stepDuration: Duration;
  stopWhen: { errorRate?: number; p99Ms?: number; achievedBelow?: number };
}): Profile {
  const { mode = 'rate', from, step, max, stepDuration, stopWhen, maxConcurrency, arrival, ...base } = o;
  const phase: Phase = mode === 'rate'
    ? { name: 'breakpoint', executor: 'ramping-arrival-rate', from, to: max, step, stepDuration, stopWhen, ...(maxConcurrency ? { maxConcurrency } : {}), ...(arrival ? { arrival } : {}) }
    : { name: 'breakpoint', executor: 'ramping-concurrency', from, to: max, step, stepDuration, stopWhen };
  return { ...base, phases: [phase] };
}
