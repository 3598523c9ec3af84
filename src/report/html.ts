import { SHARD_HEADER, shardHeadline, shardRows } from './shard-lines.js';
import { uslThroughput } from '../analysis/usl.js';
import { disturbedNote, sideNames } from './comparison.js';
import { disturbanceLines } from './environment-lines.js';
import { loadPoints } from '../result/build.js';
import { decodeHistogram } from '../engine/histogram.js';
import { enduranceLines } from './endurance-lines.js';
import type { StrainResult } from '../result/schema.js';
import { escapeHtml, fmtBytes, fmtMs, fmtPct, fmtRate } from './format.js';
import { capacityChart, capacitySection } from './capacity-chart.js';
import { flameData, profileSection } from './profile-view.js';
import { CLIENT_SCRIPT } from './html-client.js';
import { FUNCTION_HEADER, functionRows } from './functions-table.js';
import { htmlTable as table, PAGE_CSP, scriptJson, UPLOT_CSS, UPLOT_JS } from './html-parts.js';


const esc = escapeHtml;

/** Percentiles on the distribution chart, as x = 1 / (1 − p) for a log axis. */
const PERCENTILES = [50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999];
const MAX_DISTRIBUTION_STEPS = 10;

type Row = (number | null)[];

/** A mix: each function's p99 at each load level of the scaling chart (the last step measured at that level). */
function functionSeries(r: StrainResult, x: readonly number[]): { name: string; p99: Row }[] | null {
  const names = r.total.functions?.map((f) => f.name);
  if (!names?.length) return null;
  return names.map((name) => ({
    name,
    p99: x.map((v) => {
      const at = r.steps.filter((s) => (s.load.rate ?? s.load.concurrency) === v && s.count > 0);
      const f = at[at.length - 1]?.functions?.find((g) => g.name === name);
      return f && f.count > 0 ? f.latencyMs.p99 : null;
    }),
  }));
}

