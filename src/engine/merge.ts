import type { Histogram } from 'hdr-histogram-js';
import { newHistogram } from './histogram.js';
import { addSparse, type SparseCounts } from './recorder.js';
import { parseWorkerMessage, type ErrorSample, type SnapshotMessage, type WorkerMessage } from './protocol.js';
import { addFunctions, decodeFunctions, functionsAgree, type FunctionAcc, type FunctionPart } from './merge-functions.js';

/** Everything merged for one plan step. Histograms are added, never averaged. */
export interface StepAccumulator {
  seq: number;
  /** Whole step, warm-up included. */
  all: Histogram;
  /** After the step's warm-up: what the step's statistics are computed from. Successful calls only. */
  steady: Histogram;
  /** Failed calls' latency: whole step, and after the warm-up. */
  failedAll: Histogram;
  failedSteady: Histogram;
  /** Milliseconds spent inside calls, summed over workers (after the warm-up). */
  steadyBusyMs: number;
  /** Worker threads' own CPU time after the warm-up (null once any snapshot could not read it). */
  steadyCpuMs: number | null;
  calls: number;
  errors: number;
  steadyCalls: number;
  steadyErrors: number;
  /** Epoch ms span covered by steady snapshots (earliest start, latest end). */
  steadyStartMs: number;
  steadyEndMs: number;
  startMs: number;
  endMs: number;
  /** The steady calls' errors by message: their counts add up to `steadyErrors`. */
  errorSamples: Map<string, ErrorSample>;
  /** Workers that sent their final snapshot of this step. */
  finished: Set<number>;
  /** Open loop: service time and dispatch lag over the whole step. */
  service: Histogram;
  lag: Histogram;
  late: number;
  /** Late calls after the step's warm-up: what saturation is judged on. */
  steadyLate: number;
  dropped: number;
  /** Open loop, after the warm-up: service time and dispatch lag. */
  steadyService: Histogram;
  steadyLag: Histogram;
  steadyDropped: number;
  /** Calls recovered from the shared memory of workers that died. */
  harvestedCalls: number;
  /** Calls that completed past the step's nominal end (outside its window). */
  overran: number;
  /** Batch sizes the workers timed this step's steady calls with (1: per call). */
  batchSizes: Set<number>;
  /** A mix: each function's calls, whole step and after the warm-up, in mix order. */
  fnAll: FunctionAcc[];
  fnSteady: FunctionAcc[];
  /** Paired A/B: the workers' A B B A cycles, [cycle, A ms, A calls, B ms, B calls] each. */
  cycles: number[];
  /** Paired A/B: each steady snapshot's sides, [A p50, B p50, A p99, B p99, A calls, B calls] (ns). */
  sideQuantiles: number[];
}

function fromSparse(pairs: SparseCounts): Histogram {
  const h = newHistogram();
  addSparse(pairs, h);
  return h;
}

/** Distinct error messages kept per step; the rest are counted together. */
const MAX_STEP_ERRORS = 100;
/** The catalogue entry for errors a worker recorded but never described (it died or hung before its snapshot). */
export const UNREPORTED_ERRORS = '(errors of a worker that ended before it could report their messages)';

export function addErrorSample(map: Map<string, ErrorSample>, e: ErrorSample): void {
  const prev = map.get(e.message);
  if (prev) prev.count += e.count;
  else if (map.size < MAX_STEP_ERRORS) map.set(e.message, { ...e });
  else {
    const other = map.get('(other errors)');
    if (other) other.count += e.count;
    else map.set('(other errors)', { message: '(other errors)', count: e.count, stack: undefined });
  }
}

export interface WorkerTotals {
  workerId: number;
  /** A merged result (strain merge): the shard this worker ran in. */
  shard?: number;
  count: number;
  errors: number;
  peakHeapBytes: number;
  lastHeapBytes: number;
  /** Peak of heap used + external memory (array buffers are part of external). */
  peakMemoryBytes: number;
  busyMs: number;
  /** The worker thread's own CPU time over its steady snapshots (null when unreadable). */
  cpuMs: number | null;
  /** Wall time covered by this worker's snapshots of measured steps. */
  spanMs: number;
  snapshots: number;
  /** Heap used and external memory (typed arrays, Buffers) per snapshot (ms since run start, bytes); bounded, see addHeap. */
  heapT: number[];
  heapY: number[];
  extY: number[];
}

