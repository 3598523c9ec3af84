/**
 * Turn the checkpoint a killed run left in its folder into a result marked
 * `interrupted`, built by the same code a finished run's result is.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CoordinatorOutput } from '../engine/coordinator.js';
import { StrainError } from '../errors.js';
import { planProfile, type Plan } from '../plan/plan.js';
import { shardPlan } from '../shard/split.js';
import { attachPaired, pairPlan } from '../ab/paired-run.js';
import { shardStateOf } from '../shard/write-state.js';
import type { ShardState } from '../shard/state.js';
import { normalizeProfile } from '../profile/load.js';
import { buildResult } from '../result/build.js';
import { restoreSteer } from '../capacity/steer.js';
import type { StrainResult } from '../result/schema.js';
import { parseThresholds } from '../run.js';
import { CHECKPOINT_FILE, CHECKPOINT_VERSION, restoreAccumulator, type CheckpointState } from './state.js';

export function readCheckpoint(dir: string): CheckpointState {
  const file = path.join(dir, CHECKPOINT_FILE);
  if (!existsSync(file)) throw new StrainError('STRAIN_CHECKPOINT_READ', 'no checkpoint.json here (a finished run leaves none; is this the run\'s --out folder?)', { where: dir });
  let cp: CheckpointState;
  try {
    cp = JSON.parse(readFileSync(file, 'utf8')) as CheckpointState;
  } catch (e) {
    throw new StrainError('STRAIN_CHECKPOINT_READ', `the checkpoint is not valid JSON: ${(e as Error).message}`, { where: file });
  }
  if (cp?.kind !== 'strain-checkpoint' || cp.version !== CHECKPOINT_VERSION) {
    throw new StrainError('STRAIN_CHECKPOINT_READ', `not a strain checkpoint of version ${CHECKPOINT_VERSION}`, { where: file });
  }
  return cp;
}

export function recoverResult(dir: string): StrainResult {
  return recoverRun(dir).result;
}

/**
 * A killed shard's result, and the shard state `strain merge` reads (the
 * recover command writes it beside result.json): a merge that holds it is
 * marked interrupted.
 */
export function recoverShard(dir: string): { result: StrainResult; state: ShardState | undefined } {
  const { result, cp, run, plan } = recoverRun(dir);
  const state = cp.shard ? shardStateOf(cp, { shard: cp.shard, result, run, plan }) : undefined;
  return { result, state };
}

function recoverRun(dir: string): { result: StrainResult; cp: CheckpointState; run: CoordinatorOutput; plan: Plan } {
  const cp = readCheckpoint(dir);
  const profile = normalizeProfile(cp.profile, cp.baseDir, cp.source);
  // A shard's checkpoint is of its part of the profile: split it again, the same way.
  const plan = cp.shard ? shardPlan(planProfile(profile, cp.source), profile.phases, cp.shard, cp.source) : planProfile(profile, cp.source);
  // A paired run's steps were lengthened to its --max-time: the same again, so the result's steps match the checkpoint's.
  const paired = cp.paired ? pairPlan(profile, plan, cp.paired.settings, cp.source) : undefined;
  const thresholds = parseThresholds(profile, cp.source);
  const acc = restoreAccumulator(cp, (seq) => plan.steps[seq]?.measured ?? false);
  const steer = plan.steps.some((s) => s.search) ? restoreSteer(plan, thresholds, cp.search) : undefined;
  const run: CoordinatorOutput = {
    acc,
    samples: cp.samples,
    startedAt: new Date(cp.startedAt),
    endedAt: new Date(cp.writtenAt),
    aborted: false,
    failed: false,
    started: cp.started,
    teardownErrors: cp.teardownErrors,
    faults: cp.faults,
    placement: cp.placement,
    stopped: undefined,
    seed: cp.seed,
    scheduleStartMs: new Map(),
    samplePeriodMs: cp.samplePeriodMs ?? 1000,
    // Profiles live in the worker until its step ends and are not checkpointed: a killed run has none.
    profiles: [],
    heapSnapshots: [],
  };
  const result = buildResult({ profile, plan, run, host: cp.host, thresholds, interrupted: true, search: steer?.outcome(), shard: cp.shard });
  // The pairs measured before the kill, judged as the run would have judged them at its last look.
  if (paired && cp.paired) attachPaired(result, profile, plan, acc.steps, paired, cp.paired);
  return { result, cp, run, plan };
}
