import path from 'node:path';
import type { Argv } from 'yargs';
import { StrainError } from '../../errors.js';
import { parseFormats } from '../../report/formats.js';
import type { CliIo } from '../io.js';
import { reportError } from '../io.js';
import { monitoringOptions, type MonitoringArgs } from '../monitoring-options.js';
import { noiseOf, noiseOptions, type NoiseArgs } from './noise.js';

export interface RunArgs extends NoiseArgs, MonitoringArgs {
  /** The profile files, folders and suite files (positional; `--profile` is the profiler's option). */
  'profile-file': string[];
  'baseline-dir': string | undefined;
  'update-baseline': boolean;
  'fail-fast': boolean;
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
  profile: string | undefined;
  'heap-snapshot': boolean;
  lock: string | undefined;
  format: string;
  'metrics-port': number | undefined;
  'metrics-host': string;
  shard: string | undefined;
  'shard-count': number | undefined;
  'start-at': string | undefined;
  'shard-dir': string | undefined;
  'start-timeout': string | undefined;
}

export const command = 'run [profile-file..]';
export const describe = 'Run a stress profile (or a suite: several, a folder, a suite file); write result.json and reports to --out and print a summary';

export function builder(y: Argv): Argv<RunArgs> {
  return monitoringOptions(noiseOptions(
    y
      .positional('profile-file', { type: 'string', array: true, describe: 'Profile files (JSON, or .js/.ts modules), folders of them, or suite files' })
      .example('strain run scenarios/quick-ramp.json', 'ramp the shipped demo scenario; result.json and reports in ./strain-results')
      .example('strain run profile.json --repeat 5 --save-baseline base.json', 'five runs kept as a baseline')
      .example('strain run scenarios/quick-ramp.json --profile cpu', 'also profile the code under test: top functions in the summary, a flame graph in report.html')
      .example('strain run scenarios/capacity.json', 'find the highest rate that still meets the thresholds (a capacity search)')
      .example('strain run profile.json --baseline base.json --duration 30s', 'compare with it (exit 1 on a regression), each phase 30 s')
      .example('strain run scenarios/market-short.suite.json --baseline-dir baselines/', 'a suite: each profile compared with its own baseline; summary.md, index.html and junit.xml over all')
      .example('strain run nightly.json --history hist/ --push http://127.0.0.1:9091 --notify https://hooks.example/T0K3N', 'a cron run: history.html rewritten, metrics pushed, a message when it fails, regresses, leaks or changes')
      .option('out', { type: 'string', describe: 'Result folder (default: ./strain-results/<name>-<time>)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'No progress and no summary (for cron)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result JSON on stdout (summary goes to stderr)' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite a result already in --out' })
      .option('repeat', { type: 'number', default: 1, describe: 'Run the profile N times, each with a fresh pool' })
      .option('baseline', { type: 'string', describe: 'Compare the runs with this baseline (or result.json); a regression exits 1' })
      .option('save-baseline', { type: 'string', describe: 'Save the runs as a baseline file' })
      .option('baseline-dir', { type: 'string', describe: 'Keep one baseline per profile in DIR, and compare each run with its own' })
      .option('update-baseline', { type: 'boolean', default: false, describe: 'With --baseline-dir: replace a profile\'s baseline after it passed' })
      .option('fail-fast', { type: 'boolean', default: false, describe: 'Suites: stop at the first profile that is invalid or fails' })
      .option('history', { type: 'string', describe: 'Append a summary line to DIR/history.jsonl' })
      .option('duration', { type: 'string', describe: 'Override the duration of constant phases and the step duration of ramps' })
      .option('concurrency', { type: 'number', describe: 'Override concurrency (closed loop, iterations) and maxConcurrency (arrival rate)' })
      .option('rate', { type: 'number', describe: 'Override the rate of constant-arrival-rate phases (calls/s)' })
      .option('data', { type: 'string', describe: 'Override the data file' })
      .option('pin', { type: 'boolean', default: false, describe: 'Pin each worker thread to a CPU of its own (Linux)' })
      .option('heap-snapshot', { type: 'boolean', default: false, describe: 'Write a heap snapshot of each worker at the end of the last profiled step, to OUT/profiles' })
      .option('profile', { type: 'string', describe: 'Profile the code under test: cpu, heap or cpu,heap (the last step and the knee\'s), written to OUT/profiles' })
      .option('lock', { type: 'string', describe: 'Lock file against overlapping runs (default with --history: DIR/strain.lock)' })
      .option('format', { type: 'string', default: 'all', describe: 'Reports written beside result.json: html, md, csv, junit, openmetrics, gab (github-action-benchmark), all, or none' })
      .option('metrics-port', { type: 'number', describe: 'Serve live OpenMetrics on http://HOST:PORT/metrics while the run goes on (0: any free port)' })
      .option('metrics-host', { type: 'string', default: '127.0.0.1', describe: 'Address for --metrics-port (loopback unless told otherwise)' })
      .option('shard', { type: 'string', describe: 'Run shard I of N (I from 1: 2/4), its exact part of the load; "auto": from Slurm, a Kubernetes Indexed Job or STRAIN_SHARD_INDEX/COUNT. Merge the shards with strain merge' })
      .option('shard-count', { type: 'number', describe: 'With --shard auto: the number of shards (a Kubernetes Indexed Job\'s completions)' })
      .option('start-at', { type: 'string', describe: 'Shards: start the first step at this ISO time (2026-12-04T02:00:00Z), or +DURATION after the last shard arrives in --shard-dir; every step is aligned to the wall clock' })
      .option('shard-dir', { type: 'string', describe: 'A folder all shards share, for --start-at +DURATION' })
      .option('start-timeout', { type: 'string', describe: 'How long --start-at +DURATION waits for the other shards (default 10m)' })
      .example('strain run profile.json --shard auto --start-at +30s --shard-dir /shared/run-42 --out /shared/run-42/shard-$SLURM_ARRAY_TASK_ID', 'one task of a Slurm job array; then strain merge /shared/run-42/shard-* --out merged'),
  )) as unknown as Argv<RunArgs>;
}

