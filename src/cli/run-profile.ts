/**
 * One profile of `strain run`, alone or in a suite: read, override, check
 * everything checkable (before a worker starts or a file is written), then
 * run the session, with its lock and its baseline from --baseline-dir.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { readRunSet } from '../baseline/runs.js';
import { StrainError } from '../errors.js';
import { readProfileFile } from '../profile/load.js';
import { applyOverrides } from '../profile/overrides.js';
import type { Profile } from '../profile/schema.js';
import type { ReportFormat } from '../report/write-all.js';
import { resultExists } from '../result/write.js';
import { prepareRun, type RunOptions } from '../run.js';
import { shardOptionsOf } from './shard-options.js';
import { baselineNote, lookupBaseline, profileFingerprint, storeBaseline, type BaselineLookup } from '../suite/baseline-dir.js';
import type { SuiteEntry } from '../suite/entries.js';
import type { RunArgs } from './commands/run.js';
import type { CliIo } from './io.js';
import { acquireLock } from './lock.js';
import { monitoringPlan } from './monitoring-plan.js';
import type { NoiseThresholds } from '../baseline/noise.js';
import type { Session, SessionOutcome } from './run-session.js';

export interface PreparedProfile {
  entry: SuiteEntry;
  session: Session;
  lockFile: string | undefined;
  /** --baseline-dir: where this profile's baseline is and what it holds. */
  baselineDir: { dir: string; fingerprint: string; lookup: BaselineLookup } | undefined;
}

export interface ProfileOutcome extends SessionOutcome {
  /** --baseline-dir: how the baseline was used, and whether it was replaced. */
  baseline: { note: string; state: BaselineLookup['state']; updated: boolean } | undefined;
}

/** Where one profile's results go, decided once its name is known. */
export type Placement = (name: string) => { outDir: string; history: string | undefined };

/** Things already parsed from the command line, shared by every profile of a suite. */
export interface CommonArgs {
  args: RunArgs;
  formats: ReportFormat[];
  noise: NoiseThresholds;
  metrics: { port: number; host: string } | undefined;
  /** strain ab: the profile made a paired run (its base beside it) after the overrides. */
  paired?: { transform: (p: Profile, source: string) => Profile; run: NonNullable<RunOptions['paired']> } | undefined;
}

function withProfilers(p: Profile, args: RunArgs): Profile {
  const kinds = args.profile === undefined ? [] : args.profile.split(',').map((k) => k.trim());
  const bad = kinds.find((k) => k !== 'cpu' && k !== 'heap');
  if (bad !== undefined || (args.profile !== undefined && !kinds.length)) throw new StrainError('STRAIN_USAGE', `--profile takes cpu, heap or cpu,heap, found ${JSON.stringify(args.profile)}`);
  if (!kinds.length && !args['heap-snapshot']) return p;
  return { ...p, profile: { ...p.profile, ...(kinds.includes('cpu') ? { cpu: true } : {}), ...(kinds.includes('heap') ? { heap: true } : {}), ...(args['heap-snapshot'] ? { heapSnapshot: true } : {}) } };
}

/** Where results go must be usable before the run, not found broken after it. */
function checkOutputPaths(cwd: string, args: RunArgs, outDir: string, history: string | undefined): void {
  const kind = (p: string): 'dir' | 'file' | 'none' => (existsSync(p) ? (statSync(p).isDirectory() ? 'dir' : 'file') : 'none');
  if (kind(outDir) === 'file') throw new StrainError('STRAIN_USAGE', '--out must be a folder, and this is a file', { where: outDir });
  if (history && kind(history) === 'file') throw new StrainError('STRAIN_USAGE', '--history must be a folder, and this is a file', { where: history });
  for (const opt of ['save-baseline', 'lock'] as const) {
    const v = args[opt];
    if (v && kind(path.resolve(cwd, v)) === 'dir') throw new StrainError('STRAIN_USAGE', `--${opt} must be a file path, and this is a folder`, { where: path.resolve(cwd, v) });
  }
  const dir = args['baseline-dir'];
  if (dir && kind(path.resolve(cwd, dir)) === 'file') throw new StrainError('STRAIN_USAGE', '--baseline-dir must be a folder, and this is a file', { where: path.resolve(cwd, dir) });
  if (resultExists(outDir) && !args.force) throw new StrainError('STRAIN_OUTPUT_EXISTS', 'a result.json is already there; pass --force to overwrite it', { where: outDir });
}

