import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { compareRuns, readRunSet, saveBaseline, summarizeRun } from '../../baseline/runs.js';
import { EXIT, StrainError } from '../../errors.js';
import { appendHistory, historyEntry } from '../../history/store.js';
import { readProfileFile } from '../../profile/load.js';
import type { Profile } from '../../profile/schema.js';
import type { NoiseThresholds } from '../../baseline/runs.js';
import type { RunSummary } from '../../result/schema.js';
import { acquireLock } from '../lock.js';
import { applyOverrides } from '../../profile/overrides.js';
import { comparisonTable } from '../../report/comparison.js';
import { consoleSummary } from '../../report/console.js';
import { progressLine } from '../../report/progress.js';
import { prepareRun, runStress, type Progress } from '../../run.js';
import type { StrainResult } from '../../result/schema.js';
import { resultExists, serializeResult, writeFileAtomic } from '../../result/write.js';
import type { CliIo } from '../io.js';
import { reportError } from '../io.js';
import { noiseOf, noiseOptions, type NoiseArgs } from './noise.js';

export interface RunArgs extends NoiseArgs {
  profile: string;
  out: string | undefined;
  quiet: boolean;
  json: boolean;
  force: boolean;
  repeat: number;
  baseline: string | undefined;
  'save-baseline': string | undefined;
  history: string | undefined;
  duration: string | undefined;
  concurrency: number | undefined;
  rate: number | undefined;
  data: string | undefined;
  pin: boolean;
  lock: string | undefined;
}

export const command = 'run <profile>';
export const describe = 'Run a stress profile; write result.json to --out and print a summary';

export function builder(y: Argv): Argv<RunArgs> {
  return noiseOptions(
    y
      .positional('profile', { type: 'string', demandOption: true, describe: 'Profile file (JSON)' })
      .option('out', { type: 'string', describe: 'Result folder (default: ./strain-results/<name>-<time>)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'No progress and no summary (for cron)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result JSON on stdout (summary goes to stderr)' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite a result already in --out' })
      .option('repeat', { type: 'number', default: 1, describe: 'Run the profile N times, each with a fresh pool' })
      .option('baseline', { type: 'string', describe: 'Compare the runs with this baseline (or result.json); a regression exits 1' })
      .option('save-baseline', { type: 'string', describe: 'Save the runs as a baseline file' })
      .option('history', { type: 'string', describe: 'Append a summary line to DIR/history.jsonl' })
      .option('duration', { type: 'string', describe: 'Override the duration of constant phases and the step duration of ramps' })
      .option('concurrency', { type: 'number', describe: 'Override concurrency (closed loop, iterations) and maxConcurrency (arrival rate)' })
      .option('rate', { type: 'number', describe: 'Override the rate of constant-arrival-rate phases (calls/s)' })
      .option('data', { type: 'string', describe: 'Override the data file' })
      .option('pin', { type: 'boolean', default: false, describe: 'Pin each worker thread to a CPU of its own (Linux)' })
      .option('lock', { type: 'string', describe: 'Lock file against overlapping runs (default with --history: DIR/strain.lock)' }),
  ) as unknown as Argv<RunArgs>;
}

function defaultOut(cwd: string, name: string, at: Date): string {
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  return path.join(cwd, 'strain-results', `${name.replace(/[^\w.-]+/g, '_')}-${stamp}`);
}

export async function handler(args: RunArgs, io: CliIo): Promise<number> {
  try {
    if (!Number.isInteger(args.repeat) || args.repeat < 1) {
      throw new StrainError('STRAIN_USAGE', `--repeat must be a positive integer, found ${String(args.repeat)}`);
    }
    const noise = noiseOf(args);
    const file = path.resolve(io.cwd, args.profile);
    const read = await readProfileFile(file);
    const { baseDir } = read;
    const profile = applyOverrides(read.profile, { duration: args.duration, concurrency: args.concurrency, rate: args.rate, data: args.data }, io.cwd);
    // Everything checkable is checked before a worker starts or a file is written.
    const prepared = prepareRun(profile, { baseDir, source: file });
    const baseline = args.baseline ? readRunSet(path.resolve(io.cwd, args.baseline)) : undefined;
    const outDir = args.out ? path.resolve(io.cwd, args.out) : defaultOut(io.cwd, prepared.profile.name, new Date());
    checkOutputPaths(io.cwd, args, outDir);
    if (resultExists(outDir) && !args.force) {
      throw new StrainError('STRAIN_OUTPUT_EXISTS', 'a result.json is already there; pass --force to overwrite it', { where: outDir });
    }

    const lockFile = args.lock ? path.resolve(io.cwd, args.lock) : args.history ? path.join(path.resolve(io.cwd, args.history), 'strain.lock') : undefined;
    const release = lockFile ? acquireLock(lockFile, file) : undefined;
    try {
      return await runAndReport(args, io, { file, profile, baseDir, baseline, outDir, noise });
    } finally {
      release?.();
    }
  } catch (e) {
    return reportError(io, e);
  }
}