/** The numbers the page's charts draw, computed here so the page only plots. */
export function chartData(r: StrainResult): Record<string, unknown> {
  const points = loadPoints(r.steps);
  const open = points.some((p) => p.offered !== undefined);
  const byLoad = new Map<number, { x: number; rate: number; p50: number; p99: number }>();
  for (const p of points) {
    const prev = byLoad.get(p.load);
    if (!prev || p.throughput > prev.rate) byLoad.set(p.load, { x: p.load, rate: p.throughput, p50: p.p50Ms ?? 0, p99: p.p99Ms });
  }
  const measured = [...byLoad.values()].sort((a, b) => a.x - b.x);
  const usl = r.knee.usl;
  const xs = new Set(measured.map((m) => m.x));
  if (usl && measured.length) {
    const hi = Math.max(...measured.map((m) => m.x));
    for (let i = 0; i <= 40; i++) xs.add(Number((1 + ((hi - 1) * i) / 40).toFixed(3)));
  }
  const x = [...xs].sort((a, b) => a - b);
  const at = (v: number): (typeof measured)[number] | undefined => measured.find((m) => m.x === v);
  const scaling = {
    xLabel: open ? 'offered rate (calls/s)' : 'concurrency',
    x,
    throughput: x.map((v) => at(v)?.rate ?? null) as Row,
    p50: x.map((v) => at(v)?.p50 ?? null) as Row,
    p99: x.map((v) => at(v)?.p99 ?? null) as Row,
    usl: usl ? (x.map((v) => uslThroughput(usl, v)) as Row) : null,
    knee: r.knee.detected ? r.knee.load : null,
    functions: functionSeries(r, x),
    // A level measured again (a ramp up and back down): the other measurement, so a disagreement shows.
    repeat: (r.knee.repeats ?? []).length
      ? (x.map((v) => {
          const rep = r.knee.repeats?.find((q) => q.load === v);
          return rep ? Math.min(...rep.throughputs) : null;
        }) as Row)
      : null,
  };

  const boundaries: { x: number; label: string; color?: string; dash?: number[] }[] = [];
  r.steps.forEach((s, i) => {
    const newPhase = i === 0 || r.steps[i - 1]?.phase !== s.phase;
    if (newPhase) boundaries.push({ x: s.startMs / 1000, label: s.phase, color: '#333' });
    else boundaries.push({ x: s.startMs / 1000, label: s.load.rate !== undefined ? `${fmtRate(s.load.rate)}` : `c=${s.load.concurrency}`, color: '#aaa', dash: [2, 4] });
  });
  const pos = (v: number): number | null => (v > 0 ? v : null);
  const timeline = {
    x: r.series.map((p) => p.tMs / 1000),
    p50: r.series.map((p) => pos(p.p50Ms)),
    p99: r.series.map((p) => pos(p.p99Ms)),
    max: r.series.map((p) => pos(p.maxMs)),
    boundaries,
  };

  const every = Math.max(1, Math.ceil(r.steps.length / MAX_DISTRIBUTION_STEPS));
  const distribution = {
    x: PERCENTILES.map((p) => 1 / (1 - p / 100)),
    steps: r.steps
      .filter((s, i) => s.count > 0 && (i % every === 0 || i === r.steps.length - 1))
      .map((s) => {
        const h = decodeHistogram(s.histogram);
        return {
          label: `${s.index + 1} ${s.load.rate !== undefined ? fmtRate(s.load.rate) : `c=${s.load.concurrency}`}`,
          values: PERCENTILES.map((p) => pos(h.getValueAtPercentile(p) / 1e6)),
        };
      }),
  };

  const resources = {
    x: r.resources.series.map((s) => s.tMs / 1000),
    cpu: r.resources.series.map((s) => s.cpuPercent),
    rss: r.resources.series.map((s) => s.rssBytes / 1024 / 1024),
  };

  const comparison = r.comparison
    ? {
        metrics: r.comparison.metrics.map((m) => m.metric),
        base: r.comparison.metrics.map(() => 100),
        current: r.comparison.metrics.map((m) => 100 * (1 + m.relChange)),
      }
    : null;
  // Workers snapshot at their own moments: put every worker on the first one's time grid (latest point at or before each x).
  const mem = (r.endurance?.memory ?? []).filter((m) => m.tMs.length > 0);
  const grid = mem[0]?.tMs ?? [];
  const onGrid = (m: (typeof mem)[number], ys: readonly number[]): Row => grid.map((t) => {
    let k = -1;
    for (let i = 0; i < m.tMs.length && (m.tMs[i] as number) <= t; i++) k = i;
    return k < 0 ? null : (ys[k] as number) / 1024 / 1024;
  }) as Row;
  const memory = mem.length
    ? { x: grid.map((t) => t / 1000), workers: mem.map((m) => ({ label: `worker ${m.workerId}`, heap: onGrid(m, m.heapBytes), external: onGrid(m, m.externalBytes) })) }
    : null;
  return { scaling, timeline, distribution, resources, comparison, memory, capacity: r.capacity ? capacityChart(r.capacity) : null, flames: flameData(r) };
}


