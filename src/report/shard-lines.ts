/** What every report says of a shard (which one, how aligned) and of a merged result (which shards, each one's facts). */
import type { StrainResult } from '../result/schema.js';
import { fmtBytes, fmtMs } from './format.js';

const skewOf = (ms: number | null): string => (ms === null ? 'not aligned' : `${fmtMs(ms)} late`);

/** One line: a shard's identity, or a merge's set. Empty for an ordinary run. */
export function shardHeadline(r: StrainResult): string | undefined {
  const sh = r.meta.shard;
  if (sh) {
    const aligned = sh.startAt ? `; first step ${skewOf(sh.skewMs)} after the agreed ${sh.startAt} (at most ${skewOf(sh.maxStepSkewMs)})` : '; steps not aligned to a start time';
    return `shard ${sh.index} of ${sh.count} (profile ${sh.fingerprint}, index from ${sh.source})${aligned}: its part of the load; strain merge adds the shards`;
  }
  const m = r.meta.shards;
  if (!m) return undefined;
  return `merged from shard${m.held.length > 1 ? 's' : ''} ${m.held.join(', ')} of ${m.count} (profile ${m.fingerprint})${m.missing.length ? `; PARTIAL: shard${m.missing.length > 1 ? 's' : ''} ${m.missing.join(', ')} missing` : ''}; host and resources are the fleet's, each shard's below`;
}

export const SHARD_HEADER = ['shard', 'status', 'host', 'workers', 'calls', 'errors', 'first step', 'worst step', 'peak rss', 'mean cpu'];

/** Each merged shard's own facts, side by side. */
export function shardRows(r: StrainResult): string[][] {
  return (r.meta.shards?.pieces ?? []).map((p) => [
    String(p.index), p.status, `${p.host.cpus} × ${p.host.model}`, String(p.workers), String(p.count), String(p.errors),
    skewOf(p.skewMs), skewOf(p.maxStepSkewMs), fmtBytes(p.peakRssBytes), `${p.meanCpuPercent.toFixed(0)}%`,
  ]);
}