/** Where results go must be usable before the run, not found broken after it. */
function checkOutputPaths(cwd: string, args: RunArgs, outDir: string): void {
  const kind = (p: string): 'dir' | 'file' | 'none' => (existsSync(p) ? (statSync(p).isDirectory() ? 'dir' : 'file') : 'none');
  if (kind(outDir) === 'file') throw new StrainError('STRAIN_USAGE', '--out must be a folder, and this is a file', { where: outDir });
  if (args.history && kind(path.resolve(cwd, args.history)) === 'file') {
    throw new StrainError('STRAIN_USAGE', '--history must be a folder, and this is a file', { where: path.resolve(cwd, args.history) });
  }
  if (args['save-baseline'] && kind(path.resolve(cwd, args['save-baseline'])) === 'dir') {
    throw new StrainError('STRAIN_USAGE', '--save-baseline must be a file path, and this is a folder', { where: path.resolve(cwd, args['save-baseline']) });
  }
  if (args.lock && kind(path.resolve(cwd, args.lock)) === 'dir') {
    throw new StrainError('STRAIN_USAGE', '--lock must be a file path, and this is a folder', { where: path.resolve(cwd, args.lock) });
  }
}

interface Prepared {
  file: string;
  profile: Profile;
  baseDir: string;
  baseline: { runs: RunSummary[] } | undefined;
  outDir: string;
  noise: NoiseThresholds;
}

async function runAndReport(args: RunArgs, io: CliIo, { file, profile, baseDir, baseline, outDir, noise }: Prepared): Promise<number> {
  {
    const controller = new AbortController();
    let interrupts = 0;
    let signalName = 'SIGINT';
    const off = io.onInterrupt((sig) => {
      interrupts++;
      signalName = sig;
      if (interrupts === 1) {
        io.stderr(`\nstrain: ${sig} received; stopping and writing a partial result (again to quit at once)\n`);
        controller.abort();
      } else {
        process.exit(EXIT.interrupted);
      }
    });
    const live = !args.quiet;
    let lastLen = 0;
    const onProgress = (prefix: string) => (p: Progress): void => {
      const line = `${prefix}${progressLine(p)}`;
      if (io.isTTY) {
        io.stderr(`\r${line.padEnd(lastLen)}`);
        lastLen = line.length;
      } else io.stderr(`${line}\n`);
    };
    const results: StrainResult[] = [];
    try {
      for (let i = 0; i < args.repeat && !controller.signal.aborted; i++) {
        const prefix = args.repeat > 1 ? `run ${i + 1}/${args.repeat} | ` : '';
        const r = await runStress(profile, { baseDir, source: file, signal: controller.signal, ...(args.pin ? { pin: true } : {}), ...(live ? { onProgress: onProgress(prefix) } : {}) });
        if (r.placement?.requested && !r.placement.pinned && i === 0) io.stderr(`strain: warning: ${r.placement.note}\n`);
        results.push(r);
        if (live && io.isTTY && lastLen) {
          io.stderr('\n');
          lastLen = 0;
        }
      }
    } finally {
      off();
    }
    const result = results[results.length - 1] as StrainResult;
    const complete = results.filter((r) => r.status === 'completed');
    if (args.repeat > 1) result.runs = complete.map(summarizeRun);
    if (baseline && result.status === 'completed') {
      const comparison = compareRuns(baseline.runs, complete.map(summarizeRun), noise);
      result.comparison = comparison;
      for (const m of comparison.metrics) if (m.verdict === 'regressed') result.verdict.reasons.push(`${m.metric} regressed against the baseline: ${m.reason}`);
      if (comparison.regressed) {
        result.verdict.passed = false;
        result.exitCode = EXIT.failed;
      }
    }
    // Any failed run fails the set.
    if (results.some((r) => r.exitCode === EXIT.failed) && result.exitCode === EXIT.passed) {
      result.exitCode = EXIT.failed;
      result.verdict.passed = false;
      result.verdict.reasons.push('an earlier run of --repeat failed its verdict');
    }
    const json = serializeResult(result);
    const resultFile = path.join(outDir, 'result.json');
    writeFileAtomic(resultFile, json);
    if (args['save-baseline'] && complete.length) saveBaseline(path.resolve(io.cwd, args['save-baseline']), result, complete.map(summarizeRun));
    if (args.history) appendHistory(path.resolve(io.cwd, args.history), historyEntry(result, resultFile));
    if (args.json) io.stdout(`${json}\n`);
    if (!args.quiet) {
      const parts = [consoleSummary(result)];
      if (result.comparison) parts.push(comparisonTable(result.comparison));
      parts.push(`result: ${resultFile}`);
      const summary = `${parts.join('\n\n')}\n`;
      if (args.json) io.stderr(summary);
      else io.stdout(summary);
    }
    return result.status === 'aborted' && signalName === 'SIGTERM' && result.exitCode === EXIT.interrupted ? 143 : result.exitCode;
  }
}
