/**
 * What a paired A/B run changes around an ordinary run: the profile becomes
 * a two-function mix (A the base, B the candidate, the same rows, options and
 * warm-up), its timed steps may run from their own length up to the longest
 * allowed until their interval decides, and the result gains the comparison.
 */
import path from 'node:path';
import type { MetricComparison } from '../analysis/compare.js';
import type { CoordinateOptions } from '../engine/coordinator.js';
import type { StepAccumulator } from '../engine/merge.js';
import { EXIT, StrainError } from '../errors.js';
import type { Plan, PlannedStep } from '../plan/plan.js';
import type { NormalizedProfile } from '../profile/load.js';
import { parseDuration } from '../profile/duration.js';
import type { Profile } from '../profile/schema.js';
import type { StrainResult } from '../result/schema.js';
import { metricsOf, stepDecided, type PairedSettings } from './judge.js';
import { maxLooks } from '../analysis/paired.js';
import { stepPairs } from './pairs.js';

/** The names the two sides carry in the mix (and in step.functions). */
export const SIDES = ['base', 'candidate'] as const;
/** Both sides are warmed up before any cycle counts: at least this much of every step. */
const MIN_WARMUP_MS = 500;
/** How often the stopping rule looks. */
const LOOK_MS = 1000;
/** Snapshots no longer than this: each is a pair for p50 and p99. */
const QUANTILE_SNAPSHOT_MS = 200;
/** A step's shortest length leaves at least this much after its warm-up. */
const MIN_MEASURED_MS = 1000;

/**
 * The profile with its extractor as the candidate (B) and `base` (a path,
 * optionally #export, relative to `cwd`) as A. Refused for a mix.
 */
export function pairedProfile(profile: Profile, base: string, cwd: string, source: string): Profile {
  if (profile.mix) throw new StrainError('STRAIN_PROFILE_INVALID', 'is a mix: strain ab compares one extractor with another, so give "extractor"', { where: `${source} $.mix` });
  if (profile.extractor === undefined) throw new StrainError('STRAIN_PROFILE_INVALID', 'is required: it is the candidate (B) that --base is compared with', { where: `${source} $.extractor` });
  const hash = base.lastIndexOf('#');
  const file = hash > 0 ? base.slice(0, hash) : base;
  const spec = `${path.resolve(cwd, file)}${hash > 0 ? base.slice(hash) : ''}`;
  const { extractor, ...rest } = profile;
  // Quantiles are compared snapshot by snapshot: short snapshots give enough pairs in a few seconds.
  const interval = profile.snapshotInterval === undefined ? 1000 : parseDuration(profile.snapshotInterval, `${source} $.snapshotInterval`);
  return {
    ...rest, snapshotInterval: `${Math.min(interval, QUANTILE_SNAPSHOT_MS)}ms`,
    mix: [{ name: SIDES[0], extractor: spec, weight: 1 }, { name: SIDES[1], extractor, weight: 1 }],
  };
}

/** What runStress is told of a paired run (RunOptions.paired). */
export interface PairedRunOptions {
  settings: PairedSettings;
  /** An inconclusive mean fails the run instead of passing with a warning. */
  failOnInconclusive: boolean;
  /** The git commits of the two sides (strain ab --base-ref). */
  commits?: { baseCommit: string; candidateCommit: string } | undefined;
}

export interface PairedPlan {
  /** Plan step → the most looks its stopping rule may take. */
  looks: Map<number, number>;
  coordinate: Pick<CoordinateOptions, 'paired' | 'endStep'>;
}

/**
 * Lengthen the plan's timed steps to `maxStepMs` (their own length becomes
 * the shortest) and give the coordinator the stopping rule. Open-loop and
 * capacity phases are refused: both sides must take the same turns.
 */
export function pairPlan(profile: NormalizedProfile, plan: Plan, settings: PairedSettings, source: string): PairedPlan {
  if (profile.mix?.length !== 2) throw new StrainError('STRAIN_PROFILE_INVALID', 'a paired run needs exactly two functions (base and candidate)', { where: `${source} $.mix` });
  const looks = new Map<number, number>();
  // Every look costs the intervals width (each is at level α / looks): once a second is enough.
  const lookMs = Math.max(profile.snapshotIntervalMs, LOOK_MS);
  for (const step of plan.steps) {
    if (step.open || step.search) {
      throw new StrainError('STRAIN_PROFILE_INVALID', `is ${step.executor}: strain ab needs closed-loop phases (constant-concurrency, ramping-concurrency, iterations), where each worker takes A's and B's turns itself`, { where: `${source} $.phases[${step.phaseIndex}].executor` });
    }
    if (step.durationMs === undefined) {
      looks.set(step.seq, 1);
      continue;
    }
    step.warmupMs = Math.max(step.warmupMs, MIN_WARMUP_MS);
    const min = Math.max(step.durationMs, step.warmupMs + MIN_MEASURED_MS);
    step.minDurationMs = min;
    step.durationMs = Math.max(min, settings.maxStepMs);
    looks.set(step.seq, maxLooks(min, step.durationMs, lookMs));
  }
  const enough = (step: PlannedStep, s: StepAccumulator): boolean => stepDecided(stepPairs(s.cycles, s.sideQuantiles), settings, looks.get(step.seq) ?? 1);
  return { looks, coordinate: { paired: { blockMs: settings.blockMs }, endStep: { lookMs, enough } } };
}

