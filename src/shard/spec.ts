/**
 * Which shard this run is: `--shard i/n` (i from 1), or read from the
 * scheduler that started it (`--shard auto`). The shards of one test are
 * tied together by the profile's fingerprint (suite/baseline-dir.ts).
 */
import { StrainError } from '../errors.js';

export interface ShardSpec {
  /** From 1. */
  index: number;
  count: number;
}

/** Where a `--shard auto` found its index and count (recorded in meta.shard). */
export type ShardSource = 'given' | 'slurm' | 'kubernetes' | 'env';

const usage = (message: string, where: string): StrainError => new StrainError('STRAIN_SHARD', message, { where });

function intOf(text: string, what: string, where: string): number {
  if (!/^\d+$/.test(text.trim())) throw usage(`${what} must be a whole number, got ${JSON.stringify(text)}`, where);
  return Number(text.trim());
}

export function checkShard(spec: ShardSpec, where: string): ShardSpec {
  if (!Number.isInteger(spec.count) || spec.count < 1) throw usage(`the shard count must be at least 1, got ${spec.count}`, where);
  if (!Number.isInteger(spec.index) || spec.index < 1 || spec.index > spec.count) {
    throw usage(`the shard index counts from 1 to the count (${spec.count}), got ${spec.index}`, where);
  }
  return spec;
}

/** `2/4`: the second of four. */
export function parseShard(text: string, where = '--shard'): ShardSpec {
  const m = /^\s*([^/]+)\/([^/]+)\s*$/.exec(text);
  if (!m) throw usage(`expected INDEX/COUNT with the index from 1 (e.g. 2/4) or "auto", got ${JSON.stringify(text)}`, where);
  return checkShard({ index: intOf(m[1] as string, 'the shard index', where), count: intOf(m[2] as string, 'the shard count', where) }, where);
}

/**
 * The shard a scheduler started this process as. Slurm job arrays give the
 * task id and count (ids run from SLURM_ARRAY_TASK_MIN, so `--array=0-3` and
 * `--array=1-4` both make shards 1..4; a stepped array, `0-6:2`, is refused);
 * a Kubernetes Indexed Job gives JOB_COMPLETION_INDEX (from 0) and the count
 * comes from `countHint` or STRAIN_SHARD_COUNT; a CI matrix sets
 * STRAIN_SHARD_INDEX (from 1) and STRAIN_SHARD_COUNT itself.
 */
export function shardFromEnv(env: Readonly<Record<string, string | undefined>>, countHint?: number): ShardSpec & { source: ShardSource } {
  const where = '--shard auto';
  const countFrom = (name: string): number | undefined => {
    if (countHint !== undefined) return countHint;
    const v = env[name];
    return v === undefined || v === '' ? undefined : intOf(v, name, where);
  };
  if (env['SLURM_ARRAY_TASK_ID'] !== undefined && env['SLURM_ARRAY_TASK_ID'] !== '') {
    const id = intOf(env['SLURM_ARRAY_TASK_ID'], 'SLURM_ARRAY_TASK_ID', where);
    const min = env['SLURM_ARRAY_TASK_MIN'] ? intOf(env['SLURM_ARRAY_TASK_MIN'], 'SLURM_ARRAY_TASK_MIN', where) : 0;
    const count = countFrom('SLURM_ARRAY_TASK_COUNT');
    if (count === undefined) throw new StrainError('STRAIN_SHARD_ENV', 'SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not (give --shard-count)', { where });
    const step = env['SLURM_ARRAY_TASK_STEP'] ? intOf(env['SLURM_ARRAY_TASK_STEP'], 'SLURM_ARRAY_TASK_STEP', where) : 1;
    if (step !== 1) throw usage(`the job array steps by ${step}: shards need consecutive task ids (--array=0-${count - 1})`, where);
    return { ...checkShard({ index: id - min + 1, count }, where), source: 'slurm' };
  }
  if (env['JOB_COMPLETION_INDEX'] !== undefined && env['JOB_COMPLETION_INDEX'] !== '') {
    const count = countFrom('STRAIN_SHARD_COUNT');
    if (count === undefined) throw new StrainError('STRAIN_SHARD_ENV', 'JOB_COMPLETION_INDEX is set, but not the count: give --shard-count (the Job\'s completions) or set STRAIN_SHARD_COUNT', { where });
    return { ...checkShard({ index: intOf(env['JOB_COMPLETION_INDEX'], 'JOB_COMPLETION_INDEX', where) + 1, count }, where), source: 'kubernetes' };
  }
  if (env['STRAIN_SHARD_INDEX'] !== undefined && env['STRAIN_SHARD_INDEX'] !== '') {
    const count = countFrom('STRAIN_SHARD_COUNT');
    if (count === undefined) throw new StrainError('STRAIN_SHARD_ENV', 'STRAIN_SHARD_INDEX is set but STRAIN_SHARD_COUNT is not', { where });
    return { ...checkShard({ index: intOf(env['STRAIN_SHARD_INDEX'], 'STRAIN_SHARD_INDEX', where), count }, where), source: 'env' };
  }
  throw new StrainError('STRAIN_SHARD_ENV', 'no shard index in the environment: expected SLURM_ARRAY_TASK_ID (a Slurm job array), JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or STRAIN_SHARD_INDEX with STRAIN_SHARD_COUNT (a CI matrix)', { where });
}

/** A seed all shards agree on without talking: drawn from the fingerprint (the profile's own seed wins). */
export function shardSeed(fingerprint: string): number {
  return Number.parseInt(fingerprint.replace(/^sha256:/, '').slice(0, 8), 16) & 0x7fffffff;
}
