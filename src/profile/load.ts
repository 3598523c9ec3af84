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
  /** A weighted mix of functions (profile.mix); undefined for a single extractor. */
  mix: MixFunction[] | undefined;
  /** Profiling: which profilers, their sampling intervals, and the steps named (undefined: all, keeping the last and the knee's). */
  profiling: { cpu: boolean; heap: boolean; heapSnapshot: boolean; intervalUs: number; heapIntervalBytes: number; steps: number[] | undefined } | undefined;
}

/** One function of a mix, with its paths resolved. */
export interface MixFunction {
  name: string;
  extractorPath: string;
  exportName: string | undefined;
  /** Its own rows; undefined: the profile's data. */
  dataPath: string | undefined;
  extractorOptions: unknown;
  weight: number;
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

function requireExistingFile(p: string, jsonPath: string): void {
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
/**
 * Validate a profile and resolve its parts. `requireFiles: false` is for
 * reading a profile back from a result made elsewhere (strain merge): its
 * extractor and data need not exist here.
 */
export function normalizeProfile(input: unknown, baseDir: string, source = 'profile', opts: { requireFiles?: boolean } = {}): NormalizedProfile {
  const profile = validateProfile(input, source);
  const requireFile = opts.requireFiles === false ? (): void => {} : requireExistingFile;
  if ((profile.extractor === undefined) === (profile.mix === undefined)) {
    if (profile.mix) throw new StrainError('STRAIN_PROFILE_INVALID', 'gives both "extractor" and "mix": a profile runs one or the other', { where: `${source} $.mix` });
    throw new StrainError('STRAIN_PROFILE_INVALID', 'is required (or "mix", a list of weighted functions)', { where: `${source} $.extractor` });
  }
  const mix = profile.mix ? normalizeMix(profile.mix, baseDir, source, profile.extractorOptions, requireFile) : undefined;
  if (mix) checkMixPhases(profile.phases, source);
  const { file, exportName } = profile.extractor ? splitExtractorSpec(profile.extractor) : { file: (mix as MixFunction[])[0]!.extractorPath, exportName: (mix as MixFunction[])[0]!.exportName };
  const extractorPath = path.resolve(baseDir, file);
  requireFile(extractorPath, `${source} $.extractor`);
  if (profile.profile && !profile.profile.cpu && !profile.profile.heap && !profile.profile.heapSnapshot) {
    throw new StrainError('STRAIN_PROFILE_INVALID', 'names no profiler: set "cpu", "heap" or "heapSnapshot" to true', { where: `${source} $.profile` });
  }
  const dataPath = profile.data === undefined ? undefined : path.resolve(baseDir, profile.data);
  if (dataPath) requireFile(dataPath, `${source} $.data`);
  return {
    name: profile.name ?? path.basename(file).replace(/\.[^.]+$/, ''),
    mix,
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

function normalizeMix(entries: NonNullable<Profile['mix']>, baseDir: string, source: string, sharedOptions: unknown, requireFile: (p: string, at: string) => void): MixFunction[] {
  const seen = new Set<string>();
  return entries.map((e, i) => {
    const at = `${source} $.mix[${i}]`;
    if (seen.has(e.name)) throw new StrainError('STRAIN_PROFILE_INVALID', `the name ${JSON.stringify(e.name)} is given twice: each function of a mix needs its own`, { where: `${at}.name` });
    seen.add(e.name);
    const spec = splitExtractorSpec(e.extractor);
    const extractorPath = path.resolve(baseDir, spec.file);
    requireFile(extractorPath, `${at}.extractor`);
    const dataPath = e.data === undefined ? undefined : path.resolve(baseDir, e.data);
    if (dataPath) requireFile(dataPath, `${at}.data`);
    return { name: e.name, extractorPath, exportName: spec.exportName, dataPath, extractorOptions: 'extractorOptions' in e ? e.extractorOptions : sharedOptions, weight: e.weight };
  });
}

/** Each call of a mix is timed alone, so its function is known: batched timing cannot apply. */
function checkMixPhases(phases: Profile['phases'], source: string): void {
  phases.forEach((p, i) => {
    if ('batchSize' in p && p.batchSize !== undefined && p.batchSize > 1) {
      throw new StrainError('STRAIN_PROFILE_INVALID', 'batchSize cannot be used with a mix: each call is timed alone so its function is known', { where: `${source} $.phases[${i}].batchSize` });
    }
  });
}
