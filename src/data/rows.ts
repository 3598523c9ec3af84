import { readFileSync } from 'node:fs';
import type { parse as ParseCsv } from 'csv-parse/sync';
import { StrainError } from '../errors.js';
import { requireCjs } from '../lazy/require.js';
import { jsonErrorOffset, lineColumn } from '../profile/json-position.js';

/**
 * Input rows for the extractor: CSV with a header, JSON Lines, or a JSON array.
 * Read once on the main thread so a malformed file is refused (with its line)
 * before any worker starts.
 */
export function readRows(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new StrainError('STRAIN_FILE_MISSING', `cannot read data file: ${(e as Error).message}`, { where: file });
  }
  // A UTF-8 byte-order mark would become part of the first column's name.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
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
 * Errors name the file and the line the record starts on.
 */
function parseCsv(text: string, file: string): Record<string, string | number>[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    const parseCsvText = requireCjs<{ parse: typeof ParseCsv }>('csv-parse/sync').parse;
    records = parseCsvText(text, { skip_empty_lines: true, relax_column_count: true, info: true, record_delimiter: ['\r\n', '\n'] }) as unknown as typeof records;
  } catch (e) {
    const err = e as { code?: string; lines?: number; message: string };
    const what = (err.code && CSV_PROBLEMS[err.code]) ?? err.message;
    throw new StrainError('STRAIN_DATA_PARSE', what, { where: err.lines ? `${file}:${err.lines}` : file });
  }
  const first = records[0];
  if (!first || first.record.every((h) => h === '')) {
    throw new StrainError('STRAIN_DATA_EMPTY', 'the CSV file has no header row', { where: file });
  }
  const header = first.record;
  const rows: Record<string, string | number>[] = [];
  for (const { record, info } of records.slice(1)) {
    // info.lines is the record's last line; one whose fields hold line breaks starts that many lines earlier.
    const start = info.lines - record.reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0);
    if (record.length !== header.length) {
      throw new StrainError('STRAIN_DATA_PARSE', `expected ${header.length} fields as in the header, found ${record.length}`, { where: `${file}:${start}` });
    }
    const row: Record<string, string | number> = {};
    header.forEach((h, k) => {
      const v = record[k] as string;
      row[h] = NUMERIC.test(v) ? Number(v) : v;
    });
    rows.push(row);
  }
  return rows;
}
