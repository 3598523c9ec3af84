import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { StrainError } from '../errors.js';
import { parseDuration } from './duration.js';
import { jsonErrorOffset, lineColumn } from './json-position.js';
import type { Phase, Profile } from './schema.js';
import { validateProfile } from './validate.js';
import { importModule } from '../extractor/load.js';

/** A validated profile with paths made absolute and durations in milliseconds. */
export interface NormalizedProfile {
  name: string;
  extractorPath: string;
  exportName: string | undefined;
  dataPath: string | undefined;
  extractorOptions: unknown;
  snapshotIntervalMs: number;
  stepWarmupMs: number;
  phases: Phase[];
  thresholds: NonNullable<Profile['thresholds']>;
  analysis: NonNullable<Profile['analysis']>;
  pin: boolean;
  hangTimeoutMs: number;
  maxFaults: number;
  maxWorkerHeapMb: number | undefined;
  seed: number | undefined;
  /** Profiling: which profilers, their sampling intervals, and the steps named (undefined: all, keeping the last and the knee's). */
  profiling: { cpu: boolean; heap: boolean; heapSnapshot: boolean; intervalUs: number; heapIntervalBytes: number; steps: number[] | undefined } | undefined;
}

export function parseProfileJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const at = jsonErrorOffset(text);
    const { line, column } = lineColumn(text, Math.max(0, at));
    throw new StrainError('STRAIN_PROFILE_PARSE', `not valid JSON (${(e as Error).message})`, { where: `${file}:${line}:${column}` });
  }
}

const MODULE = /\.(m|c)?(j|t)s$/;

/**
 * Read a profile: JSON data, or a .js/.ts module whose default export is the
 * profile (built with defineProfile and the presets). Validated either way.
 */
export async function readProfileFile(file: string): Promise<{ profile: Profile; baseDir: string }> {
  const baseDir = path.dirname(path.resolve(file));
  if (MODULE.test(file)) {
    if (!existsSync(file)) throw new StrainError('STRAIN_PROFILE_READ', 'cannot read the profile: no such file', { where: file });
    let mod: Record<string, unknown>;
    try {
      mod = await importModule(path.resolve(file));
    } catch (e) {
      throw new StrainError('STRAIN_PROFILE_READ', `cannot load the profile module: ${(e as Error).message}`, { where: file, cause: e });
    }
    let data = mod['default'] ?? mod['profile'];
    // A CommonJS module arrives as { default: module.exports }.
    if (data && typeof data === 'object' && 'default' in data && !('phases' in data)) data = (data as { default: unknown }).default;
    if (data === undefined) throw new StrainError('STRAIN_PROFILE_READ', 'the profile module has no default export', { where: file });
    return { profile: validateProfile(data, file), baseDir };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new StrainError('STRAIN_PROFILE_READ', `cannot read the profile: ${(e as Error).message}`, { where: file, cause: e });
  }
  // Editors on Windows save UTF-8 with a byte-order mark; JSON.parse refuses it.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const data = parseProfileJson(text, file);
  return { profile: validateProfile(data, file), baseDir };
}

function requireFile(p: string, jsonPath: string): void {
  if (!existsSync(p) || !statSync(p).isFile()) {
    throw new StrainError('STRAIN_FILE_MISSING', `file not found: ${p}`, { where: jsonPath });
  }
}

/** Split `./mod.js#name` into path and export name. */
export function splitExtractorSpec(spec: string): { file: string; exportName: string | undefined } {
  const hash = spec.lastIndexOf('#');
  if (hash <= 0) return { file: spec, exportName: undefined };
  return { file: spec.slice(0, hash), exportName: spec.slice(hash + 1) || undefined };
}

/** Validate (again, for profiles built in code), resolve paths and parse durations. */
export function normalizeProfile(input: unknown, baseDir: string, source = 'profile'): NormalizedProfile {
  const profile = validateProfile(input, source);
  const { file, exportName } = splitExtractorSpec(profile.extractor);
  const extractorPath = path.resolve(baseDir, file);
  requireFile(extractorPath, `${source} $.extractor`);
  if (profile.profile && !profile.profile.cpu && !profile.profile.heap && !profile.profile.heapSnapshot) {
    throw new StrainError('STRAIN_PROFILE_INVALID', 'names no profiler: set "cpu", "heap" or "heapSnapshot" to true', { where: `${source} $.profile` });
  }
  const dataPath = profile.data === undefined ? undefined : path.resolve(baseDir, profile.data);
  if (dataPath) requireFile(dataPath, `${source} $.data`);
  return {
    name: profile.name ?? path.basename(file).replace(/\.[^.]+$/, ''),
    extractorPath,
    exportName,
    dataPath,
    extractorOptions: profile.extractorOptions,
    snapshotIntervalMs: profile.snapshotInterval === undefined ? 1000 : parseDuration(profile.snapshotInterval, `${source} $.snapshotInterval`),
    stepWarmupMs: profile.stepWarmup === undefined ? 0 : parseDuration(profile.stepWarmup, `${source} $.stepWarmup`),
    phases: profile.phases,
    thresholds: profile.thresholds ?? {},
    analysis: profile.analysis ?? {},
    pin: profile.pin ?? false,
    hangTimeoutMs: profile.hangTimeout === undefined ? 10_000 : parseDuration(profile.hangTimeout, `${source} $.hangTimeout`),
    maxFaults: profile.maxFaults ?? 10,
    maxWorkerHeapMb: profile.maxWorkerHeapMb,
    seed: profile.seed,
    profiling: profile.profile ? {
      cpu: profile.profile.cpu ?? false, heap: profile.profile.heap ?? false, heapSnapshot: profile.profile.heapSnapshot ?? false,
      intervalUs: profile.profile.intervalUs ?? 1000, heapIntervalBytes: profile.profile.heapIntervalBytes ?? 32_768, steps: profile.profile.steps,
    } : undefined,
  };
}
