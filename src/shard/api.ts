/**
 * The library's shard merge, loaded on first use: the merge builds a result
 * (the analysis, the result builder), which `import('strain')` should not
 * load for every caller.
 */
import type { StrainResult } from '../result/schema.js';
import type { MergeOptions, ShardInput } from './merge.js';

/** Read the shards (their folders, or result.json files with shard-state.json beside them) and merge them into one result. */
export async function mergeShards(paths: readonly string[], opts: MergeOptions = {}): Promise<StrainResult> {
  return (await import('./merge.js')).mergeShards(paths, opts);
}

/** Merge shard states already read (readShardState). Throws STRAIN_MERGE when they are not shards of one test. */
export async function mergeShardStates(pieces: readonly ShardInput[], opts: MergeOptions = {}): Promise<StrainResult> {
  return (await import('./merge.js')).mergeShardStates(pieces, opts);
}
