/**
 * Rows held once for every worker: the coordinator encodes them into
 * SharedArrayBuffers (numbers column by column as Float64, text as UTF-8
 * with offsets) and each worker reads row i from them when a call needs it.
 * A data set then costs one copy whatever the worker count, and no
 * structured clone per worker. Rows that are not objects of one shape (a
 * CSV's always are) are kept whole, as JSON text.
 */
import { Buffer } from 'node:buffer';

type Kind = 'num' | 'str' | 'json';

export interface SharedRows {
  count: number;
  /** Each row's keys, in order; empty when rows are kept whole (one JSON cell a row). */
  keys: string[];
  kinds: Kind[];
  /** Float64: count × (number of 'num' keys), row by row. */
  nums: SharedArrayBuffer;
  /** UTF-8 of every text cell, row by row. */
  bytes: SharedArrayBuffer;
  /** Float64: where each text cell starts, and one past the last. */
  offsets: SharedArrayBuffer;
}

function isPlain(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype;
}

/** The keys every row has, in the same order; null when the rows are not objects of one shape. */
function shapeOf(rows: readonly unknown[]): string[] | null {
  const first = rows[0];
  if (!isPlain(first)) return null;
  const keys = Object.keys(first);
  for (const r of rows) {
    if (!isPlain(r)) return null;
    const k = Object.keys(r);
    // A key that would set the prototype when assigned is kept the safe way: whole rows, parsed.
    if (k.includes('__proto__')) return null;
    if (k.length !== keys.length || k.some((x, i) => x !== keys[i])) return null;
  }
  return keys;
}

// An empty JSON cell stands for undefined (valid JSON is never empty).
const toJson = (v: unknown): string => (v === undefined ? '' : (JSON.stringify(v) ?? ''));

export function shareRows(rows: readonly unknown[]): SharedRows {
  const keys = shapeOf(rows) ?? [];
  const kinds: Kind[] = keys.length
    ? keys.map((k) => (rows.every((r) => typeof (r as Record<string, unknown>)[k] === 'number') ? 'num' : rows.every((r) => typeof (r as Record<string, unknown>)[k] === 'string') ? 'str' : 'json'))
    : ['json'];
  const numKeys = keys.filter((_, j) => kinds[j] === 'num');
  const textCols = kinds.filter((k) => k !== 'num').length;
  const cell = (r: unknown, j: number): string => {
    if (!keys.length) return toJson(r);
    const v = (r as Record<string, unknown>)[keys[j] as string];
    return kinds[j] === 'str' ? (v as string) : toJson(v);
  };
  const textIdx = kinds.map((k, j) => (k === 'num' ? -1 : j)).filter((j) => j >= 0);
  let total = 0;
  for (const r of rows) for (const j of textIdx) total += Buffer.byteLength(cell(r, j), 'utf8');
  const nums = new SharedArrayBuffer(8 * rows.length * numKeys.length);
  const bytes = new SharedArrayBuffer(total);
  const offsets = new SharedArrayBuffer(8 * (rows.length * textCols + 1));
  const num = new Float64Array(nums);
  const off = new Float64Array(offsets);
  const buf = Buffer.from(bytes);
  let n = 0;
  let t = 0;
  let at = 0;
  for (const r of rows) {
    for (let j = 0; j < kinds.length; j++) {
      if (kinds[j] === 'num') num[n++] = (r as Record<string, number>)[keys[j] as string] as number;
      else {
        off[t++] = at;
        at += buf.write(cell(r, j), at, 'utf8');
      }
    }
  }
  off[t] = at;
  return { count: rows.length, keys, kinds, nums, bytes, offsets };
}

/** Row i, made afresh from the shared buffers (a call may change it without touching another's). */
export function sharedRowReader(s: SharedRows): (i: number) => unknown {
  const num = new Float64Array(s.nums);
  const off = new Float64Array(s.offsets);
  const buf = Buffer.from(s.bytes);
  const numCols = s.kinds.filter((k) => k === 'num').length;
  const textCols = s.kinds.length - numCols;
  const text = (t: number): string => buf.toString('utf8', off[t] as number, off[t + 1] as number);
  const json = (t: number): unknown => {
    const x = text(t);
    return x === '' ? undefined : JSON.parse(x);
  };
  if (!s.keys.length) return (i) => json(i);
  const { keys, kinds } = s;
  return (i) => {
    const o: Record<string, unknown> = {};
    let n = i * numCols;
    let t = i * textCols;
    for (let j = 0; j < kinds.length; j++) {
      const k = kinds[j];
      o[keys[j] as string] = k === 'num' ? num[n++] : k === 'str' ? text(t++) : json(t++);
    }
    return o;
  };
}

/** Data files at least this large are shared rather than cloned into every worker (documented in the README). */
export const SHARE_ROWS_BYTES = 1024 * 1024;
