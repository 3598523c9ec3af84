import { CHANGEPOINT_DEFAULTS, eDivisive } from '../analysis/changepoint.js';
import { labelMachineChanges } from './host-speed.js';
import type { HistoryEntry } from './store.js';

export type HistoryMetric = 'throughput' | 'p50' | 'p99' | 'errorRate';
export const HISTORY_METRICS: readonly HistoryMetric[] = ['throughput', 'p50', 'p99', 'errorRate'];

export interface HistoryChangePoint {
  metric: HistoryMetric;
  /** Index in the history (every run, not only the completed ones) of the first run after the change. */
  index: number;
  at: string;
  before: number;
  after: number;
  pValue: number;
  /** How the runs' host-speed reference moved across the change (history/host-speed.ts). */
  hostSpeedChange?: number;
  /** The machine's: its speed moved enough, the right way, to explain the change. */
  cause?: 'machine';
}

/**
 * E-divisive change points of each metric over the runs that completed. A
 * run that failed, aborted or was interrupted measured part of a run: it is
 * listed but never a trend point.
 */
export function historyChangePoints(entries: readonly HistoryEntry[], metrics: readonly HistoryMetric[]): HistoryChangePoint[] {
  const usable = entries.map((e, i) => ({ e, i })).filter(({ e }) => e.status === 'completed');
  const out: HistoryChangePoint[] = [];
  for (const metric of metrics) {
    const xs = usable.map(({ e }) => e[metric]);
    if (!xs.length) continue;
    for (const c of eDivisive(xs)) {
      const at = usable[c.index]!;
      out.push({ metric, index: at.i, at: at.e.at, before: c.before, after: c.after, pValue: c.pValue });
    }
  }
  return labelMachineChanges(entries, out);
}

/**
 * Change points the newest run opened: found with it, and none of the same
 * metric within a segment's length of it without it. E-divisive sees a
 * change as soon as two runs follow it, first placed early (a split needs
 * five runs a side) and then moving to its true run as runs are added: a
 * change is announced once, when it first shows, not again at each move.
 */
export function newChangePoints(entries: readonly HistoryEntry[], metrics: readonly HistoryMetric[]): HistoryChangePoint[] {
  if (entries.length < 2) return [];
  const before = historyChangePoints(entries.slice(0, -1), metrics);
  const near = CHANGEPOINT_DEFAULTS.minSegment;
  return historyChangePoints(entries, metrics).filter((c) => !before.some((b) => b.metric === c.metric && Math.abs(b.index - c.index) <= near));
}
