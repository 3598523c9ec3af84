import path from 'node:path';
import type { Argv } from 'yargs';
import { EXIT, StrainError } from '../../errors.js';
import { readProfileFile } from '../../profile/load.js';
import { consoleSummary } from '../../report/console.js';
import { progressLine } from '../../report/progress.js';
import { prepareRun, runStress } from '../../run.js';
import { resultExists, serializeResult, writeFileAtomic } from '../../result/write.js';
import type { CliIo } from '../io.js';
import { reportError } from '../io.js';

export interface RunArgs {
  profile: string;
  out: string | undefined;
  quiet: boolean;
  json: boolean;
  force: boolean;
}

export const command = 'run <profile>';
export const describe = 'Run a stress profile; write result.json to --out and print a summary';

export function builder(y: Argv): Argv<RunArgs> {
  return y
    .positional('profile', { type: 'string', demandOption: true, describe: 'Profile file (JSON)' })
    .option('out', { type: 'string', describe: 'Result folder (default: ./strain-results/<name>-<time>)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'No progress and no summary (for cron)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result JSON on stdout (summary goes to stderr)' })
    .option('force', { type: 'boolean', default: false, describe: 'Overwrite a result already in --out' }) as unknown as Argv<RunArgs>;
}

function defaultOut(cwd: string, name: string, at: Date): string {
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  return path.join(cwd, 'strain-results', `${name.replace(/[^\w.-]+/g, '_')}-${stamp}`);
}

export async function handler(args: RunArgs, io: CliIo): Promise<number> {
  try {
    const file = path.resolve(io.cwd, args.profile);
    const { profile, baseDir } = readProfileFile(file);
    // Everything checkable is checked before a worker starts or a file is written.
    const prepared = prepareRun(profile, { baseDir, source: file });
    const outDir = args.out ? path.resolve(io.cwd, args.out) : defaultOut(io.cwd, prepared.profile.name, new Date());
    if (resultExists(outDir) && !args.force) {
      throw new StrainError('STRAIN_OUTPUT_EXISTS', 'a result.json is already there; pass --force to overwrite it', { where: outDir });
    }

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
    const onProgress = live
      ? (p: Parameters<typeof progressLine>[0]): void => {
          const line = progressLine(p);
          if (io.isTTY) {
            io.stderr(`\r${line.padEnd(lastLen)}`);
            lastLen = line.length;
          } else io.stderr(`${line}\n`);
        }
      : undefined;
    let result;
    try {
      result = await runStress(profile, { baseDir, source: file, signal: controller.signal, ...(onProgress ? { onProgress } : {}) });
    } finally {
      off();
      if (live && io.isTTY && lastLen) io.stderr('\n');
    }
    const json = serializeResult(result);
    writeFileAtomic(path.join(outDir, 'result.json'), json);
    if (args.json) io.stdout(`${json}\n`);
    if (!args.quiet) {
      const summary = `${consoleSummary(result)}\nresult: ${path.join(outDir, 'result.json')}\n`;
      if (args.json) io.stderr(summary);
      else io.stdout(summary);
    }
    return result.status === 'aborted' && signalName === 'SIGTERM' ? 143 : result.exitCode;
  } catch (e) {
    return reportError(io, e);
  }
}
