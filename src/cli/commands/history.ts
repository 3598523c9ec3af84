import path from 'node:path';
import type { Argv } from 'yargs';
import { EXIT, StrainError } from '../../errors.js';
import { HISTORY_METRICS as METRICS, type HistoryMetric } from '../../history/change-points.js';
import type { CliIo } from '../io.js';
import { reportError } from '../io.js';

export interface HistoryArgs {
  dir: string;
  metric: string;
  last: number;
  json: boolean;
  html: boolean;
  normalize: boolean;
}


export const command = 'history <dir>';
export const describe = 'Show the trend of runs appended with --history, and the change points in it';

export function builder(y: Argv): Argv<HistoryArgs> {
  return y
    .positional('dir', { type: 'string', demandOption: true, describe: 'The folder given to run --history' })
    .example('strain run profile.json --history hist/', 'append each nightly run to hist/')
    .example('strain history hist/ --metric p99 --last 30', "the last 30 runs' p99 and where it changed")
    .option('metric', { type: 'string', default: 'throughput,p50,p99', describe: `Metrics to analyse (${METRICS.join(', ')})` })
    .option('last', { type: 'number', default: 20, describe: 'Runs listed in the table' })
    .example('strain history hist/ --html', 'write hist/history.html: a chart per metric with its change points, each run linked')
    .option('normalize', { type: 'boolean', default: false, describe: "Divide each run's figures by its host-speed reference (the machine's speed that night) before drawing and testing" })
    .example('strain history hist/ --normalize', 'the trend with the machine divided out; runs without a host-speed reading are left out')
    .option('json', { type: 'boolean', default: false, describe: 'Print change points as JSON' })
    .option('html', { type: 'boolean', default: false, describe: 'Also write DIR/history.html (each --history run rewrites it too)' }) as unknown as Argv<HistoryArgs>;
}

export async function handler(args: HistoryArgs, io: CliIo): Promise<number> {
  try {
    const metrics = args.metric.split(',').map((m) => m.trim());
    for (const m of metrics) {
      if (!METRICS.includes(m as HistoryMetric)) throw new StrainError('STRAIN_USAGE', `--metric: unknown metric ${JSON.stringify(m)}; expected ${METRICS.join(', ')}`);
    }
    if (!Number.isInteger(args.last) || args.last < 1) throw new StrainError('STRAIN_USAGE', `--last must be a positive integer, found ${String(args.last)}`);
    const dir = path.resolve(io.cwd, args.dir);
    const [{ readHistory }, { normalizeHistory }, { historyReport }] = await Promise.all([
      import('../../history/store.js'), import('../../history/host-speed.js'), import('../../report/history.js'),
    ]);
    const entries = readHistory(dir);
    const norm = args.normalize ? normalizeHistory(entries) : undefined;
    const r = historyReport(norm ? norm.entries : entries, metrics as HistoryMetric[], args.last);
    const said = norm
      ? `normalized to the median host speed ${norm.referenceSpeed === null ? '(none: no run has a host-speed reading)' : `${norm.referenceSpeed.toFixed(1)} bytes/µs`}${norm.leftOut ? `; ${norm.leftOut} run(s) without a reading left out` : ''}\n`
      : '';
    io.stdout(args.json ? `${JSON.stringify(r.changePoints, null, 2)}\n` : `${said}${r.text}\n`);
    if (args.html) {
      const { writeHistoryPage } = await import('../../history/page.js');
      const file = writeHistoryPage(dir, entries);
      if (!args.json) io.stdout(`history page: ${file}\n`);
    }
    return EXIT.passed;
  } catch (e) {
    return reportError(io, e);
  }
}
