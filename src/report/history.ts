import { eDivisive } from '../analysis/changepoint.js';
import type { HistoryEntry } from '../history/store.js';
import { fmtMs, fmtRate, table } from './format.js';

export type HistoryMetric = 'throughput' | 'p50' | 'p99' | 'errorRate';

const SPARK = '▁▂▃▄▅▆▇█';

function sparkline(xs: readonly number[]): string {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return xs.map((x) => SPARK[hi === lo ? 3 : Math.round(((x - lo) / (hi - lo)) * 7)]).join('');
}

const show = (m: HistoryMetric, v: number): string => (m === 'throughput' ? fmtRate(v) : m === 'errorRate' ? `${(v * 100).toFixed(2)}%` : fmtMs(v));

export interface HistoryReport {
  text: string;
  changePoints: { metric: HistoryMetric; index: number; at: string; before: number; after: number; pValue: number }[];
}

/** Trend lines and E-divisive change points over a history. */
export function historyReport(entries: readonly HistoryEntry[], metrics: readonly HistoryMetric[], last: number): HistoryReport {
  const out: string[] = [`history: ${entries.length} run(s)${entries.length ? ` from ${entries[0]!.at} to ${entries[entries.length - 1]!.at}` : ''}`];
  const changePoints: HistoryReport['changePoints'] = [];
  // Runs that did not complete (failed, aborted, interrupted) measured a part of a run: kept and shown, never a trend point.
  const usable = entries.map((e, i) => ({ e, i })).filter(({ e }) => e.status === 'completed');
  const skipped = entries.length - usable.length;
  if (skipped) out.push(`(${skipped} run(s) that did not complete are listed but left out of the trends and change points)`);
  for (const m of metrics) {
    const xs = usable.map(({ e }) => e[m]);
    if (xs.length === 0) continue;
    const cps = eDivisive(xs);
    for (const c of cps) {
      const at = usable[c.index]!;
      changePoints.push({ metric: m, index: at.i, at: at.e.at, before: c.before, after: c.after, pValue: c.pValue });
    }
    out.push(`${m.padEnd(10)} ${sparkline(xs.slice(-60))}  last ${show(m, xs[xs.length - 1]!)}, ${cps.length} change point(s)`);
    for (const c of cps) {
      const rel = c.before === 0 ? 0 : (c.after - c.before) / c.before;
      const at = usable[c.index]!;
      out.push(`  change at run ${at.i + 1} (${at.e.at}): ${show(m, c.before)} → ${show(m, c.after)} (${rel >= 0 ? '+' : ''}${(rel * 100).toFixed(1)}%, p=${c.pValue.toFixed(3)})`);
    }
  }
  const recent = entries.slice(-last);
  out.push('');
  out.push(table(['run', 'at', 'status', 'throughput', 'p50', 'p99', 'errors', 'knee'], recent.map((e, i) => [
    String(entries.length - recent.length + i + 1), e.at, e.status, fmtRate(e.throughput), fmtMs(e.p50), fmtMs(e.p99), `${(e.errorRate * 100).toFixed(2)}%`, e.kneeLoad === null ? '-' : String(e.kneeLoad),
  ])));
  return { text: out.join('\n'), changePoints };
}
