/**
 * Whether a step was measured on a machine that was doing something else:
 * other processes' CPU, the hypervisor's steal, the cgroup's throttling,
 * averaged over the step's window the way its process CPU is (each sample
 * stands for the span since the one before). Past a limit the step is
 * disturbed, with the figure that says why; a comparison with a disturbed
 * side cannot tell the code's change from the machine's.
 */
import type { ResourceSample } from '../engine/sampler.js';

export interface DisturbanceLimits {
  /** Mean CPU of other processes over the step, 100 = one core. */
  otherCpuPercent: number;
  /** Mean steal, % of all CPUs' time. */
  stealPercent: number;
  /** Time this process's cgroup was throttled, % of the step's wall time. */
  throttledPercent: number;
}

/** Documented in the README ("Runs that know they were disturbed"). */
export const DISTURBANCE_LIMITS: DisturbanceLimits = { otherCpuPercent: 20, stealPercent: 5, throttledPercent: 5 };

export interface StepEnvironment {
  otherCpuPercent: number;
  otherCpuPeakPercent: number;
  stealPercent: number;
  /** Mean runnable threads (procs_running, ours included) against `cores`. */
  runnable: number | null;
  cores: number;
  quotaCores: number | null;
  throttledPercent: number | null;
  cpuMHz: number | null;
  disturbed: boolean;
  reasons: string[];
}

const pct = (x: number): string => `${x.toFixed(x < 10 ? 1 : 0)}%`;

/** The step's environment over [fromMs, toMs]; null when no sample with machine figures covers it (not Linux). */
export function environmentOver(
  samples: readonly ResourceSample[], fromMs: number, toMs: number, periodMs: number, cores: number,
  limits: DisturbanceLimits = DISTURBANCE_LIMITS,
): StepEnvironment | null {
  let w = 0;
  let other = 0;
  let steal = 0;
  let peak = 0;
  const opt = { runnable: [0, 0], throttled: [0, 0], mhz: [0, 0] };
  let quota: number | null = null;
  const add = (k: keyof typeof opt, v: number | null | undefined, overlap: number): void => {
    if (v === null || v === undefined) return;
    opt[k][0]! += overlap * v;
    opt[k][1]! += overlap;
  };
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as ResourceSample;
    if (s.otherCpuPercent === undefined) continue;
    const start = i === 0 ? s.tMs - periodMs : (samples[i - 1] as ResourceSample).tMs;
    const overlap = Math.min(toMs, s.tMs) - Math.max(fromMs, start);
    if (overlap <= 0) continue;
    w += overlap;
    other += overlap * s.otherCpuPercent;
    steal += overlap * (s.stealPercent ?? 0);
    peak = Math.max(peak, s.otherCpuPercent);
    add('runnable', s.runnable, overlap);
    add('throttled', s.throttledPercent, overlap);
    add('mhz', s.cpuMHz, overlap);
    quota = s.quotaCores ?? quota;
  }
  if (w <= 0) return null;
  const mean = (k: keyof typeof opt): number | null => (opt[k][1]! > 0 ? opt[k][0]! / opt[k][1]! : null);
  const env: StepEnvironment = {
    otherCpuPercent: other / w, otherCpuPeakPercent: peak, stealPercent: steal / w,
    runnable: mean('runnable'), cores, quotaCores: quota, throttledPercent: mean('throttled'), cpuMHz: mean('mhz'),
    disturbed: false, reasons: [],
  };
  if (env.otherCpuPercent >= limits.otherCpuPercent) env.reasons.push(`other processes used ${pct(env.otherCpuPercent)} of a core (limit ${limits.otherCpuPercent}%)`);
  if (env.stealPercent >= limits.stealPercent) env.reasons.push(`the hypervisor stole ${pct(env.stealPercent)} of the CPU time (limit ${limits.stealPercent}%)`);
  if (env.throttledPercent !== null && env.throttledPercent >= limits.throttledPercent) {
    env.reasons.push(`the cgroup was throttled ${pct(env.throttledPercent)} of the time (quota ${env.quotaCores === null ? 'none' : `${env.quotaCores} cores`}, limit ${limits.throttledPercent}%)`);
  }
  env.disturbed = env.reasons.length > 0;
  return env;
}
