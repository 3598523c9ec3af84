import yargs from 'yargs';
import { EXIT } from '../errors.js';
import { STRAIN_VERSION } from '../version.js';
import * as compare from './commands/compare.js';
import * as history from './commands/history.js';
import * as report from './commands/report.js';
import * as run from './commands/run.js';
import { processIo, type CliIo } from './io.js';

/**
 * Parse argv, run one command, return its exit code. Never calls
 * process.exit itself except on a second interrupt (see commands/run.ts).
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code: number = EXIT.passed;
  let usageError: string | undefined;
  const cli = yargs(argv)
    .scriptName('strain')
    .version(STRAIN_VERSION)
    .command(run.command, run.describe, run.builder, async (a) => {
      if (usageError !== undefined) return;
      code = await run.handler(a as unknown as run.RunArgs, io);
    })
    .command(compare.command, compare.describe, compare.builder, async (a) => {
      if (usageError !== undefined) return;
      code = await compare.handler(a as unknown as compare.CompareArgs, io);
    })
    .command(history.command, history.describe, history.builder, async (a) => {
      if (usageError !== undefined) return;
      code = await history.handler(a as unknown as history.HistoryArgs, io);
    })
    .command(report.command, report.describe, report.builder, async (a) => {
      if (usageError !== undefined) return;
      code = await report.handler(a as unknown as report.ReportArgs, io);
    })
    .demandCommand(1, 'name a command: run, compare, history or report')
    .strict()
    .help()
    .exitProcess(false)
    .fail((msg, err) => {
      usageError = msg || err?.message || 'usage error';
    });
  let output = '';
  await cli.parseAsync(argv, {}, (_err, _argv, out) => {
    output = out;
  });
  if (usageError !== undefined) {
    io.stderr(`strain: error STRAIN_USAGE: ${usageError}\n${output ? `${output}\n` : ''}`);
    return EXIT.badInput;
  }
  if (output) io.stdout(`${output}\n`);
  return code;
}
