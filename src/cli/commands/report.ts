import path from 'node:path';
import type { Argv } from 'yargs';
import { EXIT } from '../../errors.js';
import { parseFormats } from '../../report/formats.js';
import type { CliIo } from '../io.js';
import { reportError } from '../io.js';

export interface ReportArgs {
  result: string;
  format: string;
  out: string | undefined;
}

export const command = 'report <result>';
export const describe = 'Re-render the reports (HTML, Markdown, CSV, JUnit, OpenMetrics) from a saved result.json';

export function builder(y: Argv): Argv<ReportArgs> {
  return y
    .positional('result', { type: 'string', demandOption: true, describe: 'A result.json written by strain run' })
    .example('strain report strain-results/result.json', 'every report again from a saved result')
    .example('strain report strain-results/result.json --format md,junit', 'only the Markdown summary and JUnit')
    .option('format', { type: 'string', default: 'html,md,csv,junit,openmetrics', describe: 'Comma-separated: html, md, csv, junit, openmetrics, gab, or all' })
    .option('out', { type: 'string', describe: "Folder for the reports (default: the result's folder)" }) as unknown as Argv<ReportArgs>;
}

export async function handler(args: ReportArgs, io: CliIo): Promise<number> {
  try {
    const formats = parseFormats(args.format);
    const file = path.resolve(io.cwd, args.result);
    const { readResult } = await import('../../result/write.js');
    const result = readResult(file);
    const dir = args.out ? path.resolve(io.cwd, args.out) : path.dirname(file);
    const { writeReports } = await import('../../report/write-all.js');
    for (const f of writeReports(dir, result, formats)) io.stdout(`${f}\n`);
    return EXIT.passed;
  } catch (e) {
    return reportError(io, e);
  }
}
