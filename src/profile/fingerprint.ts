/** A profile's fingerprint: what baselines (--baseline-dir) and shards (--shard) of one profile share. */
import { createHash } from 'node:crypto';
import type { Profile } from './schema.js';

/** JSON with object keys sorted: the same content always gives the same text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** What identifies a profile's content (after the overrides it ran with); `description` and `$schema` change nothing measured. */
export function profileFingerprint(profile: Profile): string {
  const { description: _d, $schema: _s, ...rest } = profile as Profile & { description?: unknown; $schema?: unknown };
  return `sha256:${createHash('sha256').update(canonical(rest)).digest('hex').slice(0, 32)}`;
}
