/**
 * `runAB`: two versions of an extractor measured side by side in one run.
 * The profile's extractor is the candidate (B), `base` is A; each worker
 * runs both in A B B A blocks on the same rows, and each step goes on until
 * its interval decides or it reaches its longest length.
 */
import { StrainError } from '../errors.js';
import type { Profile } from '../profile/schema.js';
import type { StrainResult } from '../result/schema.js';
import { runStress, type RunOptions } from '../run.js';
import { DEFAULT_PAIRED_NOISE, type PairedNoise, type PairedSettings } from './judge.js';
import { pairedProfile } from './paired-run.js';

export interface ABOptions extends Omit<RunOptions, 'paired'> {
  /** The base (A): an extractor path, optionally `#export`, relative to `cwd`. */
  base: string;
  /** Where `base` is relative to (default: the working directory). */
  cwd?: string;
  /** Block length of each side's turn (default 10 ms). Calls slower than a tenth of it want longer blocks. */
  blockMs?: number;
  /** The longest a timed step may run while its interval is still too wide (default 30 s); the profile's length is the shortest. */
  maxStepMs?: number;
  /** 1 − the intervals' confidence (default 0.05). */
  alpha?: number;
  /** Relative changes inside which a difference is noise (default: mean 1%, throughput and p50 2%, p99 5%). */
  noise?: { [K in keyof PairedNoise]?: number | undefined };
  /** An inconclusive comparison fails the run (exit 1) instead of passing with a warning. */
  failOnInconclusive?: boolean;
}

/** Short blocks give many cycles a second; a block should still hold ten calls or more of each side. */
export const DEFAULT_BLOCK_MS = 10;
export const DEFAULT_MAX_STEP_MS = 30_000;

function positive(v: number | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!(Number.isFinite(v) && v > 0)) throw new StrainError('STRAIN_USAGE', `${name} must be a positive number, found ${String(v)}`);
  return v;
}

/** The settings of a paired run, checked. */
export function pairedSettings(o: { blockMs?: number | undefined; maxStepMs?: number | undefined; alpha?: number | undefined; noise?: ABOptions["noise"] }): PairedSettings {
  const alpha = positive(o.alpha, 'alpha', 0.05);
  if (alpha >= 0.5) throw new StrainError('STRAIN_USAGE', `alpha must be under 0.5, found ${alpha}`);
  const noise = { ...DEFAULT_PAIRED_NOISE };
  for (const k of Object.keys(noise) as (keyof PairedNoise)[]) noise[k] = positive(o.noise?.[k], `noise.${k}`, noise[k]);
  return { blockMs: positive(o.blockMs, 'blockMs', DEFAULT_BLOCK_MS), maxStepMs: positive(o.maxStepMs, 'maxStepMs', DEFAULT_MAX_STEP_MS), alpha, noise };
}

/** Run `profile` as a paired A/B comparison of its extractor (B) against `options.base` (A). */
export async function runAB(profile: Profile, options: ABOptions): Promise<StrainResult> {
  const settings = pairedSettings(options);
  const { base, cwd, blockMs: _b, maxStepMs: _m, alpha: _a, noise: _n, failOnInconclusive, ...run } = options;
  const paired = pairedProfile(profile, base, cwd ?? process.cwd(), options.source ?? 'profile');
  return runStress(paired, { ...run, paired: { settings, failOnInconclusive: failOnInconclusive ?? false } });
}
