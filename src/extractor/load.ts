import { pathToFileURL } from 'node:url';
import type { LoadFailureCode } from '../engine/protocol.js';

/** What an extractor call receives beside its input row. */
export interface ExtractorContext<State = unknown> {
  workerId: number;
  /** Calls made by this worker so far, from 0. */
  iteration: number;
  /** What `setup` returned. */
  state: State;
}

export interface SetupContext {
  workerId: number;
  options: unknown;
  rows: number;
}

export type ExtractorFn<Row = unknown, State = unknown> = (row: Row, ctx: ExtractorContext<State>) => unknown;

export interface LoadedExtractor {
  fn: ExtractorFn;
  setup: ((ctx: SetupContext) => unknown) | undefined;
  teardown: ((state: unknown) => unknown) | undefined;
}

export class ExtractorLoadError extends Error {
  constructor(readonly code: LoadFailureCode, message: string, readonly original?: unknown) {
    super(message);
  }
}

const TS = /\.(c|m)?ts$/;

/** Import a JavaScript or TypeScript module by path. */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (TS.test(file)) {
    // tsx compiles TypeScript on import, including inside worker threads.
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}

/** CommonJS modules arrive as `{ default: module.exports }`; look inside too. */
function pick(mod: Record<string, unknown>, name: string): unknown {
  if (mod[name] !== undefined) return mod[name];
  const inner = mod['default'];
  if (inner && typeof inner === 'object') return (inner as Record<string, unknown>)[name];
  return undefined;
}

export async function loadExtractor(file: string, exportName: string | undefined): Promise<LoadedExtractor> {
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(file);
  } catch (e) {
    throw new ExtractorLoadError('STRAIN_EXTRACTOR_LOAD', `cannot load extractor ${file}: ${(e as Error)?.message ?? String(e)}`, e);
  }
  let fn = pick(mod, exportName ?? 'default');
  if (exportName === undefined && fn && typeof fn === 'object') fn = (fn as Record<string, unknown>)['default'];
  if (typeof fn !== 'function') {
    const what = exportName ? `an export named "${exportName}"` : 'a default export';
    const has = Object.keys(mod).join(', ') || 'nothing';
    throw new ExtractorLoadError('STRAIN_EXTRACTOR_EXPORT', `extractor ${file} has no function as ${what} (it exports: ${has})`);
  }
  const setup = pick(mod, 'setup');
  const teardown = pick(mod, 'teardown');
  return {
    fn: fn as ExtractorFn,
    setup: typeof setup === 'function' ? (setup as LoadedExtractor['setup']) : undefined,
    teardown: typeof teardown === 'function' ? (teardown as LoadedExtractor['teardown']) : undefined,
  };
}
