/**
 * `--start-at`: the wall-clock time all shards start their first step at.
 * An ISO time is used as given. `+30s` means 30 s after the latest shard
 * arrived: each shard writes its arrival into a folder all shards share
 * (`--shard-dir`), waits until all of them have, and every shard computes
 * the same time from the same files, with no coordinator of its own.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StrainError } from '../errors.js';
import { parseDuration } from '../profile/duration.js';
import type { ShardSpec } from './spec.js';

export type StartAt = { atMs: number } | { afterMs: number };

export function parseStartAt(text: string, where = '--start-at'): StartAt {
  const t = text.trim();
  if (t.startsWith('+')) return { afterMs: parseDuration(t.slice(1), where) };
  // An ISO date with a time and a zone: a time without one would mean something different on each machine.
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(t)) {
    throw new StrainError('STRAIN_USAGE', `expected an ISO time with its zone (2026-12-04T02:00:00Z) or +DURATION (+30s), got ${JSON.stringify(text)}`, { where });
  }
  const ms = Date.parse(t);
  if (!Number.isFinite(ms)) throw new StrainError('STRAIN_USAGE', `not a valid time: ${JSON.stringify(text)}`, { where });
  return { atMs: ms };
}

interface Arrival {
  index: number;
  count: number;
  fingerprint: string;
  arrivedAt: number;
}

/** A file name of the fingerprint's characters that every file system takes (no ':'). */
const arrivalPrefix = (fingerprint: string): string => `strain-arrival-${fingerprint.replace(/[^\w.-]/g, '_')}-`;
const arrivalFile = (fingerprint: string, index: number): string => `${arrivalPrefix(fingerprint)}${index}.json`;

export interface RendezvousOptions {
  /** Give up when the others have not all arrived after this long (default 10 minutes). */
  timeoutMs?: number | undefined;
  pollMs?: number | undefined;
  signal?: AbortSignal | undefined;
  now?: () => number;
}

/**
 * Write this shard's arrival, wait for all `count` shards of this profile,
 * and return the agreed start: the latest arrival plus `afterMs`. Arrivals
 * older than the timeout are from an earlier test and are not counted.
 */
export async function rendezvous(dir: string, shard: ShardSpec, fingerprint: string, afterMs: number, opts: RendezvousOptions = {}): Promise<number> {
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const pollMs = opts.pollMs ?? 200;
  mkdirSync(dir, { recursive: true });
  const mine: Arrival = { index: shard.index, count: shard.count, fingerprint, arrivedAt: now() };
  const file = path.join(dir, arrivalFile(fingerprint, shard.index));
  // Written whole, then renamed: another shard never reads half a file.
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(mine));
  renameSync(`${file}.${process.pid}.tmp`, file);
  const deadline = mine.arrivedAt + timeoutMs;
  for (;;) {
    const seen = new Map<number, number>();
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(arrivalPrefix(fingerprint)) || !name.endsWith('.json')) continue;
      try {
        const a = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Arrival;
        if (a.fingerprint === fingerprint && a.count === shard.count && a.arrivedAt >= mine.arrivedAt - timeoutMs) seen.set(a.index, a.arrivedAt);
      } catch {
        // Being replaced by its shard: read it on the next look.
      }
    }
    if (seen.size >= shard.count) return Math.max(...seen.values()) + afterMs;
    if (opts.signal?.aborted) throw new StrainError('STRAIN_SHARD_START', 'aborted while waiting for the other shards', { where: dir });
    if (now() >= deadline) {
      const missing = Array.from({ length: shard.count }, (_, i) => i + 1).filter((i) => !seen.has(i));
      throw new StrainError('STRAIN_SHARD_START', `shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${shard.count} did not arrive within ${Math.round(timeoutMs / 1000)} s (are they all running at once, sharing this folder?)`, { where: dir });
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
