import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { EXIT, StrainError } from '../../errors.js';
import type { CliIo } from '../io.js';
import { reportError } from '../io.js';

export interface InitArgs {
  dir: string;
  ts: boolean;
}

export const command = 'init [dir]';
export const describe = 'Write a runnable starting point: an extractor with setup, a data file and a ramp profile';

export function builder(y: Argv): Argv<InitArgs> {
  return y
    .positional('dir', { type: 'string', default: '.', describe: 'Folder to write into (created if missing)' })
    .example('strain init perf', 'extractor.mjs, data.csv and profile.json in ./perf')
    .example('strain init perf --ts', 'the same with a TypeScript extractor')
    .option('ts', { type: 'boolean', default: false, describe: 'Write extractor.ts instead of extractor.mjs' }) as unknown as Argv<InitArgs>;
}


/** Exit 0 with the files written; 2 (nothing written) when any of them already exists. */
export async function handler(args: InitArgs, io: CliIo): Promise<number> {
  try {
    const [{ initFiles }, { SCHEMA_FILE }] = await Promise.all([import('../../init/templates.js'), import('../../profile/schema-file.js')]);
    // The package's own copy of the schema, wherever strain is installed.
    const schema = fileURLToPath(new URL(`../../../../${SCHEMA_FILE}`, import.meta.url));
    const dir = path.resolve(io.cwd, args.dir);
    const schemaPath = path.relative(dir, schema).split(path.sep).join('/');
    const files = initFiles({
      name: path.basename(dir) || 'strain-project',
      typescript: args.ts,
      cores: os.availableParallelism(),
      schemaPath: schemaPath.startsWith('.') ? schemaPath : `./${schemaPath}`,
    });
    // Every file is checked before any is written: a refusal leaves nothing half-made.
    const taken = files.filter((f) => existsSync(path.join(dir, f.name))).map((f) => f.name);
    if (taken.length) {
      throw new StrainError('STRAIN_INIT_EXISTS', `would overwrite ${taken.join(', ')}; nothing was written`, { where: dir });
    }
    mkdirSync(dir, { recursive: true });
    for (const f of files) writeFileSync(path.join(dir, f.name), f.text, { flag: 'wx' });
    const rel = path.relative(io.cwd, path.join(dir, 'profile.json')) || 'profile.json';
    io.stdout(`wrote ${files.map((f) => f.name).join(', ')} in ${path.relative(io.cwd, dir) || '.'}\nnext: npx strain run ${rel}\n`);
    return EXIT.passed;
  } catch (e) {
    return reportError(io, e);
  }
}
