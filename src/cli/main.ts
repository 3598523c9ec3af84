import yargs, { type Argv } from 'yargs';
import { EXIT } from '../errors.js';
import { didYouMean } from '../profile/did-you-mean.js';
import { STRAIN_VERSION } from '../version.js';
import * as ab from './commands/ab.js';
import * as compare from './commands/compare.js';
import * as doctor from './commands/doctor.js';
import * as history from './commands/history.js';
import * as init from './commands/init.js';
import * as recover from './commands/recover.js';
import * as merge from './commands/merge.js';
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

const COMMANDS: CommandModule[] = [run, ab, compare, history, report, merge, recover, init, doctor] as unknown as CommandModule[];

/**
 * "Unknown argument: concurency" gains "did you mean --concurrency?": the
 * closest option of the command named in argv (its builder run on a
 * throwaway parser to list them), or the closest command.
 */
function withSuggestions(msg: string, argv: readonly string[]): string {
  const m = /^Unknown arguments?: (.+)$/.exec(msg);
  if (!m) return msg;
  const command = COMMANDS.find((c) => c.command.split(' ')[0] === argv[0]);
  const parser = command ? command.builder(yargs([])) : yargs([]);
  const keys = Object.keys((parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key);
  const options = [...keys.filter((k) => k.length > 1), 'help', 'version'];
  const commands = COMMANDS.map((c) => c.command.split(' ')[0] as string);
  const hints: string[] = [];
  for (const word of (m[1] as string).split(', ')) {
    const opt = command ? didYouMean(word, options) : undefined;
    const cmd = command ? undefined : didYouMean(word, commands);
    if (opt) hints.push(`--${opt} for ${word}`);
    else if (cmd) hints.push(`the command ${cmd} for ${word}`);
  }
  return hints.length ? `${msg}; did you mean ${hints.join(', ')}?` : msg;
}

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
    .example('strain run scenarios/quick-ramp.json', 'a real ramp on the shipped demo scenario')
    .example('strain run profile.json --baseline base.json', 'a run judged against a saved baseline (exit 1 on a regression)')
    .example('strain ab scenarios/quick-ramp.json --base-ref origin/main', 'this checkout\'s extractor against origin/main\'s, side by side in one run')
    .example('strain report strain-results/result.json', 'the reports again from a saved result')
    .help()
    .wrap(io.columns ? Math.min(io.columns, 120) : null)
    .exitProcess(false)
    .fail((msg, err) => {
      usageError = withSuggestions(msg || err?.message || 'usage error', argv);
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
