/**
 * A mix's per-function figures, merged exactly like the blend: each
 * function's successful and failed calls as histograms, whole step and after
 * the warm-up, added snapshot by snapshot across workers.
 */
import type { Histogram } from 'hdr-histogram-js';
import { newHistogram } from './histogram.js';
import { addSparse, type SparseCounts } from './recorder.js';

export interface FunctionAcc {
  ok: Histogram;
  failed: Histogram;
  calls: number;
  errors: number;
}

/** One function's calls of one snapshot, decoded. */
export interface FunctionPart {
  ok: Histogram;
  failed: Histogram;
}

const emptyAcc = (): FunctionAcc => ({ ok: newHistogram(), failed: newHistogram(), calls: 0, errors: 0 });

/** Decode a snapshot's per-function pairs; throws on a malformed array. */
export function decodeFunctions(fns: readonly { histogram: SparseCounts; failures: SparseCounts }[] | undefined): FunctionPart[] | undefined {
  if (!fns) return undefined;
  return fns.map((f) => {
    const ok = newHistogram();
    const failed = newHistogram();
    addSparse(f.histogram, ok);
    addSparse(f.failures, failed);
    return { ok, failed };
  });
}

/** Add a snapshot's per-function parts into a step's accumulators (grown to fit). */
export function addFunctions(into: FunctionAcc[], parts: readonly FunctionPart[]): void {
  parts.forEach((p, k) => {
    const a = (into[k] ??= emptyAcc());
    a.ok.add(p.ok);
    a.failed.add(p.failed);
    a.calls += p.ok.totalCount + p.failed.totalCount;
    a.errors += p.failed.totalCount;
  });
}

/** The per-function calls must add up to the blend's: a snapshot where they do not is refused. */
export function functionsAgree(parts: readonly FunctionPart[] | undefined, calls: number, errors: number): boolean {
  if (!parts) return true;
  let c = 0;
  let e = 0;
  for (const p of parts) {
    c += p.ok.totalCount + p.failed.totalCount;
    e += p.failed.totalCount;
  }
  return c === calls && e === errors;
}
