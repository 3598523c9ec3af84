import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { StrainError } from '../../errors.js';
import { parseFormats } from '../../report/formats.js';
import { SHARD_STATE_FILE } from '../../shard/state.js';
import type { CliIo } from '../io.js';
import { reportError } from '../io.js';

export interface MergeArgs {
  pieces: string[];
  out: string | undefined;
  partial: boolean;
  format: string;
  force: boolean;
  quiet: boolean;
  json: boolean;
}

export const command = 'merge <pieces..>';
export const describe = 'Merge the shards of one test (their --out folders, result.json files, or a folder holding them) into one result and its reports';

export function builder(y: Argv): Argv<MergeArgs> {
  return y
    .positional('pieces', { type: 'string', array: true, demandOption: true, describe: 'Shard folders or their result.json; a folder of shard folders is searched one level down' })
    .example('strain merge results/shard-* --out results/merged', 'add the shards\' histograms, re-run the analysis, write result.json and every report')
    .option('out', { type: 'string', demandOption: true, describe: 'Where the merged result.json and reports go' })
    .option('partial', { type: 'boolean', default: false, describe: 'Merge an incomplete set (the missing shards are named in the result)' })
    .option('format', { type: 'string', default: 'all', describe: 'Reports to write: html, md, csv, junit, openmetrics, gab, all, or none' })
    .option('force', { type: 'boolean', default: false, describe: 'Overwrite a result.json already in --out' })
    .option('quiet', { type: 'boolean', default: false, describe: 'No summary' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the merged result JSON on stdout' }) as unknown as Argv<MergeArgs>;
}

/** A shard's folder or result.json as given; a folder without a shard state stands for the shard folders inside it. */
function expand(cwd: string, given: readonly string[]): string[] {
  return given.flatMap((g) => {
    const p = path.resolve(cwd, g);
    if (!existsSync(p)) throw new StrainError('STRAIN_MERGE', 'no such file or folder', { where: p });
    if (!statSync(p).isDirectory() || existsSync(path.join(p, SHARD_STATE_FILE))) return [p];
    const inner = readdirSync(p).map((n) => path.join(p, n)).filter((d) => statSync(d).isDirectory() && existsSync(path.join(d, SHARD_STATE_FILE))).sort();
    return inner.length ? inner : [p];
  });
}

/** The merged result's own exit code (1 when a threshold fails); 2 when the pieces are not shards of one test. */
export async function handler(args: MergeArgs, io: CliIo): Promise<number> {
  try {
    const out = path.resolve(io.cwd, args.out as string);
    // What the command needs loads with it, not with every --help.
    const [{ consoleSummary }, { resultExists, serializeResult, writeFileAtomic }] = await Promise.all([import('../../report/console.js'), import('../../result/write.js')]);
    const formats = args.format === 'none' ? [] : parseFormats(args.format);
    if (existsSync(out) && !statSync(out).isDirectory()) throw new StrainError('STRAIN_USAGE', '--out must be a folder, and this is a file', { where: out });
    if (resultExists(out) && !args.force) throw new StrainError('STRAIN_OUTPUT_EXISTS', 'a result.json is already there; pass --force to overwrite it', { where: out });
    const [{ mergeShards }, { writeReports }] = await Promise.all([import('../../shard/merge.js'), import('../../report/write-all.js')]);
    // Everything is read and checked before anything is written.
    const result = mergeShards(expand(io.cwd, args.pieces), { partial: args.partial });
    const json = serializeResult(result);
    writeFileAtomic(path.join(out, 'result.json'), json);
    writeReports(out, result, formats);
    if (args.json) io.stdout(`${json}\n`);
    else if (!args.quiet) io.stdout(`${consoleSummary(result)}\n\nresult: ${path.join(out, 'result.json')}\n`);
    return result.exitCode;
  } catch (e) {
    return reportError(io, e);
  }
}
