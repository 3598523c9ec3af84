import path from 'node:path';
import type { Argv } from 'yargs';
import { EXIT } from '../../errors.js';
import type { CliIo } from '../io.js';
import { reportError } from '../io.js';
import { noiseOf, noiseOptions, type NoiseArgs } from './noise.js';

export interface CompareArgs extends NoiseArgs {
  base: string;
  current: string;
  json: boolean;
}

export const command = 'compare <base> <current>';
export const describe = 'Compare runs (baseline files or result.json files); exit 1 on a regression';

export function builder(y: Argv): Argv<CompareArgs> {
  return noiseOptions(
    y
      .positional('base', { type: 'string', demandOption: true, describe: 'Baseline file (--save-baseline) or result.json' })
      .positional('current', { type: 'string', demandOption: true, describe: 'Baseline file or result.json' })
      .example('strain compare base.json strain-results/result.json', 'a saved baseline against a new result')
      .example('strain compare old/result.json new/result.json --noise-throughput 0.05', 'two results, throughput noise set to ±5%')
      .option('json', { type: 'boolean', default: false, describe: 'Print the comparison as JSON' }),
  ) as unknown as Argv<CompareArgs>;
}

export async function handler(args: CompareArgs, io: CliIo): Promise<number> {
  try {
    // What the command needs loads with it, not with every --help.
    const [{ compareRuns, readRunSet }, { comparisonTable }, { comparisonMarkdown }, { appendStepSummary }] = await Promise.all([
      import('../../baseline/runs.js'), import('../../report/comparison.js'), import('../../report/markdown.js'), import('../step-summary.js'),
    ]);
    const base = readRunSet(path.resolve(io.cwd, args.base));
    const cur = readRunSet(path.resolve(io.cwd, args.current));
    const c = compareRuns(base.runs, cur.runs, noiseOf(args));
    io.stdout(args.json ? `${JSON.stringify(c, null, 2)}\n` : `${comparisonTable(c)}\n`);
    appendStepSummary(io, comparisonMarkdown(c, args.base, args.current));
    return c.regressed ? EXIT.failed : EXIT.passed;
  } catch (e) {
    return reportError(io, e);
  }
}