/** Open time buckets kept at most, however far behind a worker falls. */
const MAX_OPEN_BUCKETS = 64;

/** Per-worker heap points kept before pairs are folded into their minimum. */
const MAX_HEAP_POINTS = 4000;

export interface SeriesPoint {
  /** Milliseconds from the run's start to the end of the interval. */
  tMs: number;
  step: number;
  count: number;
  errors: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface OpenBucket {
  index: number;
  step: number;
  count: number;
  errors: number;
  hist: Histogram;
}

const NS_PER_MS = 1e6;

/**
 * Adds snapshots into per-step histograms, a per-interval time series over all
 * workers, and per-worker totals. Open time buckets are closed into plain
 * points once no worker can still add to them, so held histograms stay few.
 */
export class RunAccumulator {
  readonly steps = new Map<number, StepAccumulator>();
  readonly workers = new Map<number, WorkerTotals>();
  readonly series: SeriesPoint[] = [];
  private readonly open = new Map<number, OpenBucket>();

  constructor(
    /** Time origin of the series; reset when timing starts (after workers load). */
    public runStartMs: number,
    readonly intervalMs: number,
    private readonly isMeasured: (step: number) => boolean,
    private readonly maxPoints = 2000,
  ) {}

  step(seq: number): StepAccumulator {
    let s = this.steps.get(seq);
    if (!s) {
      s = {
        seq, all: newHistogram(), steady: newHistogram(), calls: 0, errors: 0, steadyCalls: 0, steadyErrors: 0,
        steadyStartMs: Infinity, steadyEndMs: -Infinity, startMs: Infinity, endMs: -Infinity,
        errorSamples: new Map(), finished: new Set(), service: newHistogram(), lag: newHistogram(), late: 0, steadyLate: 0, dropped: 0,
        failedAll: newHistogram(), failedSteady: newHistogram(), steadyBusyMs: 0, steadyService: newHistogram(), steadyLag: newHistogram(),
        steadyDropped: 0, harvestedCalls: 0, overran: 0, steadyCpuMs: 0, batchSizes: new Set(), fnAll: [], fnSteady: [], cycles: [], sideQuantiles: [],
      };
      this.steps.set(seq, s);
    }
    return s;
  }

  /** Decode everything first: a snapshot that cannot be decoded changes nothing. */
  add(m: SnapshotMessage): void {
    const h = fromSparse(m.histogram);
    const failed = fromSparse(m.failures);
    const service = m.service ? fromSparse(m.service) : undefined;
    const lag = m.lag ? fromSparse(m.lag) : undefined;
    if (h.totalCount + failed.totalCount !== m.calls || failed.totalCount !== m.errors) {
      throw new Error(`counts disagree (calls ${m.calls}, errors ${m.errors}; histograms ${h.totalCount} + ${failed.totalCount})`);
    }
    const fns = decodeFunctions(m.fns);
    if (!functionsAgree(fns, m.calls, m.errors)) throw new Error(`the functions' calls do not add up to the snapshot's ${m.calls}`);
    this.addDecoded(m, h, failed, service, lag, fns);
  }

