import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { EXIT, StrainError } from '../../errors.js';
import { parseFormats } from '../../report/formats.js';
import type { CliIo } from '../io.js';
import { reportError } from '../io.js';

export interface RecoverArgs {
  dir: string;
  format: string;
  force: boolean;
  quiet: boolean;
  json: boolean;
}

export const command = 'recover <dir>';
export const describe = "Turn the checkpoint of a killed run (its --out folder) into result.json, status 'interrupted', and its reports";

export function builder(y: Argv): Argv<RecoverArgs> {
  return y
    .positional('dir', { type: 'string', demandOption: true, describe: 'The output folder of the killed run' })
    .example('strain recover strain-results', "the killed run's checkpoint as result.json (status interrupted) and its reports")
    .option('format', { type: 'string', default: 'all', describe: 'Reports to write: html, md, csv, junit, openmetrics, gab, all, or none' })
    .option('force', { type: 'boolean', default: false, describe: 'Overwrite a result.json already there' })
    .option('quiet', { type: 'boolean', default: false, describe: 'No summary' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result JSON on stdout' }) as unknown as Argv<RecoverArgs>;
}

/** Exit 0 once the result is written (the result itself says `interrupted`, exitCode 130); 2 when there is nothing to recover. */
export async function handler(args: RecoverArgs, io: CliIo): Promise<number> {
  try {
    const dir = path.resolve(io.cwd, args.dir);
    const [{ consoleSummary }, { resultExists, serializeResult, writeFileAtomic }] = await Promise.all([import('../../report/console.js'), import('../../result/write.js')]);
    const formats = args.format === 'none' ? [] : parseFormats(args.format);
    if (resultExists(dir) && !args.force) {
      throw new StrainError('STRAIN_OUTPUT_EXISTS', 'a result.json is already there; pass --force to overwrite it', { where: dir });
    }
    const [{ recoverShard }, { writeReports }, { CHECKPOINT_FILE }, { SHARD_STATE_FILE }] = await Promise.all([
      import('../../checkpoint/recover.js'), import('../../report/write-all.js'), import('../../checkpoint/state.js'), import('../../shard/state.js'),
    ]);
    const { result, state } = recoverShard(dir);
    const json = serializeResult(result);
    // A killed shard leaves its state too, so strain merge can hold it (the merge is then marked interrupted).
    if (state) writeFileAtomic(path.join(dir, SHARD_STATE_FILE), JSON.stringify(state));
    writeFileAtomic(path.join(dir, 'result.json'), json);
    writeReports(dir, result, formats);
    rmSync(path.join(dir, CHECKPOINT_FILE), { force: true });
    if (args.json) io.stdout(`${json}\n`);
    else if (!args.quiet) io.stdout(`${consoleSummary(result)}\n\nresult: ${path.join(dir, 'result.json')}\n`);
    return EXIT.passed;
  } catch (e) {
    return reportError(io, e);
  }
}