/**
 * The paired comparison into the result: `ab` per step, `comparison` (marked
 * paired) over all steps and per step, and the verdict and exit code of a
 * regression (or of an inconclusive comparison, when asked).
 */
export function attachPaired(result: StrainResult, profile: NormalizedProfile, plan: Plan, acc: Map<number, StepAccumulator>, pp: PairedPlan, options: PairedRunOptions): void {
  const { settings, failOnInconclusive } = options;
  const [base, candidate] = profile.mix ?? [];
  // The result's steps are the started, measured ones, in plan order: the same as these.
  const measured = plan.steps.filter((s) => s.measured && acc.has(s.seq));
  const stepsOut: NonNullable<StrainResult['ab']>['steps'] = [];
  const all: number[] = [];
  const allQ: number[] = [];
  const perStep: MetricComparison[] = [];
  let maxLooksSeen = 1;
  measured.forEach((planned, i) => {
    const s = acc.get(planned.seq) as StepAccumulator;
    const r = result.steps[i];
    if (!r) return;
    const looks = pp.looks.get(planned.seq) ?? 1;
    maxLooksSeen = Math.max(maxLooksSeen, looks);
    const { pairs, metrics } = metricsOf(s.cycles, s.sideQuantiles, s, looks, settings, measured.length > 1 ? `{step:${r.index + 1},c:${r.load.concurrency}}` : '');
    for (const v of s.cycles) all.push(v);
    for (const v of s.sideQuantiles) allQ.push(v);
    const stoppedEarly = planned.durationMs !== undefined && planned.minDurationMs !== undefined && r.durationMs < planned.durationMs - 2 * profile.snapshotIntervalMs;
    stepsOut.push({ index: r.index, phase: r.phase, cycles: pairs.cycles, looks, stoppedEarly, metrics });
    perStep.push(...metrics);
  });
  const total = measured.length > 1 ? metricsOf(all, allQ, undefined, maxLooksSeen, settings, '').metrics : [];
  // The pooled quantiles of each side are the result's own per-function figures.
  const fns = result.total.functions ?? [];
  for (const m of total) {
    if (m.metric === 'p50' || m.metric === 'p99') {
      m.baseMedian = fns[0]?.latencyMs[m.metric] ?? 0;
      m.currentMedian = fns[1]?.latencyMs[m.metric] ?? 0;
    }
  }
  const metrics = [...total, ...perStep];
  const cycles = stepsOut.reduce((a, s) => a + s.cycles, 0);
  const regressed = metrics.some((m) => m.verdict === 'regressed');
  result.ab = {
    base: base?.extractorPath + (base?.exportName ? `#${base.exportName}` : ''),
    candidate: candidate?.extractorPath + (candidate?.exportName ? `#${candidate.exportName}` : ''),
    ...(options.commits ?? {}),
    blockMs: settings.blockMs, alpha: settings.alpha, noise: { ...settings.noise }, steps: stepsOut,
  };
  result.comparison = { paired: true, baseRuns: cycles, currentRuns: cycles, metrics, regressed };
  const worse = metrics.filter((m) => m.verdict === 'regressed');
  if (worse.length) {
    const what = worse.map((m) => `${m.metric} ${m.relChange >= 0 ? '+' : ''}${(m.relChange * 100).toFixed(2)}% (interval ${(m.interval[0]! * 100).toFixed(2)}%..${(m.interval[1]! * 100).toFixed(2)}%)`);
    result.verdict.reasons.push(`the candidate regressed against the base, side by side: ${what.join(', ')}`);
  }
  const inconclusive = metrics.filter((m) => m.metric.startsWith('mean') && m.verdict === 'inconclusive');
  const note = inconclusive.length ? `the paired comparison is inconclusive: ${inconclusive.map((m) => `${m.metric}: ${m.reason}`).join('; ')}` : undefined;
  if (note && !failOnInconclusive) (result.warnings ??= []).push(note);
  if (note && failOnInconclusive) result.verdict.reasons.push(note);
  if ((regressed || (failOnInconclusive && note)) && result.exitCode === EXIT.passed) {
    result.verdict.passed = false;
    result.exitCode = EXIT.failed;
  }
}
