import { readFileSync } from 'node:fs';
import type { parse as ParseCsv } from 'csv-parse/sync';
import { StrainError } from '../errors.js';
import { requireCjs } from '../lazy/require.js';
import { jsonErrorOffset, lineColumn } from '../profile/json-position.js';
import { shareRows, SharedRowsBuilder, type SharedRows } from './shared-rows.js';

/**
 * Input rows for the extractor: CSV with a header, JSON Lines, or a JSON array.
 * Read once on the main thread so a malformed file is refused (with its line)
 * before any worker starts.
 */
export function readRows(file: string): unknown[] {
  const text = readDataText(file);
  const lower = file.toLowerCase();
  const rows = lower.endsWith('.csv')
    ? parseCsv(text, file)
    : lower.endsWith('.jsonl') || lower.endsWith('.ndjson')
      ? parseJsonLines(text, file)
      : lower.endsWith('.json')
        ? parseJsonArray(text, file)
        : unsupported(file);
  if (rows.length === 0) throw new StrainError('STRAIN_DATA_EMPTY', 'the data file holds no rows', { where: file });
  return rows;
}

function unsupported(file: string): never {
  throw new StrainError('STRAIN_DATA_PARSE', 'unsupported data file type; expected .csv, .jsonl, .ndjson or .json', { where: file });
}

function parseJsonLines(text: string, file: string): unknown[] {
  const rows: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      rows.push(JSON.parse(line));
    } catch (e) {
      throw new StrainError('STRAIN_DATA_PARSE', `malformed JSON line: ${(e as Error).message}`, { where: `${file}:${i + 1}` });
    }
  });
  return rows;
}

function parseJsonArray(text: string, file: string): unknown[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const { line } = lineColumn(text, Math.max(0, jsonErrorOffset(text)));
    throw new StrainError('STRAIN_DATA_PARSE', `not valid JSON (${(e as Error).message})`, { where: `${file}:${line}` });
  }
  if (!Array.isArray(data)) throw new StrainError('STRAIN_DATA_PARSE', 'expected a JSON array of rows', { where: file });
  return data;
}

const NUMERIC = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** csv-parse's error codes in the words strain's other data errors use. */
const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'unterminated quoted field',
  CSV_INVALID_CLOSING_QUOTE: 'unexpected character after a quoted field',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'unexpected character after a quoted field',
};

/**
 * RFC 4180 CSV with a header row, by csv-parse: quoted fields may hold commas,
 * doubled quotes and line breaks. Fields that look like numbers become numbers.
 * Each record is handed on as it is parsed and never kept (a large file is
 * encoded straight into shared memory), so errors name the file and the line
 * the record starts on. Returns the header.
 */
export function eachCsvRow(text: string, file: string, onRow: (values: (string | number)[], header: string[]) => void): string[] {
  let header: string[] | undefined;
  const onRecord = ({ record, info }: { record: string[]; info: { lines: number } }): null => {
    if (!header) {
      if (record.every((h) => h === '')) throw new StrainError('STRAIN_DATA_EMPTY', 'the CSV file has no header row', { where: file });
      header = record;
      return null;
    }
    // info.lines is the record's last line; one whose fields hold line breaks starts that many lines earlier.
    if (record.length !== header.length) {
      const start = info.lines - record.reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0);
      throw new StrainError('STRAIN_DATA_PARSE', `expected ${header.length} fields as in the header, found ${record.length}`, { where: `${file}:${start}` });
    }
    onRow(record.map((v) => (NUMERIC.test(v) ? Number(v) : v)), header);
    return null;
  };
  try {
    const parseCsvText = requireCjs<{ parse: typeof ParseCsv }>('csv-parse/sync').parse;
    parseCsvText(text, { skip_empty_lines: true, relax_column_count: true, info: true, record_delimiter: ['\r\n', '\n'], on_record: onRecord as never });
  } catch (e) {
    if (e instanceof StrainError) throw e;
    const err = e as { code?: string; lines?: number; message: string; cause?: unknown };
    if (err.cause instanceof StrainError) throw err.cause;
    const what = (err.code && CSV_PROBLEMS[err.code]) ?? err.message;
    throw new StrainError('STRAIN_DATA_PARSE', what, { where: err.lines ? `${file}:${err.lines}` : file });
  }
  if (!header) throw new StrainError('STRAIN_DATA_EMPTY', 'the CSV file has no header row', { where: file });
  return header;
}

function parseCsv(text: string, file: string): Record<string, string | number>[] {
  const values: (string | number)[][] = [];
  const header = eachCsvRow(text, file, (v) => void values.push(v));
  return values.map((v) => {
    const row: Record<string, string | number> = {};
    header.forEach((h, k) => {
      row[h] = v[k] as string | number;
    });
    return row;
  });
}

/** The text of a data file, without a byte-order mark; a missing file is a coded error. */
export function readDataText(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new StrainError('STRAIN_FILE_MISSING', `cannot read data file: ${(e as Error).message}`, { where: file });
  }
  // A UTF-8 byte-order mark would become part of the first column's name.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * A large data file's rows, held once for all workers (shared-rows.ts). A
 * CSV is encoded record by record as it is parsed: its rows never exist as
 * objects, so the coordinator's peak stays near the text plus one encoded copy.
 */
export function readSharedRows(file: string): SharedRows {
  if (!file.toLowerCase().endsWith('.csv')) return shareRows(readRows(file));
  let b: SharedRowsBuilder | undefined;
  eachCsvRow(readDataText(file), file, (values, header) => {
    (b ??= new SharedRowsBuilder(header)).add(values);
  });
  if (!b) throw new StrainError('STRAIN_DATA_EMPTY', 'the data file holds no rows', { where: file });
  return (b as SharedRowsBuilder).finish();
}
