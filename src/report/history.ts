import { historyChangePoints, type HistoryChangePoint, type HistoryMetric } from '../history/change-points.js';
import type { HistoryEntry } from '../history/store.js';
import { fmtMs, fmtRate, table } from './format.js';

export type { HistoryMetric } from '../history/change-points.js';

const SPARK = '▁▂▃▄▅▆▇█';

function sparkline(xs: readonly number[]): string {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return xs.map((x) => SPARK[hi === lo ? 3 : Math.round(((x - lo) / (hi - lo)) * 7)]).join('');
}

export const showHistoryValue = (m: HistoryMetric, v: number): string => (m === 'throughput' ? fmtRate(v) : m === 'errorRate' ? `${(v * 100).toFixed(2)}%` : fmtMs(v));
const show = showHistoryValue;

export interface HistoryReport {
  text: string;
  changePoints: HistoryChangePoint[];
}

/** Trend lines and E-divisive change points over a history. */
export function historyReport(entries: readonly HistoryEntry[], metrics: readonly HistoryMetric[], last: number): HistoryReport {
  const out: string[] = [`history: ${entries.length} run(s)${entries.length ? ` from ${entries[0]!.at} to ${entries[entries.length - 1]!.at}` : ''}`];
  const changePoints = historyChangePoints(entries, metrics);
  const usable = entries.filter((e) => e.status === 'completed');
  const skipped = entries.length - usable.length;
  if (skipped) out.push(`(${skipped} run(s) that did not complete are listed but left out of the trends and change points)`);
  for (const m of metrics) {
    const xs = usable.map((e) => e[m]);
    if (xs.length === 0) continue;
    const cps = changePoints.filter((c) => c.metric === m);
    out.push(`${m.padEnd(10)} ${sparkline(xs.slice(-60))}  last ${show(m, xs[xs.length - 1]!)}, ${cps.length} change point(s)`);
    for (const c of cps) {
      const rel = c.before === 0 ? 0 : (c.after - c.before) / c.before;
      const machine = c.cause === 'machine' ? `; the machine's: host speed ${(c.hostSpeedChange! * 100).toFixed(1)}% across it` : '';
      out.push(`  change at run ${c.index + 1} (${c.at}): ${show(m, c.before)} → ${show(m, c.after)} (${rel >= 0 ? '+' : ''}${(rel * 100).toFixed(1)}%, p=${c.pValue.toFixed(3)})${machine}`);
    }
  }
  const recent = entries.slice(-last);
  out.push('');
  out.push(table(['run', 'at', 'status', 'throughput', 'p50', 'p99', 'errors', 'knee'], recent.map((e, i) => [
    String(entries.length - recent.length + i + 1), e.at, e.status, fmtRate(e.throughput), fmtMs(e.p50), fmtMs(e.p99), `${(e.errorRate * 100).toFixed(2)}%`, e.kneeLoad === null ? '-' : String(e.kneeLoad),
  ])));
  return { text: out.join('\n'), changePoints };
}