  /** Merge a snapshot whose histograms are already decoded (or harvested from shared memory). */
  addDecoded(m: SnapshotMessage, h: Histogram, failed: Histogram, service: Histogram | undefined, lag: Histogram | undefined, fns?: FunctionPart[]): void {
    const s = this.step(m.step);
    s.all.add(h);
    s.failedAll.add(failed);
    if (fns) {
      addFunctions(s.fnAll, fns);
      if (!m.warmup) addFunctions(s.fnSteady, fns);
    }
    if (m.cycles) {
      for (const v of m.cycles) s.cycles.push(v);
      const [a, b] = fns ?? [];
      if (!m.warmup && a && b && a.ok.totalCount > 0 && b.ok.totalCount > 0) {
        s.sideQuantiles.push(a.ok.getValueAtPercentile(50), b.ok.getValueAtPercentile(50), a.ok.getValueAtPercentile(99), b.ok.getValueAtPercentile(99), a.ok.totalCount, b.ok.totalCount);
      }
    }
    if (m.harvested) s.harvestedCalls += m.calls;
    s.calls += m.calls;
    s.errors += m.errors;
    s.startMs = Math.min(s.startMs, m.startMs);
    s.endMs = Math.max(s.endMs, m.endMs);
    if (!m.warmup) {
      s.steady.add(h);
      s.failedSteady.add(failed);
      s.steadyCalls += m.calls;
      s.steadyErrors += m.errors;
      s.steadyLate += m.late;
      s.steadyDropped += m.dropped;
      s.steadyBusyMs += m.busyMs;
      if (m.calls > 0) s.batchSizes.add(m.batch);
      // A harvest has no CPU reading; it stands for a fraction of an interval.
      if (!m.harvested) s.steadyCpuMs = m.cpuMs === null || s.steadyCpuMs === null ? null : s.steadyCpuMs + m.cpuMs;
      if (service) s.steadyService.add(service);
      if (lag) s.steadyLag.add(lag);
      s.steadyStartMs = Math.min(s.steadyStartMs, m.startMs);
      s.steadyEndMs = Math.max(s.steadyEndMs, m.endMs);
    }
    if (service) s.service.add(service);
    if (lag) s.lag.add(lag);
    s.late += m.late;
    s.dropped += m.dropped;
    s.overran += m.overran;
    // The catalogue counts the calls the step's error count counts: the steady ones.
    // A harvest carries no messages, only counts: its errors are named as such.
    if (!m.warmup) {
      const samples = m.harvested && m.errors > 0 ? [{ message: UNREPORTED_ERRORS, count: m.errors, stack: undefined }] : m.errorSamples;
      for (const e of samples) addErrorSample(s.errorSamples, e);
    }
    if (m.final) s.finished.add(m.workerId);

    const w = this.worker(m.workerId);
    // A harvest has no memory reading of its own.
    if (!m.harvested) {
      w.peakHeapBytes = Math.max(w.peakHeapBytes, m.heapUsedBytes);
      w.peakMemoryBytes = Math.max(w.peakMemoryBytes, m.heapUsedBytes + m.externalBytes);
      w.lastHeapBytes = m.heapUsedBytes;
      w.snapshots++;
      addHeap(w, m.endMs - this.runStartMs, m.heapUsedBytes, m.externalBytes);
    }
    if (!this.isMeasured(m.step)) return;
    w.count += m.calls;
    w.errors += m.errors;
    if (!m.warmup) {
      w.busyMs += m.busyMs;
      if (!m.harvested) w.cpuMs = m.cpuMs === null || w.cpuMs === null ? null : w.cpuMs + m.cpuMs;
      w.spanMs += Math.max(0, m.endMs - m.startMs);
    }

    // A sliver of a snapshot with no calls (a step's last, cut at its nominal end) is no point of its own.
    if (m.calls > 0 || m.endMs - m.startMs >= this.intervalMs / 2) {
      // Time series: workers snapshot on the run's grid, so a snapshot's midpoint names its one bucket.
      const index = Math.max(0, Math.floor(((m.startMs + m.endMs) / 2 - this.runStartMs) / this.intervalMs));
      let b = this.open.get(index);
      if (!b) {
        b = { index, step: m.step, count: 0, errors: 0, hist: newHistogram() };
        this.open.set(index, b);
      }
      b.hist.add(h);
      b.count += m.calls;
      b.errors += m.errors;
      b.step = Math.max(b.step, m.step);
    }
    // A bucket closes once every worker expected has reported past its end (a
    // worker whose step ended has nothing more for it), however late the
    // coordinator reads them; the cap only bounds a pathological backlog.
    this.reportedTo.set(m.workerId, m.final ? Infinity : Math.max(this.reportedTo.get(m.workerId) ?? -Infinity, m.endMs));
    let upTo = Infinity;
    for (const t of this.reportedTo.values()) upTo = Math.min(upTo, t);
    for (const k of [...this.open.keys()].sort((x, y) => x - y)) {
      if (this.open.size <= MAX_OPEN_BUCKETS && this.runStartMs + (k + 1) * this.intervalMs > upTo) break;
      this.close(k, this.open.get(k) as OpenBucket);
    }
  }

  /** The latest snapshot end each worker has reported (Infinity after its step's final snapshot). */
  private readonly reportedTo = new Map<number, number>();

