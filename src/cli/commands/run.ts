import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { StrainError } from '../../errors.js';
import { parseFormats } from '../../report/formats.js';
import type { CliIo } from '../io.js';
import { reportError } from '../io.js';
import { monitoringOptions, type MonitoringArgs } from '../monitoring-options.js';
import { noiseOf, noiseOptions, type NoiseArgs } from './noise.js';

export interface RunArgs extends NoiseArgs, MonitoringArgs {
  /** The profile file (positional; `--profile` is the profiler's option). */
  'profile-file': string;
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
}

export const command = 'run <profile-file>';
export const describe = 'Run a stress profile; write result.json and reports to --out and print a summary';

export function builder(y: Argv): Argv<RunArgs> {
  return monitoringOptions(noiseOptions(
    y
      .positional('profile-file', { type: 'string', demandOption: true, describe: 'Profile file: JSON, or a .js/.ts module' })
      .example('strain run scenarios/quick-ramp.json', 'ramp the shipped demo scenario; result.json and reports in ./strain-results')
      .example('strain run profile.json --repeat 5 --save-baseline base.json', 'five runs kept as a baseline')
      .example('strain run scenarios/quick-ramp.json --profile cpu', 'also profile the code under test: top functions in the summary, a flame graph in report.html')
      .example('strain run scenarios/capacity.json', 'find the highest rate that still meets the thresholds (a capacity search)')
      .example('strain run profile.json --baseline base.json --duration 30s', 'compare with it (exit 1 on a regression), each phase 30 s')
      .example('strain run nightly.json --history hist/ --push http://127.0.0.1:9091 --notify https://hooks.example/T0K3N', 'a cron run: history.html rewritten, metrics pushed, a message when it fails, regresses, leaks or changes')
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
      .option('heap-snapshot', { type: 'boolean', default: false, describe: 'Write a heap snapshot of each worker at the end of the last profiled step, to OUT/profiles' })
      .option('profile', { type: 'string', describe: 'Profile the code under test: cpu, heap or cpu,heap (the last step and the knee\'s), written to OUT/profiles' })
      .option('lock', { type: 'string', describe: 'Lock file against overlapping runs (default with --history: DIR/strain.lock)' })
      .option('format', { type: 'string', default: 'all', describe: 'Reports written beside result.json: html, md, csv, junit, openmetrics, all, or none' })
      .option('metrics-port', { type: 'number', describe: 'Serve live OpenMetrics on http://HOST:PORT/metrics while the run goes on (0: any free port)' })
      .option('metrics-host', { type: 'string', default: '127.0.0.1', describe: 'Address for --metrics-port (loopback unless told otherwise)' }),
  )) as unknown as Argv<RunArgs>;
}

function defaultOut(cwd: string, name: string, at: Date): string {
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  return path.join(cwd, 'strain-results', `${name.replace(/[^\w.-]+/g, '_')}-${stamp}`);
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

export async function handler(args: RunArgs, io: CliIo): Promise<number> {
  try {
    if (!Number.isInteger(args.repeat) || args.repeat < 1) {
      throw new StrainError('STRAIN_USAGE', `--repeat must be a positive integer, found ${String(args.repeat)}`);
    }
    const port = args['metrics-port'];
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw new StrainError('STRAIN_USAGE', `--metrics-port must be a port number 0-65535, found ${String(port)}`);
    }
    const noise = noiseOf(args);
    const formats = args.format === 'none' ? [] : parseFormats(args.format);
    const file = path.resolve(io.cwd, args['profile-file']);
    // What a run needs loads with the run, not with --help.
    const [{ readRunSet }, { readProfileFile }, { applyOverrides }, { resultExists }, { prepareRun }, { acquireLock }] = await Promise.all([
      import('../../baseline/runs.js'), import('../../profile/load.js'), import('../../profile/overrides.js'),
      import('../../result/write.js'), import('../../run.js'), import('../lock.js'),
    ]);
    const { monitoringPlan } = await import('../monitoring-plan.js');
    const read = await readProfileFile(file);
    const overridden = applyOverrides(read.profile, { duration: args.duration, concurrency: args.concurrency, rate: args.rate, data: args.data }, io.cwd);
    const kinds = args.profile === undefined ? [] : args.profile.split(',').map((k) => k.trim());
    const bad = kinds.find((k) => k !== 'cpu' && k !== 'heap');
    if (bad !== undefined || (args.profile !== undefined && !kinds.length)) throw new StrainError('STRAIN_USAGE', `--profile takes cpu, heap or cpu,heap, found ${JSON.stringify(args.profile)}`);
    const profile = kinds.length || args['heap-snapshot']
      ? { ...overridden, profile: { ...overridden.profile, ...(kinds.includes('cpu') ? { cpu: true } : {}), ...(kinds.includes('heap') ? { heap: true } : {}), ...(args['heap-snapshot'] ? { heapSnapshot: true } : {}) } }
      : overridden;
    // Everything checkable is checked before a worker starts or a file is written.
    const prepared = prepareRun(profile, { baseDir: read.baseDir, source: file });
    const monitoring = monitoringPlan(args, profile, prepared.profile.name);
    const baseline = args.baseline ? readRunSet(path.resolve(io.cwd, args.baseline)) : undefined;
    const outDir = args.out ? path.resolve(io.cwd, args.out) : defaultOut(io.cwd, prepared.profile.name, new Date());
    checkOutputPaths(io.cwd, args, outDir);
    if (resultExists(outDir) && !args.force) {
      throw new StrainError('STRAIN_OUTPUT_EXISTS', 'a result.json is already there; pass --force to overwrite it', { where: outDir });
    }
    const history = args.history ? path.resolve(io.cwd, args.history) : undefined;
    const lockFile = args.lock ? path.resolve(io.cwd, args.lock) : history ? path.join(history, 'strain.lock') : undefined;
    const release = lockFile ? acquireLock(lockFile, file) : undefined;
    try {
      const { runSession } = await import('../run-session.js');
      return await runSession({
        file, name: prepared.profile.name, profile, baseDir: read.baseDir, outDir, repeat: args.repeat, pin: args.pin,
        quiet: args.quiet, json: args.json, formats, baseline, noise, history,
        saveBaseline: args['save-baseline'] ? path.resolve(io.cwd, args['save-baseline']) : undefined,
        metrics: port === undefined ? undefined : { port, host: args['metrics-host'] }, monitoring,
      }, io);
    } finally {
      release?.();
    }
  } catch (e) {
    return reportError(io, e);
  }
}
