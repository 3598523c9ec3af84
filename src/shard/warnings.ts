/**
 * What a shard or a merge must say when its steps do not cover the same
 * seconds as the other shards': a start far after the agreed time, shards
 * aligned to different times, or some aligned and some not.
 */
import type { ShardMeta } from './state.js';

/** A first step later than this after the agreed start is worth saying (a shard that arrived after the start). */
export const LATE_START_MS = 1000;

export function shardStartWarning(shard: ShardMeta): string | undefined {
  if (shard.startAt === null || shard.skewMs === null || shard.skewMs <= LATE_START_MS) return undefined;
  return `shard ${shard.index} of ${shard.count} started its first step ${(shard.skewMs / 1000).toFixed(1)} s after the agreed start (${shard.startAt}): its steps do not cover the same seconds as the other shards'`;
}

export function mergeStartWarnings(shards: readonly ShardMeta[]): string[] {
  const out: string[] = [];
  const starts = new Set(shards.map((s) => s.startAt));
  if (starts.size > 1) {
    out.push(`the shards were not aligned to one start (${[...starts].map((s) => s ?? 'none').join(', ')}): their steps cover different seconds, so the merged steps add loads that did not run at the same time`);
  }
  for (const s of shards) {
    const w = shardStartWarning(s);
    if (w) out.push(w);
  }
  return out;
}
