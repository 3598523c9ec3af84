/**
 * The data-set figures: a generated 600,000-row OHLCV CSV run with 1 and 4
 * workers, each in a fresh process: peak RSS and the time beyond the 3 s
 * step (reading, sharing, starting and stopping the workers).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers.js';

const CHILD = new URL('./data-set-child.js', import.meta.url);

export interface DataSetFigures {
  rows: number;
  fileBytes: number;
  one: { overheadMs: number; maxRssBytes: number };
  four: { overheadMs: number; maxRssBytes: number };
}

export function dataSetBench(rows = 600_000): DataSetFigures {
  const lines = ['ts,open,high,low,close,volume'];
  let p = 100;
  for (let i = 0; i < rows; i++) {
    // A deterministic walk: prices to 4 decimals, integer volumes.
    p += Math.sin(i * 0.37) * 0.05;
    lines.push(`${1_700_000_000 + i},${p.toFixed(4)},${(p + 0.02).toFixed(4)},${(p - 0.02).toFixed(4)},${(p + 0.01).toFixed(4)},${1000 + (i % 97)}`);
  }
  const text = `${lines.join('\n')}\n`;
  const csv = path.join(tempDir('strain-bench-data-'), 'bars.csv');
  writeFileSync(csv, text);
  const run = (workers: number): { overheadMs: number; maxRssBytes: number } =>
    JSON.parse(execFileSync(process.execPath, [CHILD.pathname, csv, String(workers)], { encoding: 'utf8' }).trim().split('\n').at(-1) as string) as { overheadMs: number; maxRssBytes: number };
  return { rows, fileBytes: Buffer.byteLength(text), one: run(1), four: run(4) };
}
