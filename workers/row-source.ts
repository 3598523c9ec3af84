/**
 * The rows of a data module (src/data/module.ts), made in this worker: an
 * exported array is the rows; a generator function or a function of
 * (index, workerId) becomes a source called once per row.
 */
import { ExtractorLoadError, importModule } from '../src/extractor/load.js';
import { sharedRowReader, type SharedRows } from '../src/data/shared-rows.js';
import type { DriveTask } from '../src/engine/protocol.js';

export type RowSource = () => unknown;

/**
 * A throw while making a row: the data module's fault, not a call of the
 * function under test. Drive loops let it pass, so it ends the worker like a
 * crash (a fault in the report, the worker replaced), never an error of a call.
 */
export class RowError extends Error {
  constructor(file: string, cause: unknown) {
    super(`data module ${file} threw while making a row: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RowError';
  }
}

/** Rethrows a row's failure from inside a call's try: it must not count as the call's. */
export function passRowError(e: unknown): void {
  if (e instanceof RowError) throw e;
}

function guarded(file: string, make: RowSource): RowSource {
  return () => {
    try {
      return make();
    } catch (e) {
      throw new RowError(file, e);
    }
  };
}

function exportOf(mod: Record<string, unknown>): unknown {
  let x = mod['default'] ?? mod['rows'];
  // CommonJS: { default: module.exports }.
  if (x && typeof x === 'object' && !Array.isArray(x)) x = (x as Record<string, unknown>)['default'] ?? (x as Record<string, unknown>)['rows'];
  return x;
}

/** An array of rows, or a source of them; a module that gives neither is refused, naming it. */
export async function loadRows(file: string, workerId: number): Promise<unknown[] | RowSource> {
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(file);
  } catch (e) {
    throw new ExtractorLoadError('STRAIN_EXTRACTOR_LOAD', `data module ${file} does not load: ${(e as Error).message}`, e);
  }
  const x = exportOf(mod);
  if (Array.isArray(x)) {
    if (x.length === 0) throw new ExtractorLoadError('STRAIN_EXTRACTOR_LOAD', `data module ${file} exports an empty array of rows`);
    return x;
  }
  if (typeof x !== 'function') {
    throw new ExtractorLoadError('STRAIN_EXTRACTOR_LOAD', `data module ${file} exports neither rows (an array), a generator function nor a function of (index, workerId) as its default or "rows" export`);
  }
  const f = x as (...a: unknown[]) => unknown;
  if (f.constructor.name === 'GeneratorFunction') {
    let it = f({ workerId }) as Iterator<unknown>;
    return guarded(file, () => {
      let r = it.next();
      if (r.done) {
        // Rows cycle, as a file's do.
        it = f({ workerId }) as Iterator<unknown>;
        r = it.next();
        if (r.done) throw new Error(`data module ${file}: its generator yields no rows`);
      }
      return r.value;
    });
  }
  if (f.constructor.name === 'AsyncGeneratorFunction' || f.constructor.name === 'AsyncFunction') {
    throw new ExtractorLoadError('STRAIN_EXTRACTOR_LOAD', `data module ${file}: rows are made between calls, so the function must be synchronous (a plain or generator function)`);
  }
  let i = 0;
  return guarded(file, () => f(i++, workerId));
}

/** Rows held once for all workers, read in order from this worker's own cursor and cycled. */
function sharedSource(s: SharedRows): RowSource {
  const read = sharedRowReader(s);
  let i = 0;
  return () => {
    const r = read(i);
    if (++i === s.count) i = 0;
    return r;
  };
}

/** Rows made in this worker: an array (used as a file's), or a source and how many rows it has (Infinity: unbounded). */
export interface MadeRows {
  rows?: unknown[];
  source?: RowSource;
  count?: number;
}

export interface TaskRows {
  own: MadeRows | undefined;
  /** Per mix function; undefined where it uses its rows (or the profile's) as given. */
  mix: (MadeRows | undefined)[];
}

async function made(file: string | undefined, shared: SharedRows | undefined, workerId: number): Promise<MadeRows | undefined> {
  if (shared) return { source: sharedSource(shared), count: shared.count };
  if (file === undefined) return undefined;
  const r = await loadRows(file, workerId);
  return Array.isArray(r) ? { rows: r } : { source: r, count: Infinity };
}

/**
 * The task's rows where they are not a plain array: its data module's, or a
 * shared data set's. A module's array replaces task.rows (or the function's).
 * A mix function without data of its own shares the profile's, with a source
 * (and a cursor) of its own.
 */
export async function rowsForTask(task: DriveTask): Promise<TaskRows> {
  const own = await made(task.dataModule, task.sharedRows, task.workerId);
  if (own?.rows) task.rows = own.rows;
  const mix: (MadeRows | undefined)[] = [];
  for (const m of task.mix ?? []) {
    const sharesProfile = m.rows === undefined && m.dataModule === undefined && m.sharedRows === undefined && own?.source !== undefined;
    const r = sharesProfile ? await made(task.dataModule, task.sharedRows, task.workerId) : await made(m.dataModule, m.sharedRows, task.workerId);
    if (r?.rows) m.rows = r.rows;
    mix.push(r);
  }
  return { own, mix };
}

/** What setup is told: the rows a source holds, else the array's length. */
export function rowCount(rows: readonly unknown[], m: MadeRows | undefined): number {
  return m?.source ? (m.count ?? Infinity) : rows.length;
}
