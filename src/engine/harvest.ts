/**
 * What a dead worker measured since its last snapshot, read from its shared
 * recording: the calls are merged into the step (steady or warm-up part) they
 * belong to, so a fault never loses a measured call.
 */
import { newHistogram, type Histogram } from './histogram.js';
import type { SnapshotMessage } from './protocol.js';
import { drainCounts } from './recorder.js';
import { fnFailed, fnOk, HIST, SLOT, type SharedRecording } from './shared-recording.js';
import type { FunctionPart } from './merge-functions.js';

export interface Harvest {
  message: SnapshotMessage;
  ok: Histogram;
  failed: Histogram;
  service: Histogram | undefined;
  lag: Histogram | undefined;
  fns: FunctionPart[] | undefined;
}

/** Take (and clear) a recording's pending interval; undefined when nothing is pending. */
export function harvest(rec: SharedRecording, workerId: number, open: boolean): Harvest | undefined {
  const sl = rec.slots;
  const step = sl[SLOT.step] as number;
  if (step < 0) {
    rec.reset();
    return undefined;
  }
  const ok = newHistogram();
  const failed = newHistogram();
  const service = newHistogram();
  const lag = newHistogram();
  const nOk = drainCounts(rec.counts[HIST.ok] as Float64Array, ok);
  const nFailed = drainCounts(rec.counts[HIST.failed] as Float64Array, failed);
  drainCounts(rec.counts[HIST.service] as Float64Array, service);
  drainCounts(rec.counts[HIST.lag] as Float64Array, lag);
  const fns = rec.functions > 0 ? Array.from({ length: rec.functions }, (_, k): FunctionPart => {
    const part = { ok: newHistogram(), failed: newHistogram() };
    drainCounts(rec.counts[fnOk(k)] as Float64Array, part.ok);
    drainCounts(rec.counts[fnFailed(k)] as Float64Array, part.failed);
    return part;
  }) : undefined;
  const late = sl[SLOT.late] as number;
  const dropped = sl[SLOT.dropped] as number;
  const origin = sl[SLOT.origin] as number;
  const startT = sl[SLOT.intervalStart] as number;
  // The last moment the worker is known to have been active.
  const lastT = Math.max(startT, sl[SLOT.callStart] as number, sl[SLOT.beat] as number);
  const message: SnapshotMessage = {
    type: 'snapshot', workerId, step, warmup: sl[SLOT.warmup] === 1, final: false,
    startMs: origin + startT, endMs: origin + lastT,
    calls: nOk + nFailed, errors: nFailed, errorSamples: [],
    histogram: new Float64Array(0), failures: new Float64Array(0), busyMs: sl[SLOT.busyMs] as number, cpuMs: null, batch: 1,
    service: undefined, lag: undefined, late, dropped, overran: sl[SLOT.overran] as number,
    heapUsedBytes: 0, externalBytes: 0, arrayBuffersBytes: 0, harvested: true,
  };
  rec.reset();
  // A worker that died after its last call overran the step, before its final snapshot, still ran that call.
  if (nOk + nFailed === 0 && late === 0 && dropped === 0 && message.overran === 0) return undefined;
  return { message, ok, failed, service: open ? service : undefined, lag: open ? lag : undefined, fns };
}
