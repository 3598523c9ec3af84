import yargs, { type Argv } from 'yargs';
import { EXIT } from '../errors.js';
import { STRAIN_VERSION } from '../version.js';
import * as compare from './commands/compare.js';
import * as history from './commands/history.js';
import * as recover from './commands/recover.js';
import * as report from './commands/report.js';
import * as run from './commands/run.js';
import { processIo, type CliIo } from './io.js';

/** What every command module exports: yargs' command shape, and a handler that returns an exit code. */
interface CommandModule {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<never>;
  handler: (args: never, io: CliIo) => Promise<number>;
}

const COMMANDS: CommandModule[] = [run, compare, history, report, recover] as unknown as CommandModule[];

/**
 * Parse argv, run one command, return its exit code. Never calls
 * process.exit itself except on a second interrupt (see run-session.ts).
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code: number = EXIT.passed;
  let usageError: string | undefined;
  let cli = yargs(argv).scriptName('strain').version(STRAIN_VERSION);
  for (const c of COMMANDS) {
    cli = cli.command(c.command, c.describe, c.builder, async (args) => {
      // yargs reports a usage error through fail() and may still call the handler.
      if (usageError !== undefined) return;
      code = await c.handler(args as never, io);
    });
  }
  cli = cli
    .demandCommand(1, `name a command: ${COMMANDS.map((c) => c.command.split(' ')[0]).join(', ')}`)
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
