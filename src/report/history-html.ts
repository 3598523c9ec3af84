import type { HistoryChangePoint, HistoryMetric } from '../history/change-points.js';
import { HISTORY_METRICS } from '../history/change-points.js';
import type { HistoryEntry } from '../history/store.js';
import { escapeHtml as esc, fmtMs, fmtPct, fmtRate } from './format.js';
import { MARKERS_JS } from './html-client.js';
import { showHistoryValue } from './history.js';
import { htmlTable, PAGE_CSP, scriptJson, UPLOT_CSS, UPLOT_JS } from './html-parts.js';

const TITLES: Record<HistoryMetric, string> = { throughput: 'Throughput (calls/s)', p50: 'p50 latency (ms)', p99: 'p99 latency (ms)', errorRate: 'Error rate (%)' };

export interface HistoryPageInput {
  entries: readonly HistoryEntry[];
  /** Per entry: a link to its report, relative to the page, or null when none is on disk. */
  links: readonly (string | null)[];
  changePoints: readonly HistoryChangePoint[];
  /** Runs in the table (the newest). */
  last?: number;
}

/** The numbers the page draws: per metric, the run numbers, the values (null for runs that did not complete) and the change points. */
export function historyChartData(entries: readonly HistoryEntry[], changePoints: readonly HistoryChangePoint[]): Record<string, unknown> {
  const x = entries.map((_, i) => i + 1);
  return {
    charts: HISTORY_METRICS.map((m) => ({
      id: m,
      title: TITLES[m],
      x,
      y: entries.map((e) => (e.status === 'completed' ? (m === 'errorRate' ? e[m] * 100 : e[m]) : null)),
      changes: changePoints.filter((c) => c.metric === m).map((c) => ({ id: `${m}@${c.index + 1}`, x: c.index + 1, label: `change at run ${c.index + 1}${c.cause === 'machine' ? ' (the machine)' : ''}` })),
    })),
  };
}

const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('history-data').textContent);
  var drawn = 0;
  ${MARKERS_JS}
  data.charts.forEach(function (c) {
    var el = document.getElementById('chart-' + c.id);
    if (!el || c.x.length === 0) return;
    var list = c.changes.map(function (m) { return { id: m.id, x: m.x, label: m.label, color: '#b00' }; });
    new uPlot(Object.assign({
      title: c.title, width: Math.max(480, Math.min(1100, el.clientWidth || 900)), height: 240,
      scales: { x: { time: false } },
      axes: [{ label: 'run' }, { size: 70 }],
      series: [{ label: 'run' }, { label: c.title, stroke: '#1f77b4', width: 2, spanGaps: false, points: { show: true, size: 5 } }],
    }, markers(list)), [c.x, c.y], el);
    drawn++;
  });
  document.body.dataset.charts = String(drawn);
})();
`;

/** history.html: a chart per metric over the runs with each change point marked, and the last runs linked to their reports. Self-contained. */
export function historyHtml(input: HistoryPageInput): string {
  const { entries, links, changePoints } = input;
  const last = input.last ?? 30;
  const name = entries.length ? entries[entries.length - 1]!.name : 'history';
  const first = entries.length - Math.min(last, entries.length);
  const rows = entries.slice(first).map((e, k) => {
    const i = first + k;
    const link = links[i];
    return [
      String(i + 1), link ? `<a href="${esc(link)}">${esc(e.at)}</a>` : esc(e.at), e.status === 'completed' ? esc(e.status) : `<span class="fail">${esc(e.status)}</span>`,
      esc(fmtRate(e.throughput)), esc(fmtMs(e.p50)), esc(fmtMs(e.p99)), esc(fmtPct(e.errorRate)), e.kneeLoad === null ? '-' : esc(e.kneeLoad), e.exitCode === 0 ? '0' : `<span class="fail">${e.exitCode}</span>`,
    ];
  }).reverse();
  const changes = changePoints.length
    ? `<ul>${changePoints.map((c) => {
        const rel = c.before === 0 ? 0 : (c.after - c.before) / c.before;
        return `<li><b>${esc(c.metric)}</b> changed at run ${c.index + 1} (${esc(c.at)}): ${esc(showHistoryValue(c.metric, c.before))} → ${esc(showHistoryValue(c.metric, c.after))} (${rel >= 0 ? '+' : ''}${(rel * 100).toFixed(1)}%, p=${c.pValue.toFixed(3)})${c.cause === 'machine' ? ` <i class="machine">the machine's: host speed ${(c.hostSpeedChange! * 100).toFixed(1)}% across it</i>` : ''}</li>`;
      }).join('')}</ul>`
    : '<p>No change points.</p>';
  const skipped = entries.filter((e) => e.status !== 'completed').length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${PAGE_CSP}
<title>strain history: ${esc(name)}</title>
<style>${UPLOT_CSS}
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1140px;padding:0 16px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}td.n{text-align:right}
.fail{color:#b00020;font-weight:600}.chart{margin:12px 0}.meta{color:#666}</style></head>
<body>
<h1>strain history: ${esc(name)}</h1>
<div class="meta">${entries.length} run(s)${entries.length ? ` from ${esc(entries[0]!.at)} to ${esc(entries[entries.length - 1]!.at)}` : ''}${skipped ? ` · ${skipped} that did not complete are listed, never trend points` : ''}</div>
<h2>Change points</h2>${changes}
<h2>Trends</h2>
${HISTORY_METRICS.map((m) => `<div id="chart-${m}" class="chart"></div>`).join('\n')}
<h2>Last runs</h2>${htmlTable(['run', 'at', 'status', 'throughput', 'p50', 'p99', 'errors', 'knee', 'exit'], rows, 'runs')}
<script type="application/json" id="history-data">${scriptJson(historyChartData(entries, changePoints))}</script>
<script>${UPLOT_JS}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
