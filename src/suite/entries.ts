/**
 * What `strain run` was given, as a list of profiles to run: profile files,
 * folders of them, and suite files (a list of profiles with per-profile
 * overrides). Pure reading and checking: nothing runs here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { StrainError } from '../errors.js';
import { parseProfileJson } from '../profile/load.js';
import type { ProfileOverrides } from '../profile/overrides.js';

/** One profile of a suite: its file and the overrides the suite gives it. */
export interface SuiteEntry {
  file: string;
  overrides: ProfileOverrides;
  /** Where it was named: the argument, or the suite file and its JSON path. */
  from: string;
}

export interface SuiteInput {
  /** The suite file's name, when one suite file was given. */
  name: string | undefined;
  entries: SuiteEntry[];
  /** True when the arguments name more than one profile or any folder or suite file. */
  isSuite: boolean;
}

const PROFILE_FILE = /\.(json|m?js|cjs|m?ts|cts)$/;
const OVERRIDE_KEYS = ['duration', 'concurrency', 'rate', 'data'] as const;

/** A JSON file is a suite when its top level is an object holding "profiles". */
export function isSuiteFile(file: string): boolean {
  if (!file.endsWith('.json') || !existsSync(file) || !statSync(file).isFile()) return false;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as unknown;
    return data !== null && typeof data === 'object' && !Array.isArray(data) && 'profiles' in data;
  } catch {
    return false;
  }
}

function readSuiteFile(file: string): { name: string | undefined; entries: SuiteEntry[] } {
  const data = parseProfileJson(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), file) as Record<string, unknown>;
  const bad = (at: string, what: string): StrainError => new StrainError('STRAIN_SUITE_INVALID', what, { where: `${file} ${at}` });
  for (const k of Object.keys(data)) if (!['$schema', 'name', 'description', 'profiles'].includes(k)) throw bad(`$.${k}`, `unknown key "${k}" (a suite has name, description and profiles)`);
  if (data['name'] !== undefined && typeof data['name'] !== 'string') throw bad('$.name', 'must be a string');
  const list = data['profiles'];
  if (!Array.isArray(list) || list.length === 0) throw bad('$.profiles', 'must be a non-empty array of profile paths or { "profile": path, ...overrides }');
  const dir = path.dirname(file);
  const entries = list.map((item: unknown, i): SuiteEntry => {
    const at = `$.profiles[${i}]`;
    if (typeof item === 'string') return { file: path.resolve(dir, item), overrides: {}, from: `${file} ${at}` };
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw bad(at, 'must be a profile path or { "profile": path, ...overrides }');
    const o = item as Record<string, unknown>;
    if (typeof o['profile'] !== 'string') throw bad(`${at}.profile`, 'must be the profile\'s path (relative to the suite file)');
    for (const k of Object.keys(o)) if (k !== 'profile' && !(OVERRIDE_KEYS as readonly string[]).includes(k)) throw bad(`${at}.${k}`, `unknown key "${k}" (overrides: ${OVERRIDE_KEYS.join(', ')})`);
    if (o['duration'] !== undefined && typeof o['duration'] !== 'string') throw bad(`${at}.duration`, 'must be a duration string such as "30s"');
    for (const k of ['concurrency', 'rate'] as const) if (o[k] !== undefined && typeof o[k] !== 'number') throw bad(`${at}.${k}`, 'must be a number');
    if (o['data'] !== undefined && typeof o['data'] !== 'string') throw bad(`${at}.data`, 'must be a path (relative to the suite file)');
    const overrides: ProfileOverrides = {
      ...(o['duration'] !== undefined ? { duration: o['duration'] as string } : {}),
      ...(o['concurrency'] !== undefined ? { concurrency: o['concurrency'] as number } : {}),
      ...(o['rate'] !== undefined ? { rate: o['rate'] as number } : {}),
      ...(o['data'] !== undefined ? { data: path.resolve(dir, o['data'] as string) } : {}),
    };
    return { file: path.resolve(dir, o['profile']), overrides, from: `${file} ${at}` };
  });
  return { name: data['name'] as string | undefined, entries };
}

/** The profile files directly inside a folder (suite files among them are expanded), in name order. */
function folderEntries(dir: string): SuiteEntry[] {
  const names = readdirSync(dir).filter((f) => PROFILE_FILE.test(f) && !f.endsWith('.d.ts') && f !== 'profile.schema.json').sort();
  const out: SuiteEntry[] = [];
  for (const f of names) {
    const file = path.join(dir, f);
    if (!statSync(file).isFile()) continue;
    if (isSuiteFile(file)) out.push(...readSuiteFile(file).entries);
    else out.push({ file, overrides: {}, from: file });
  }
  if (!out.length) throw new StrainError('STRAIN_SUITE_INVALID', 'the folder holds no profile files (.json, .js, .ts)', { where: dir });
  return out;
}

/** Expand the arguments of `strain run` into the profiles to run, in order. */
export function suiteEntries(args: readonly string[], cwd: string): SuiteInput {
  const entries: SuiteEntry[] = [];
  let name: string | undefined;
  let expanded = false;
  for (const arg of args) {
    const file = path.resolve(cwd, arg);
    if (existsSync(file) && statSync(file).isDirectory()) {
      entries.push(...folderEntries(file));
      expanded = true;
    } else if (isSuiteFile(file)) {
      const s = readSuiteFile(file);
      name ??= s.name ?? path.basename(file).replace(/(\.suite)?\.json$/, '');
      entries.push(...s.entries);
      expanded = true;
    } else entries.push({ file, overrides: {}, from: file });
  }
  return { name, entries, isSuite: expanded || entries.length > 1 };
}
