/**
 * History against the machine: each run's host-speed reference (the same
 * kernel timed at its start and end) says how fast the machine was that
 * night. Normalising divides the machine out (throughput by its relative
 * speed, latencies times it); labelling marks a change point as the
 * machine's when the host speed moved across it by enough, in the direction
 * that explains it.
 */
import { CHANGEPOINT_DEFAULTS } from '../analysis/changepoint.js';
import type { HistoryChangePoint } from './change-points.js';
import type { HistoryEntry } from './store.js';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const speedOf = (e: HistoryEntry): number | null => (typeof e.hostSpeed === 'number' && e.hostSpeed > 0 ? e.hostSpeed : null);

export interface Normalized {
  entries: HistoryEntry[];
  /** The reference speed runs are scaled to: the median over the runs that have one. */
  referenceSpeed: number | null;
  /** Runs without a host-speed reading (older strain): left out of the normalised series. */
  leftOut: number;
}

/** Each run's figures as they would have been at the reference speed. */
export function normalizeHistory(entries: readonly HistoryEntry[]): Normalized {
  const speeds = entries.map(speedOf).filter((x): x is number => x !== null);
  if (!speeds.length) return { entries: [], referenceSpeed: null, leftOut: entries.length };
  const ref = median(speeds);
  const out: HistoryEntry[] = [];
  for (const e of entries) {
    const s = speedOf(e);
    if (s === null) continue;
    const k = s / ref;
    out.push({
      ...e, throughput: e.throughput / k, p50: e.p50 * k, p99: e.p99 * k,
      ...(e.functions ? { functions: Object.fromEntries(Object.entries(e.functions).map(([n, f]) => [n, { ...f, throughput: f.throughput / k, p50: f.p50 * k, p99: f.p99 * k }])) } : {}),
    });
  }
  return { entries: out, referenceSpeed: ref, leftOut: entries.length - out.length };
}

/** A host-speed move smaller than this is the reference's own noise. */
const SPEED_NOISE = 0.05;

/**
 * Labels change points the machine explains: the median host speed of the
 * runs just before against just after (a segment's length each) moved by at
 * least half the metric's change, in the direction a slower or faster machine
 * pushes that metric. Others stay the code's (or unexplained).
 */
export function labelMachineChanges(entries: readonly HistoryEntry[], cps: readonly HistoryChangePoint[]): HistoryChangePoint[] {
  const n = CHANGEPOINT_DEFAULTS.minSegment;
  return cps.map((c) => {
    const before = entries.slice(Math.max(0, c.index - n), c.index).map(speedOf).filter((x): x is number => x !== null);
    const after = entries.slice(c.index, c.index + n).map(speedOf).filter((x): x is number => x !== null);
    if (!before.length || !after.length || c.before === 0) return c;
    const h = median(after) / median(before) - 1;
    const rel = (c.after - c.before) / c.before;
    if (Math.abs(h) < SPEED_NOISE || c.metric === 'errorRate') return { ...c, hostSpeedChange: h };
    // Rates follow the machine's speed, times its inverse.
    const push = c.metric === 'throughput' ? h : 1 / (1 + h) - 1;
    const machine = Math.sign(push) === Math.sign(rel) && Math.abs(push) >= 0.5 * Math.abs(rel);
    return { ...c, hostSpeedChange: h, ...(machine ? { cause: 'machine' as const } : {}) };
  });
}
