import { readFileSync } from 'node:fs';
import { StrainError } from '../errors.js';
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

/** Split one CSV record (RFC 4180 quoting; no newlines inside fields). */
export function splitCsvLine(line: string, where: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let field = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new StrainError('STRAIN_DATA_PARSE', 'unterminated quoted field', { where });
        field += line.slice(i, q);
        if (line[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(field);
      if (i === line.length) return out;
      if (line[i] !== ',') throw new StrainError('STRAIN_DATA_PARSE', `unexpected character after quoted field at column ${i + 1}`, { where });
      i++;
    } else {
      const c = line.indexOf(',', i);
      if (c < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

const NUMERIC = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function parseCsv(text: string, file: string): Record<string, string | number>[] {
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '', `${file}:1`);
  if (header.length === 0 || header.every((h) => h === '')) {
    throw new StrainError('STRAIN_DATA_EMPTY', 'the CSV file has no header row', { where: file });
  }
  const rows: Record<string, string | number>[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line === '') continue;
    const where = `${file}:${n + 1}`;
    const fields = splitCsvLine(line, where);
    if (fields.length !== header.length) {
      throw new StrainError('STRAIN_DATA_PARSE', `expected ${header.length} fields as in the header, found ${fields.length}`, { where });
    }
    const row: Record<string, string | number> = {};
    header.forEach((h, k) => {
      const v = fields[k] as string;
      row[h] = NUMERIC.test(v) ? Number(v) : v;
    });
    rows.push(row);
  }
  return rows;
}