export function defaultOut(cwd: string, name: string, at: Date): string {
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  return path.join(cwd, 'strain-results', `${name.replace(/[^\w.-]+/g, '_')}-${stamp}`);
}

export async function handler(args: RunArgs, io: CliIo): Promise<number> {
  try {
    if (!Number.isInteger(args.repeat) || args.repeat < 1) {
      throw new StrainError('STRAIN_USAGE', `--repeat must be a positive integer, found ${String(args.repeat)}`);
    }
    const port = args['metrics-port'];
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw new StrainError('STRAIN_USAGE', `--metrics-port must be a port number 0-65535, found ${String(port)}`);
    }
    if (!args['profile-file']?.length) throw new StrainError('STRAIN_USAGE', 'name a profile file to run (or several, a folder of them, or a suite file)');
    if (args['update-baseline'] && !args['baseline-dir']) throw new StrainError('STRAIN_USAGE', '--update-baseline needs --baseline-dir DIR (where each profile\'s baseline is kept)');
    const common = {
      args, noise: noiseOf(args), formats: args.format === 'none' ? [] : parseFormats(args.format),
      metrics: port === undefined ? undefined : { port, host: args['metrics-host'] },
    };
    // What a run needs loads with the run, not with --help.
    const { suiteEntries } = await import('../../suite/entries.js');
    const input = suiteEntries(args['profile-file'], io.cwd);
    if (input.isSuite) {
      const { runSuite } = await import('../../suite/run-suite.js');
      return await runSuite(input, common, io);
    }
    const { prepareProfile, runPrepared } = await import('../run-profile.js');
    const prepared = await prepareProfile(input.entries[0]!, common, (name) => ({
      outDir: args.out ? path.resolve(io.cwd, args.out) : defaultOut(io.cwd, name, new Date()),
      history: args.history ? path.resolve(io.cwd, args.history) : undefined,
    }), io);
    return (await runPrepared(prepared, io, args['update-baseline'])).exitCode;
  } catch (e) {
    return reportError(io, e);
  }
}
