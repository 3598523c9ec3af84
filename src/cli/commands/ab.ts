import path from 'node:path';
import type { Argv } from 'yargs';
import { StrainError } from '../../errors.js';
import { parseDuration } from '../../profile/duration.js';
import { parseFormats } from '../../report/formats.js';
import type { CliIo } from '../io.js';
import { reportError } from '../io.js';
import type { RunArgs } from './run.js';
import { defaultOut } from './run.js';

export interface AbArgs {
  'profile-file': string;
  base: string | undefined;
  'base-ref': string | undefined;
  block: string;
  'max-time': string;
  alpha: number;
  'noise-mean': number | undefined;
  'noise-throughput': number | undefined;
  'noise-p50': number | undefined;
  'noise-p99': number | undefined;
  'fail-inconclusive': boolean;
  out: string | undefined;
  quiet: boolean;
  json: boolean;
  force: boolean;
  duration: string | undefined;
  concurrency: number | undefined;
  data: string | undefined;
  format: string;
}

export const command = 'ab <profile-file>';
export const describe = 'Compare two versions side by side in one run (paired A/B): the profile\'s extractor (B) against --base or --base-ref (A); exit 1 on a regression';

export function builder(y: Argv): Argv<AbArgs> {
  return y
    .positional('profile-file', { type: 'string', demandOption: true, describe: 'A profile file with closed-loop phases; its extractor is the candidate (B)' })
    .example('strain ab scenarios/quick-ramp.json --base-ref origin/main', 'the pull-request case: this checkout\'s extractor against the same file at origin/main')
    .example('strain ab profile.json --base ./old/extract.ts#features', 'against another file (path#export, relative to here)')
    .example('strain ab profile.json --base ./old.mjs --max-time 60s --noise-mean 0.005', 'up to a minute per step, to find a change of half a percent')
    .option('base', { type: 'string', describe: 'The base extractor (A): path or path#export, relative to here' })
    .option('base-ref', { type: 'string', describe: 'Take the base from this git ref (a temporary worktree): --base\'s file there, or the profile\'s extractor' })
    .option('block', { type: 'string', default: '10ms', describe: 'Length of each side\'s turn (calls slower than a tenth of it want longer blocks)' })
    .option('max-time', { type: 'string', default: '30s', describe: 'Longest a step may run while its interval is still wider than the noise; the profile\'s duration is the shortest' })
    .option('alpha', { type: 'number', default: 0.05, describe: 'One minus the confidence of the intervals (over all looks of a step)' })
    .option('noise-mean', { type: 'number', describe: 'Relative change of the mean call time treated as noise (default 0.01)' })
    .option('noise-throughput', { type: 'number', describe: 'Relative throughput change treated as noise (default 0.02)' })
    .option('noise-p50', { type: 'number', describe: 'Relative p50 change treated as noise (default 0.02)' })
    .option('noise-p99', { type: 'number', describe: 'Relative p99 change treated as noise (default 0.05)' })
    .option('fail-inconclusive', { type: 'boolean', default: false, describe: 'Exit 1 when the mean\'s comparison is inconclusive (default: exit 0 with a warning)' })
    .option('out', { type: 'string', describe: 'Result folder (default: ./strain-results/<name>-ab-<time>)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress and no summary' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result JSON on stdout (summary goes to stderr)' })
    .option('force', { type: 'boolean', default: false, describe: 'Overwrite a result already in --out' })
    .option('duration', { type: 'string', describe: 'Override the shortest length of constant phases and ramp steps' })
    .option('concurrency', { type: 'number', describe: 'Override concurrency' })
    .option('data', { type: 'string', describe: 'Override the data file' })
    .option('format', { type: 'string', default: 'all', describe: 'Reports written beside result.json: html, md, csv, junit, openmetrics, gab, all, or none' }) as unknown as Argv<AbArgs>;
}

/** What `strain run` would have been given, for the parts the two commands share. */
function asRunArgs(a: AbArgs, file: string): RunArgs {
  return {
    'profile-file': [file], 'baseline-dir': undefined, 'update-baseline': false, 'fail-fast': false, out: a.out, quiet: a.quiet, json: a.json, force: a.force,
    repeat: 1, baseline: undefined, 'save-baseline': undefined, history: undefined, duration: a.duration, concurrency: a.concurrency, rate: undefined, data: a.data,
    pin: false, profile: undefined, 'heap-snapshot': false, lock: undefined, format: a.format, 'metrics-port': undefined, 'metrics-host': '127.0.0.1',
    'noise-throughput': 0, 'noise-p50': 0, 'noise-p99': 0,
  } as unknown as RunArgs;
}

export async function handler(args: AbArgs, io: CliIo): Promise<number> {
  let cleanup: (() => void) | undefined;
  try {
    if (args.base === undefined && args['base-ref'] === undefined) throw new StrainError('STRAIN_USAGE', 'name the base (A): --base path[#export], or --base-ref REF for the same file at a git ref');
    const { pairedSettings } = await import('../../ab/run-ab.js');
    const { pairedProfile } = await import('../../ab/paired-run.js');
    const { prepareProfile, runPrepared } = await import('../run-profile.js');
    const { readProfileFile } = await import('../../profile/load.js');
    const settings = pairedSettings({
      blockMs: parseDuration(args.block, '--block'), maxStepMs: parseDuration(args['max-time'], '--max-time'), alpha: args.alpha,
      noise: { mean: args['noise-mean'], throughput: args['noise-throughput'], p50: args['noise-p50'], p99: args['noise-p99'] },
    });
    const file = path.resolve(io.cwd, args['profile-file']);
    let base = args.base;
    let commits: { baseCommit: string; candidateCommit: string } | undefined;
    if (args['base-ref'] !== undefined) {
      // The file at the ref: --base's, or the profile's own extractor (relative to the profile).
      const read = await readProfileFile(file);
      const own = read.profile.extractor;
      if (base === undefined && own === undefined) throw new StrainError('STRAIN_USAGE', '--base-ref needs a profile with "extractor" (or --base to name the file)', { where: file });
      const target = base !== undefined ? path.resolve(io.cwd, base) : path.resolve(read.baseDir, own as string);
      const { baseFromRef } = await import('../../ab/git-base.js');
      const g = baseFromRef(args['base-ref'], target, io.cwd);
      cleanup = g.remove;
      base = g.spec;
      commits = { baseCommit: g.baseCommit, candidateCommit: g.candidateCommit };
    }
    const baseSpec = base as string;
    const common = {
      args: asRunArgs(args, file), noise: { throughput: 0, p50: 0, p99: 0 }, formats: args.format === 'none' ? [] : parseFormats(args.format), metrics: undefined,
      paired: { transform: (p: Parameters<typeof pairedProfile>[0], source: string) => pairedProfile(p, baseSpec, io.cwd, source), run: { settings, failOnInconclusive: args['fail-inconclusive'], commits } },
    };
    const prepared = await prepareProfile({ file, overrides: {}, from: args['profile-file'] }, common, (name) => ({
      outDir: args.out ? path.resolve(io.cwd, args.out) : defaultOut(io.cwd, `${name}-ab`, new Date()), history: undefined,
    }), io);
    return (await runPrepared(prepared, io, false)).exitCode;
  } catch (e) {
    return reportError(io, e);
  } finally {
    cleanup?.();
  }
}
