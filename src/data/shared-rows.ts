/**
 * Rows held once for every worker: the coordinator encodes them into
 * SharedArrayBuffers, column by column (numbers as Float64, text as UTF-8
 * with offsets), and each worker reads row i from them when a call needs it.
 * A data set then costs one copy whatever the worker count, and no
 * structured clone per worker. A CSV is encoded record by record as it is
 * parsed, so its rows never exist as objects here. Rows that are not objects
 * of one shape are kept whole, as JSON text.
 */
import { Buffer } from 'node:buffer';

type Kind = 'num' | 'str' | 'json';

export interface SharedRows {
  count: number;
  /** Each row's keys, in order; empty when rows are kept whole (one JSON cell a row). */
  keys: string[];
  kinds: Kind[];
  /** Float64: each 'num' column's count values, one column after another. */
  nums: SharedArrayBuffer;
  /** UTF-8 of every text cell, column after column. */
  bytes: SharedArrayBuffer;
  /** Float64: for each text column, where each of its cells starts, and one past its last (count + 1 a column). */
  offsets: SharedArrayBuffer;
}

// An empty JSON cell stands for undefined (valid JSON is never empty).
const toJson = (v: unknown): string => (v === undefined ? '' : (JSON.stringify(v) ?? ''));

class GrowF64 {
  a = new Float64Array(1024);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
}

/** One column while rows arrive: numbers until a non-number, strings until a non-string, else JSON. */
class Column {
  kind: Kind | undefined;
  nums = new GrowF64();
  bytes = Buffer.alloc(4096);
  used = 0;
  /** Start of each text cell (the next cell's start is the end of this one). */
  starts = new GrowF64();

  private text(s: string): void {
    const need = Buffer.byteLength(s, 'utf8');
    if (this.used + need > this.bytes.length) {
      const b = Buffer.alloc(Math.max(this.bytes.length * 2, this.used + need));
      this.bytes.copy(b, 0, 0, this.used);
      this.bytes = b;
    }
    this.starts.push(this.used);
    this.used += this.bytes.write(s, this.used, 'utf8');
  }

  /** The cells so far as text: numbers and strings re-encoded as the JSON of their values. */
  private toJson(): void {
    if (this.kind === 'num') {
      const xs = this.nums.a.subarray(0, this.nums.n);
      this.nums = new GrowF64();
      for (const x of xs) this.text(JSON.stringify(x));
    } else if (this.kind === 'str') {
      const old = this.bytes.subarray(0, this.used);
      const starts = this.starts.a.subarray(0, this.starts.n);
      const cells = Array.from(starts, (a, i) => old.toString('utf8', a, i + 1 < starts.length ? (starts[i + 1] as number) : old.length));
      this.bytes = Buffer.alloc(4096);
      this.used = 0;
      this.starts = new GrowF64();
      for (const c of cells) this.text(JSON.stringify(c));
    }
    this.kind = 'json';
  }

  add(v: unknown): void {
    if (this.kind === undefined) this.kind = typeof v === 'number' ? 'num' : typeof v === 'string' ? 'str' : 'json';
    if (this.kind === 'num' && typeof v !== 'number') this.toJson();
    if (this.kind === 'str' && typeof v !== 'string') this.toJson();
    if (this.kind === 'num') this.nums.push(v as number);
    else this.text(this.kind === 'str' ? (v as string) : toJson(v));
  }
}

/** Rows added one at a time (a CSV's values in header order, or whole rows), then frozen into shared buffers. */
export class SharedRowsBuilder {
  private readonly cols: Column[];
  private count = 0;

  /** `keys` empty: each row is kept whole as JSON. */
  constructor(private readonly keys: string[]) {
    this.cols = (keys.length ? keys : ['']).map(() => new Column());
  }

  add(values: readonly unknown[]): void {
    for (let j = 0; j < this.cols.length; j++) (this.cols[j] as Column).add(values[j]);
    this.count++;
  }

  addWhole(row: unknown): void {
    (this.cols[0] as Column).add(toJson(row) === '' ? undefined : { v: row });
    this.count++;
  }

  finish(): SharedRows {
    const n = this.count;
    const kinds = this.cols.map((c) => c.kind ?? 'json');
    const numCols = this.cols.filter((_, j) => kinds[j] === 'num');
    const textCols = this.cols.filter((_, j) => kinds[j] !== 'num');
    const nums = new SharedArrayBuffer(8 * n * numCols.length);
    const num = new Float64Array(nums);
    numCols.forEach((c, k) => num.set(c.nums.a.subarray(0, n), k * n));
    const total = textCols.reduce((a, c) => a + c.used, 0);
    const bytes = new SharedArrayBuffer(total);
    const offsets = new SharedArrayBuffer(8 * textCols.length * (n + 1));
    const buf = Buffer.from(bytes);
    const off = new Float64Array(offsets);
    let base = 0;
    textCols.forEach((c, k) => {
      c.bytes.copy(buf, base, 0, c.used);
      for (let i = 0; i < n; i++) off[k * (n + 1) + i] = base + (c.starts.a[i] as number);
      off[k * (n + 1) + n] = base + c.used;
      base += c.used;
    });
    return { count: n, keys: this.keys, kinds, nums, bytes, offsets };
  }
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

/** Rows already in memory (a JSON file's), shared. */
export function shareRows(rows: readonly unknown[]): SharedRows {
  const keys = shapeOf(rows);
  const b = new SharedRowsBuilder(keys ?? []);
  if (keys) for (const r of rows) b.add(keys.map((k) => (r as Record<string, unknown>)[k]));
  else for (const r of rows) b.addWhole(r);
  return b.finish();
}

/** Row i, made afresh from the shared buffers (a call may change it without touching another's). */
export function sharedRowReader(s: SharedRows): (i: number) => unknown {
  const n = s.count;
  const num = new Float64Array(s.nums);
  const off = new Float64Array(s.offsets);
  const buf = Buffer.from(s.bytes);
  // Where each column's values start: its place among the columns of its kind.
  const at: number[] = [];
  let numK = 0;
  let textK = 0;
  for (const k of s.kinds) at.push(k === 'num' ? numK++ * n : textK++ * (n + 1));
  const text = (base: number, i: number): string => buf.toString('utf8', off[base + i] as number, off[base + i + 1] as number);
  const json = (base: number, i: number): unknown => {
    const x = text(base, i);
    return x === '' ? undefined : JSON.parse(x);
  };
  if (!s.keys.length) return (i) => (json(0, i) as { v: unknown } | undefined)?.v;
  const { keys, kinds } = s;
  return (i) => {
    const o: Record<string, unknown> = {};
    for (let j = 0; j < kinds.length; j++) {
      const k = kinds[j];
      const base = at[j] as number;
      o[keys[j] as string] = k === 'num' ? num[base + i] : k === 'str' ? text(base, i) : json(base, i);
    }
    return o;
  };
}

/** Data files at least this large are shared rather than cloned into every worker (documented in the README). */
export const SHARE_ROWS_BYTES = 1024 * 1024;
