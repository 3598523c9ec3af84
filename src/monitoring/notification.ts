import { CHANGEPOINT_DEFAULTS } from '../analysis/changepoint.js';
import type { HistoryChangePoint } from '../history/change-points.js';
import { showHistoryValue } from '../report/history.js';
import { fmtMs, fmtPct, fmtRate } from '../report/format.js';
import type { StrainResult } from '../result/schema.js';

/** Why a run deserves someone's attention. */
export type Trigger = 'failed' | 'regressed' | 'leak' | 'change-point';

/** The JSON a webhook (generic form) and --notify-command receive. */
export interface Notification {
  source: 'strain';
  version: 1;
  profile: string;
  status: string;
  exitCode: number;
  passed: boolean;
  triggers: Trigger[];
  reasons: string[];
  figures: { throughputPerSec: number; p50Ms: number; p95Ms: number; p99Ms: number; errorRate: number; kneeLoad: number | null; peakRssBytes: number };
  startedAt: string;
  endedAt: string;
  /** The report to open: report.html when it was written, else result.json (absolute paths, or under --report-url). */
  report: string;
  result: string;
  labels: Record<string, string>;
  changePoints: HistoryChangePoint[];
}

/** The triggers a result (and the change points its history entry opened) sets off, and the reasons for each. */
export function triggersOf(r: StrainResult, newChangePoints: readonly HistoryChangePoint[], historyLength = 0): { triggers: Trigger[]; reasons: string[] } {
  const triggers: Trigger[] = [];
  const reasons: string[] = [];
  if (!r.verdict.passed || r.exitCode !== 0 || r.status !== 'completed') {
    triggers.push('failed');
    if (r.status !== 'completed') reasons.push(`the run ${r.status}`);
  }
  // The verdict's own reasons carry the thresholds, checks and regressions that failed it.
  reasons.push(...r.verdict.reasons);
  if (r.comparison?.regressed) triggers.push('regressed');
  const leaks = (r.endurance?.heap ?? []).filter((h) => h.trend.verdict === 'leak');
  const rssLeak = r.endurance?.rss?.verdict === 'leak';
  if (leaks.length || rssLeak) {
    triggers.push('leak');
    for (const h of leaks) reasons.push(`worker ${h.workerId} leaks: ${h.trend.reason}`);
    if (rssLeak) reasons.push(`process memory leaks: ${r.endurance?.rss?.reason ?? ''}`);
  }
  if (newChangePoints.length) {
    triggers.push('change-point');
    for (const c of newChangePoints) {
      const rel = c.before === 0 ? 0 : (c.after - c.before) / c.before;
      const after = historyLength - c.index;
      // Seen early, a change's place is provisional: E-divisive moves it to its true run as more runs follow.
      const provisional = after > 0 && after <= CHANGEPOINT_DEFAULTS.minSegment ? ` (provisional: ${after} run(s) after it so far)` : '';
      reasons.push(`${c.metric} changed at run ${c.index + 1} (${c.at}): ${showHistoryValue(c.metric, c.before)} → ${showHistoryValue(c.metric, c.after)} (${rel >= 0 ? '+' : ''}${(rel * 100).toFixed(1)}%)${provisional}`);
    }
  }
  return { triggers, reasons: [...new Set(reasons)] };
}

export function notification(r: StrainResult, ctx: { report: string; result: string; labels: Record<string, string>; changePoints: readonly HistoryChangePoint[]; historyLength?: number }): Notification {
  const { triggers, reasons } = triggersOf(r, ctx.changePoints, ctx.historyLength ?? 0);
  const l = r.total.latencyMs;
  return {
    source: 'strain', version: 1, profile: r.name, status: r.status, exitCode: r.exitCode, passed: r.verdict.passed, triggers, reasons,
    figures: { throughputPerSec: r.total.throughput, p50Ms: l.p50, p95Ms: l.p95, p99Ms: l.p99, errorRate: r.total.errorRate, kneeLoad: r.knee.load, peakRssBytes: r.resources.peakRssBytes },
    startedAt: r.meta.startedAt, endedAt: r.meta.endedAt, report: ctx.report, result: ctx.result, labels: ctx.labels, changePoints: [...ctx.changePoints],
  };
}

/** The same message as a Slack-style incoming webhook wants it: `text`, in mrkdwn. */
export function slackMessage(n: Notification): { text: string } {
  const head = n.passed && !n.triggers.length ? `strain: *${n.profile}* passed` : `strain: *${n.profile}* ${n.triggers.length ? n.triggers.join(', ') : 'finished'}`;
  const f = n.figures;
  const lines = [
    head,
    `throughput ${fmtRate(f.throughputPerSec)} · p50 ${fmtMs(f.p50Ms)} · p99 ${fmtMs(f.p99Ms)} · errors ${fmtPct(f.errorRate)}${f.kneeLoad === null ? '' : ` · knee at ${f.kneeLoad}`}`,
    ...n.reasons.map((r) => `• ${r}`),
    `report: ${n.report}`,
  ];
  return { text: lines.join('\n') };
}
