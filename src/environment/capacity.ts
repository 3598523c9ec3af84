/**
 * Whether this machine can hold the worker threads a plan asks for. Checked
 * before any worker starts: a concurrency past memory otherwise ends in a V8
 * out-of-memory crash of the whole process instead of a coded error.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { StrainError } from '../errors.js';
import { SHARED_RECORDING_BYTES } from '../engine/shared-recording.js';

/** Worker threads one run may start, whatever the memory (documented in the README). */
export const MAX_WORKERS = 4096;
/** An idle drive worker's RSS measured here (~12 MiB), with headroom for the extractor's own heap. */
const WORKER_BASE_BYTES = 24 * 1024 * 1024;

/** Memory the kernel says is available (MemAvailable), else Node's free memory. */
export function availableMemoryBytes(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return os.freemem();
}

/** Each worker holds its own structured clone of the rows (about twice their JSON size). */
export function estimateWorkerBytes(rowsJsonBytes: number): number {
  return WORKER_BASE_BYTES + SHARED_RECORDING_BYTES + 2 * rowsJsonBytes;
}

export function checkWorkerCapacity(workers: number, rowsJsonBytes: number, where: string, available = availableMemoryBytes()): void {
  if (workers > MAX_WORKERS) {
    throw new StrainError('STRAIN_CAPACITY', `the plan needs ${workers} worker threads; strain starts at most ${MAX_WORKERS} (use concurrencyPerWorker for async extractors)`, { where });
  }
  const need = workers * estimateWorkerBytes(rowsJsonBytes);
  if (need > 0.8 * available) {
    const mib = (b: number): string => `${Math.round(b / 2 ** 20)} MiB`;
    throw new StrainError('STRAIN_CAPACITY', `${workers} worker threads need about ${mib(need)} (${mib(estimateWorkerBytes(rowsJsonBytes))} each), more than 80% of the ${mib(available)} available`, { where });
  }
}
