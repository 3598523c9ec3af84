/**
 * `--baseline-dir DIR`: one baseline per profile, kept by the profile's name
 * and compared only with runs of the same profile content (its fingerprint).
 * The baseline file is the ordinary one (`strain-baseline`), with the
 * fingerprint and the profile file beside the host facts it always records.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readRunSet, type BaselineFile } from '../baseline/runs.js';
import type { RunSummary, StrainResult } from '../result/schema.js';
import { writeFileAtomic } from '../result/write.js';

export { profileFingerprint } from '../profile/fingerprint.js';

export function baselineFileOf(dir: string, name: string): string {
  return path.join(dir, `${name.replace(/[^\w.-]+/g, '_')}.baseline.json`);
}

export type BaselineLookup =
  | { state: 'none'; file: string }
  | { state: 'same-profile'; file: string; runs: RunSummary[] }
  | { state: 'different-profile'; file: string; was: string | undefined };

/** The profile's baseline in DIR, and whether it was taken of this same content. */
export function lookupBaseline(dir: string, name: string, fingerprint: string): BaselineLookup {
  const file = baselineFileOf(dir, name);
  if (!existsSync(file)) return { state: 'none', file };
  const runs = readRunSet(file).runs;
  const saved = (JSON.parse(readFileSync(file, 'utf8')) as Partial<StoredBaseline>).fingerprint;
  if (saved !== fingerprint) return { state: 'different-profile', file, was: saved };
  return { state: 'same-profile', file, runs };
}

interface StoredBaseline extends BaselineFile {
  fingerprint: string;
  profileFile: string;
}

export function storeBaseline(dir: string, result: StrainResult, runs: RunSummary[], fingerprint: string, profileFile: string): string {
  mkdirSync(dir, { recursive: true });
  const file = baselineFileOf(dir, result.name);
  const b: StoredBaseline = {
    kind: 'strain-baseline', schemaVersion: 1, name: result.name, createdAt: new Date().toISOString(), host: result.meta.host, runs, fingerprint, profileFile,
  };
  writeFileAtomic(file, `${JSON.stringify(b, null, 2)}\n`);
  return file;
}

/** One line for people: what happened to this profile's baseline. */
export function baselineNote(l: BaselineLookup): string {
  if (l.state === 'none') return `no baseline yet in ${l.file}`;
  if (l.state === 'different-profile') return `baseline from a different profile (${l.file} was taken of other content${l.was ? `, ${l.was}` : ''}); not compared`;
  return `compared with ${l.file}`;
}