  /**
   * A step is starting with these workers: none of them has reported into
   * it yet, so no bucket from `fromMs` on may close before they do.
   */
  expect(workers: number, fromMs: number): void {
    for (let w = 0; w < workers; w++) {
      const t = this.reportedTo.get(w);
      if (t === undefined || t === Infinity) this.reportedTo.set(w, fromMs);
    }
  }


  worker(workerId: number): WorkerTotals {
    let w = this.workers.get(workerId);
    if (!w) {
      w = { workerId, count: 0, errors: 0, peakHeapBytes: 0, lastHeapBytes: 0, peakMemoryBytes: 0, busyMs: 0, cpuMs: 0, spanMs: 0, snapshots: 0, heapT: [], heapY: [], extY: [] };
      this.workers.set(workerId, w);
    }
    return w;
  }

  private close(k: number, b: OpenBucket): void {
    this.open.delete(k);
    this.series.push({
      tMs: (b.index + 1) * this.intervalMs,
      step: b.step,
      count: b.count,
      errors: b.errors,
      throughput: (b.count - b.errors) / (this.intervalMs / 1000),
      p50Ms: b.hist.getValueAtPercentile(50) / NS_PER_MS,
      p99Ms: b.hist.getValueAtPercentile(99) / NS_PER_MS,
      maxMs: b.hist.maxValue / NS_PER_MS,
    });
    if (this.series.length > this.maxPoints) this.halveSeries();
  }

  /**
   * Keep the series bounded: merge neighbouring points pairwise. Counts add
   * exactly; p50/p99 of a merged point are the larger of the two (a bound,
   * marked by the coarser spacing), max stays exact.
   */
  private halveSeries(): void {
    const merged: SeriesPoint[] = [];
    for (let i = 0; i < this.series.length; i += 2) {
      const a = this.series[i] as SeriesPoint;
      const b = this.series[i + 1];
      if (!b) {
        merged.push(a);
        continue;
      }
      const span = (b.tMs - a.tMs) * 2;
      merged.push({
        tMs: b.tMs, step: b.step, count: a.count + b.count, errors: a.errors + b.errors,
        throughput: (a.count + b.count - a.errors - b.errors) / (span / 1000),
        p50Ms: Math.max(a.p50Ms, b.p50Ms), p99Ms: Math.max(a.p99Ms, b.p99Ms), maxMs: Math.max(a.maxMs, b.maxMs),
      });
    }
    this.series.splice(0, this.series.length, ...merged);
  }

  /** Close every open bucket (end of run). */
  closeAll(): void {
    for (const k of [...this.open.keys()].sort((x, y) => x - y)) this.close(k, this.open.get(k) as OpenBucket);
  }
}

/**
 * Keep a worker's heap series bounded: past the limit, fold neighbouring
 * pairs into their minimum. The leak test looks at heap floors, which the
 * minimum preserves.
 */
function addHeap(w: WorkerTotals, tMs: number, heap: number, ext: number): void {
  w.heapT.push(tMs);
  w.heapY.push(heap);
  w.extY.push(ext);
  if (w.heapY.length <= MAX_HEAP_POINTS) return;
  const fold = (ys: number[]): number[] => {
    const out: number[] = [];
    // An odd sample out is the newest: kept as it is.
    for (let i = 0; i < ys.length; i += 2) out.push(i + 1 < ys.length ? Math.min(ys[i] as number, ys[i + 1] as number) : (ys[i] as number));
    return out;
  };
  w.heapT = w.heapT.filter((_, i) => i % 2 === 0);
  w.heapY = fold(w.heapY);
  w.extY = fold(w.extY);
}

/**
 * What the coordinator does with anything a worker posts: check its shape,
 * merge snapshots, and never throw. Returns the message when it is usable,
 * or why it was not.
 */
export function ingestMessage(acc: RunAccumulator, raw: unknown): { message: WorkerMessage } | { rejected: string } {
  const m = parseWorkerMessage(raw);
  if (!m) return { rejected: 'a worker sent a malformed message; it was ignored' };
  if (m.type === 'snapshot') {
    try {
      acc.add(m);
    } catch (e) {
      return { rejected: `a snapshot from worker ${m.workerId} could not be merged: ${(e as Error)?.message ?? String(e)}` };
    }
  }
  return { message: m };
}
