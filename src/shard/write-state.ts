/** Leave a shard's state beside its result (written whole, then renamed). */
import path from 'node:path';
import type { CheckpointState } from '../checkpoint/state.js';
import type { CoordinatorOutput } from '../engine/coordinator.js';
import type { Plan } from '../plan/plan.js';
import type { StrainResult } from '../result/schema.js';
import { writeFileAtomic } from '../result/write.js';
import { loadsOf, SHARD_STATE_FILE, SHARD_STATE_VERSION, type ShardMeta, type ShardState } from './state.js';

interface Ending {
  shard: ShardMeta;
  result: StrainResult;
  run: CoordinatorOutput;
  plan: Plan;
}

export function writeShardState(dir: string, cp: CheckpointState, at: Ending): string {
  const file = path.join(dir, SHARD_STATE_FILE);
  writeFileAtomic(file, JSON.stringify(shardStateOf(cp, at)));
  return file;
}

export function shardStateOf(cp: CheckpointState, at: Ending): ShardState {
  const { kind: _kind, shard: _shard, paired: _paired, ...rest } = cp;
  return {
    ...rest,
    kind: 'strain-shard',
    shardVersion: SHARD_STATE_VERSION,
    shard: at.shard,
    endedAt: at.run.endedAt.toISOString(),
    status: at.result.status,
    aborted: at.run.aborted,
    failed: at.run.failed,
    stopped: at.run.stopped ?? null,
    loads: loadsOf(at.plan),
  };
}