/** A self-contained HTML report: every script and style inline, no request leaves the page. */
export function htmlReport(r: StrainResult): string {
  const data = scriptJson(chartData(r));
  const k = r.knee;
  const verdict = r.verdict.passed
    ? '<div class="verdict pass">PASSED</div>'
    : `<div class="verdict fail">FAILED<ul>${r.verdict.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul></div>`;
  const steps = table(
    ['step', 'phase', 'load', 'calls', 'throughput', 'p50', 'p90', 'p99', 'p99.9', 'max', 'errors', 'CPU', 'peak RSS'],
    r.steps.map((s) => [
      String(s.index + 1), esc(s.phase) + (s.completed ? '' : ' (partial)'),
      s.load.rate !== undefined ? `${esc(fmtRate(s.load.rate))} offered` : `${s.load.concurrency} concurrent`,
      String(s.count), esc(fmtRate(s.throughput)), esc(fmtMs(s.latencyMs.p50)), esc(fmtMs(s.latencyMs.p90)), esc(fmtMs(s.latencyMs.p99)),
      esc(fmtMs(s.latencyMs.p999)), esc(fmtMs(s.latencyMs.max)), esc(fmtPct(s.errorRate)), s.cpu.meanPercent === null ? 'n/a' : `${s.cpu.meanPercent.toFixed(0)}%`, s.peakRssBytes === null ? 'n/a' : esc(fmtBytes(s.peakRssBytes)),
    ]),
  );
  const openSteps = r.steps.filter((s) => s.openLoop);
  const open = openSteps.length
    ? `<h3>Open loop</h3><p>Latency above is measured from each call's intended start; service time and dispatch lag are beside it.</p>${table(
        ['step', 'offered', 'achieved', 'service p99', 'lag p99', 'late', 'dropped', 'saturated'],
        openSteps.map((s) => {
          const o = s.openLoop as NonNullable<typeof s.openLoop>;
          return [String(s.index + 1), esc(fmtRate(o.offered)), esc(fmtRate(o.achieved)), esc(fmtMs(o.serviceMs.p99)), esc(fmtMs(o.lagMs.p99)), String(o.late), String(o.dropped), s.saturated ? '<b>yes</b>' : 'no'];
        }),
      )}`
    : '';
  const thresholds = r.thresholds.length
    ? table(['metric', 'expression', 'scope', 'actual', 'result'], r.thresholds.map((t) => [
        esc(t.metric), `<code>${esc(t.expression)}</code>`, esc(t.scope), t.actual === null ? 'no data' : esc(Number(t.actual.toPrecision(4))),
        t.passed ? '<span class="pass">pass</span>' : '<span class="fail">FAIL</span>',
      ]))
    : '<p>No thresholds.</p>';
  const comparison = r.comparison
    ? `<h2>${r.comparison.paired ? 'Paired A/B comparison: candidate against base' : 'Baseline comparison'}</h2>${disturbedNote(r.comparison) ? `<p class="fail" id="comparison-disturbed">${esc(disturbedNote(r.comparison) as string)}</p>` : ''}<div id="chart-comparison" class="chart"></div>${table(
        [...sideNames(r.comparison), 'change', '95% CI', 'p', 'verdict'],
        r.comparison.metrics.map((m) => [esc(m.metric), esc(m.baseMedian.toPrecision(4)), esc(m.currentMedian.toPrecision(4)), `${(m.relChange * 100).toFixed(1)}%`,
          `${((m.interval[0] ?? 0) * 100).toFixed(1)}% .. ${((m.interval[1] ?? 0) * 100).toFixed(1)}%`, esc(m.pValue.toPrecision(2)),
          m.verdict === 'regressed' ? '<span class="fail">regressed</span>' : esc(m.verdict)]),
      )}`
    : '';
  const problems = [
    ...r.faults.map((f) => [esc(`fault: ${f.kind}`), `worker ${f.workerId}, step ${f.step + 1}, at ${esc(fmtMs(f.atMs))}`, esc(f.message)]),
    ...r.errors.map((e) => [esc(`error ×${e.count}`), e.step >= 0 ? `step ${e.step + 1}` : 'warm-up', `${esc(e.message)}${e.stack ? `<details><summary>stack</summary><pre>${esc(e.stack)}</pre></details>` : ''}`]),
  ];
  const analysis: string[] = [];
  analysis.push(`<li><b>Knee:</b> ${k.detected ? `at ${esc(k.load)} (max throughput ${esc(fmtRate(k.maxThroughput))})` : 'none found'}; method ${esc(k.method)}, confidence ${esc(k.confidence)}: ${esc(k.reason)}</li>`);
  if (k.usl) analysis.push(`<li><b>USL fit:</b> σ ${k.usl.sigma.toFixed(4)}, κ ${k.usl.kappa.toFixed(5)}, λ ${esc(fmtRate(k.usl.lambda))}, N<sub>max</sub> ${k.usl.nMax === null ? '∞ (no peak)' : k.usl.nMax.toFixed(2)}, R² ${k.usl.r2.toFixed(3)}${k.usl.credible ? '' : ' (not credible)'}</li>`);
  if (r.spike) analysis.push(`<li><b>Spike:</b> p99 ${esc(fmtMs(r.spike.baselineP99Ms))} before, peak ${esc(fmtMs(r.spike.peakP99Ms))}, recovered ${r.spike.recoveryMs === null ? 'not within the run' : `${esc(fmtMs(r.spike.recoveryMs))} after the spike`}</li>`);
  if (r.breakpoint) analysis.push(`<li><b>Breakpoint:</b> stopped at step ${r.breakpoint.step + 1}: ${esc(r.breakpoint.reason)}</li>`);
  for (const line of enduranceLines(r)) {
    const [what, ...rest] = line.split(': ');
    analysis.push(`<li><b>${esc(what ?? '')}:</b> ${esc(rest.join(': '))}</li>`);
  }
  const h = r.meta.host;
  const host = table(['fact', 'value'], [
    ['CPU', `${h.cpus} × ${esc(h.model)}${h.speedMHz ? ` @ ${h.speedMHz} MHz` : ''}`], ['memory', esc(fmtBytes(h.memoryBytes))], ['OS', esc(h.os)], ['Node', esc(h.node)],
    ['strain', esc(r.meta.strainVersion)], ['started', esc(r.meta.startedAt)], ['extractor', `<code>${esc(r.meta.extractor)}</code>`], ['data', `<code>${esc(r.meta.data ?? 'none')}</code>`],
    ['placement', esc(r.placement?.note ?? '')], ['timing', esc(`${r.meta.timing.method}, ${r.meta.timing.clock}, ${r.meta.timing.unit}, ${r.meta.timing.significantDigits} significant digits`)],
  ]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${PAGE_CSP}
<title>strain: ${esc(r.name)}</title>
<style>${UPLOT_CSS}
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1140px;padding:0 16px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}td.n{text-align:right}
.verdict{padding:8px 12px;border-radius:4px;font-weight:600;margin:12px 0}.verdict.pass{background:#e6f4ea;color:#1e7e34}.verdict.fail{background:#fdecea;color:#b00020}
.verdict ul{margin:4px 0 0;font-weight:400}.pass{color:#1e7e34}.fail{color:#b00020;font-weight:600}.chart{margin:12px 0}.meta{color:#666}
pre{white-space:pre-wrap;font-size:12px}code{font-size:12px}.flame{margin:8px 0;position:relative}.flame canvas{display:block}</style></head>
<body>
<h1>strain: ${esc(r.name)}</h1>
<div class="meta">${esc(r.status)} · ${r.steps.length} step(s) · ${esc(fmtMs(r.meta.durationMs))} · ${r.total.count} calls · ${esc(r.meta.startedAt)}</div>
${shardHeadline(r) ? `<p id="shards" class="${r.meta.shards?.partial ? 'fail' : 'meta'}">${esc(shardHeadline(r) as string)}</p>` : ''}${r.meta.shards ? table(SHARD_HEADER, shardRows(r).map((row) => row.map(esc)), 'shard-pieces') : ''}
${verdict}
${capacitySection(r.capacity)}
<h2>Scaling</h2><ul>${analysis.join('')}</ul>
${new Set(r.steps.map((s) => s.load.rate ?? s.load.concurrency)).size > 1 ? '<div id="chart-scaling" class="chart"></div>' : '<p class="meta">One load level: no scaling chart.</p>'}
<h2>Endurance</h2><ul>${enduranceLines(r).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
${(r.endurance?.memory ?? []).some((m) => m.tMs.length > 0) ? '<div id="chart-memory" class="chart"></div>' : ''}
<h2>Steps</h2>${disturbanceLines(r).map((l) => `<p class="fail" id="disturbed-${l.split(' ')[1]}">${esc(l)}</p>`).join('')}${steps}${open}
${r.total.functions?.length ? `<h2>Mix</h2><p class="meta">Each function over the whole run; the steps above are the blend.</p>${table(FUNCTION_HEADER, functionRows(r).map((row) => row.map(esc)), 'functions')}` : ''}
<h2>Latency over time</h2><div id="chart-timeline" class="chart"></div>
<h2>Latency distribution</h2><div id="chart-distribution" class="chart"></div>
${profileSection(r)}
<h2>Thresholds</h2>${thresholds}
${comparison}
<h2>Resources</h2><p>Peak RSS ${esc(fmtBytes(r.resources.peakRssBytes))}, peak CPU ${r.resources.peakCpuPercent.toFixed(0)}%, mean CPU ${r.resources.meanCpuPercent.toFixed(0)}%.</p>
<div id="chart-resources" class="chart"></div>
<h2>Errors and faults</h2>${problems.length ? table(['what', 'where', 'detail'], problems) : '<p>None.</p>'}
<h2>Host</h2>${host}
<script type="application/json" id="strain-data">${data}</script>
<script>${UPLOT_JS}</script>
<script>${CLIENT_SCRIPT}</script>
</body></html>
`;
}