export async function prepareProfile(entry: SuiteEntry, common: CommonArgs, place: Placement, io: CliIo): Promise<PreparedProfile> {
  const { args } = common;
  const read = await readProfileFile(entry.file);
  const overrides = { duration: args.duration ?? entry.overrides.duration, concurrency: args.concurrency ?? entry.overrides.concurrency, rate: args.rate ?? entry.overrides.rate, data: args.data ?? entry.overrides.data };
  const overridden = applyOverrides(read.profile, overrides, io.cwd);
  const own = withProfilers(overridden, args);
  const profile = common.paired ? common.paired.transform(own, entry.file) : own;
  const shard = shardOptionsOf(args, io.env ?? {}, io.cwd);
  const prepared = prepareRun(profile, { baseDir: read.baseDir, source: entry.file, ...(shard ? { shard } : {}) });
  // A paired run's phases are checked now, before anything is written.
  if (common.paired) (await import('../ab/paired-run.js')).pairPlan(prepared.profile, prepared.plan, common.paired.run.settings, entry.file);
  const name = prepared.profile.name;
  const monitoring = monitoringPlan(args, profile, name);
  const { outDir, history } = place(name);
  checkOutputPaths(io.cwd, args, outDir, history);
  const dir = args['baseline-dir'] ? path.resolve(io.cwd, args['baseline-dir']) : undefined;
  const fingerprint = profileFingerprint(overridden);
  const lookup = dir ? lookupBaseline(dir, name, fingerprint) : undefined;
  const baseline = args.baseline ? readRunSet(path.resolve(io.cwd, args.baseline)) : lookup?.state === 'same-profile' ? { runs: lookup.runs } : undefined;
  const lockFile = args.lock ? path.resolve(io.cwd, args.lock) : history ? path.join(history, 'strain.lock') : undefined;
  const session: Session = {
    file: entry.file, name, profile, baseDir: read.baseDir, outDir, repeat: args.repeat, pin: args.pin,
    quiet: args.quiet, json: args.json, formats: common.formats, baseline, noise: common.noise, history,
    saveBaseline: args['save-baseline'] ? path.resolve(io.cwd, args['save-baseline']) : undefined,
    metrics: common.metrics, monitoring,
    baselineWarning: lookup?.state === 'different-profile' ? baselineNote(lookup) : undefined,
    paired: common.paired?.run,
    shard,
  };
  return { entry, session, lockFile, baselineDir: dir && lookup ? { dir, fingerprint, lookup } : undefined };
}

/** Run a prepared profile under its lock; --update-baseline replaces its baseline only after it passed. */
export async function runPrepared(p: PreparedProfile, io: CliIo, update: boolean): Promise<ProfileOutcome> {
  const release = p.lockFile ? acquireLock(p.lockFile, p.entry.file) : undefined;
  try {
    const { runSession } = await import('./run-session.js');
    if (p.session.baselineWarning && !p.session.quiet) io.stderr(`strain: ${p.session.name}: ${p.session.baselineWarning}\n`);
    const out = await runSession(p.session, io);
    const b = p.baselineDir;
    if (!b) return { ...out, baseline: undefined };
    const passed = out.exitCode === 0 && out.result.status === 'completed';
    const updated = update && passed && out.complete.length > 0;
    if (updated) storeBaseline(b.dir, out.result, out.complete, b.fingerprint, p.entry.file);
    if (update && !updated && !p.session.quiet) io.stderr(`strain: ${p.session.name}: baseline kept as it was (the run did not pass)\n`);
    return { ...out, baseline: { note: baselineNote(b.lookup), state: b.lookup.state, updated } };
  } finally {
    release?.();
  }
}
