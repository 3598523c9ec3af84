import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { StrainError } from '../errors.js';
import type { StrainResult } from '../result/schema.js';
import { writeFileAtomic } from '../result/write.js';

/** One line of history.jsonl: the figures a cron trend is drawn from. */
export interface HistoryEntry {
  at: string;
  name: string;
  status: string;
  exitCode: number;
  throughput: number;
  p50: number;
  p99: number;
  errorRate: number;
  kneeLoad: number | null;
  peakRssBytes: number;
  result: string | null;
  /** The run's host-speed reference (meta.hostSpeed.bytesPerUs): how fast the machine was. */
  hostSpeed?: number;
  /** A mix: throughput, p50, p99 and error rate per function, by name. */
  functions?: Record<string, { throughput: number; p50: number; p99: number; errorRate: number }>;
}

export const HISTORY_FILE = 'history.jsonl';

export function historyEntry(r: StrainResult, resultPath: string | null): HistoryEntry {
  return {
    at: r.meta.startedAt,
    name: r.name,
    status: r.status,
    exitCode: r.exitCode,
    throughput: r.total.throughput,
    p50: r.total.latencyMs.p50,
    p99: r.total.latencyMs.p99,
    errorRate: r.total.errorRate,
    kneeLoad: r.knee.load,
    peakRssBytes: r.resources.peakRssBytes,
    result: resultPath,
    ...(r.meta.hostSpeed ? { hostSpeed: r.meta.hostSpeed.bytesPerUs } : {}),
    ...(r.total.functions?.length
      ? { functions: Object.fromEntries(r.total.functions.map((f) => [f.name, { throughput: f.throughput, p50: f.latencyMs.p50, p99: f.latencyMs.p99, errorRate: f.errorRate }])) }
      : {}),
  };
}

/**
 * Append one entry. The whole file is rewritten to a temporary name and
 * renamed into place, so a crash mid-write leaves the old history intact.
 */
export function appendHistory(dir: string, entry: HistoryEntry): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, HISTORY_FILE);
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  writeFileAtomic(file, `${old}${old && !old.endsWith('\n') ? '\n' : ''}${JSON.stringify(entry)}\n`);
  return file;
}

export function readHistory(dir: string): HistoryEntry[] {
  const file = path.join(dir, HISTORY_FILE);
  if (!existsSync(file)) throw new StrainError('STRAIN_RESULT_READ', `no ${HISTORY_FILE} here`, { where: dir });
  const out: HistoryEntry[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as HistoryEntry);
    } catch (e) {
      throw new StrainError('STRAIN_RESULT_READ', `malformed history line: ${(e as Error).message}`, { where: `${file}:${i + 1}` });
    }
  });
  return out;
}
