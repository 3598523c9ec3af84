/**
 * What a shard leaves for `strain merge`: its whole accumulated data in the
 * checkpoint's form (every step's histograms and counters, workers, series,
 * samples), plus which shard it was and the load its plan gave each step.
 * result.json carries only the steady histograms; this carries all of them.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CheckpointState } from '../checkpoint/state.js';
import { StrainError } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import type { ShardSource } from './spec.js';

export const SHARD_STATE_FILE = 'shard-state.json';
export const SHARD_STATE_VERSION = 1;

/** meta.shard of a shard's result. */
export interface ShardMeta {
  index: number;
  count: number;
  fingerprint: string;
  source: ShardSource;
  /** The agreed start of the first step (ISO), when --start-at aligned the shards. */
  startAt: string | null;
  /** How late this shard's first step started after it (ms). */
  skewMs: number | null;
  /** The latest any aligned step started after its agreed time (ms). */
  maxStepSkewMs: number | null;
}

/** The load this shard's plan gave a step (what the merged step's load adds up from). */
export interface ShardStepLoad {
  seq: number;
  concurrency: number;
  workers: number;
  iterations: number | null;
  rate: number | null;
}

export interface ShardState extends Omit<CheckpointState, 'kind' | 'shard' | 'paired'> {
  kind: 'strain-shard';
  shardVersion: number;
  shard: ShardMeta;
  endedAt: string;
  status: string;
  aborted: boolean;
  failed: boolean;
  stopped: { seq: number; phaseIndex: number; reason: string } | null;
  loads: ShardStepLoad[];
}

export function loadsOf(plan: Plan): ShardStepLoad[] {
  return plan.steps.map((s) => ({ seq: s.seq, concurrency: s.concurrency, workers: s.workers, iterations: s.iterations ?? null, rate: s.open?.rate ?? null }));
}

/** A shard's state from its folder, or from the result.json beside it. */
export function readShardState(given: string): { state: ShardState; file: string } {
  const dir = existsSync(given) && statSync(given).isDirectory() ? given : path.dirname(given);
  const file = path.join(dir, SHARD_STATE_FILE);
  if (!existsSync(file)) {
    throw new StrainError('STRAIN_MERGE', `no ${SHARD_STATE_FILE} here: strain merge takes the --out folders (or their result.json) of runs made with --shard`, { where: given });
  }
  let state: ShardState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as ShardState;
  } catch (e) {
    throw new StrainError('STRAIN_MERGE', `not valid JSON: ${(e as Error).message}`, { where: file });
  }
  if (state?.kind !== 'strain-shard' || state.shardVersion !== SHARD_STATE_VERSION) {
    throw new StrainError('STRAIN_MERGE', `not a strain shard state of version ${SHARD_STATE_VERSION}`, { where: file });
  }
  return { state, file };
}
