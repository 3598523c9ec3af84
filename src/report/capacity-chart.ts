/**
 * The HTML report's capacity section: the one-line answer, a table of the
 * probes, and the data of a chart of the objective's figure against load
 * (passes and fails apart, the objective as a line, the capacity marked).
 */
import { capacityLine } from '../capacity/result.js';
import type { CapacityResult } from '../result/schema.js';
import { escapeHtml as esc } from './format.js';

type Row = (number | null)[];

export interface CapacityChart {
  xLabel: string;
  figure: string;
  /** The figure's name without its limit, and its unit: "latency p(99) (ms)". */
  yLabel: string;
  limit: number;
  /** A latency figure spans decades between a pass and a far fail: drawn on a log scale. */
  log: boolean;
  x: number[];
  passed: Row;
  failed: Row;
  objective: Row;
  capacity: number | null;
}

/** The figure drawn: the first latency objective (what people set a capacity by), else the first one. */
function figureOf(c: CapacityResult): string | undefined {
  return c.objective.find((n) => n.startsWith('latency ')) ?? c.objective[0];
}

export function capacityChart(c: CapacityResult): CapacityChart | null {
  const figure = figureOf(c);
  if (!figure || c.probes.length === 0) return null;
  const valueOf = (p: CapacityResult['probes'][number]): number | null => p.checks.find((k) => k.name === figure)?.actual ?? null;
  const limit = c.probes[0]?.checks.find((k) => k.name === figure)?.limit ?? 0;
  const x = [...new Set(c.probes.map((p) => p.load))].sort((a, b) => a - b);
  // Each load's worst run of each outcome: a repeat that disagreed shows as both.
  const worst = (passed: boolean): Row => x.map((l) => {
    const vs = c.probes.filter((p) => p.load === l && p.passed === passed).map(valueOf).filter((v): v is number => v !== null);
    return vs.length ? (figure.startsWith('achieved') ? Math.min(...vs) : Math.max(...vs)) : null;
  });
  const passed = worst(true);
  const failed = worst(false);
  const log = figure.startsWith('latency ') && [...passed, ...failed].every((v) => v === null || v > 0) && limit > 0;
  const measure = figure.split(/<=|>=|==|!=|<|>/)[0] ?? figure;
  const yLabel = figure.startsWith('achieved') ? 'achieved / arrivals drawn' : figure.startsWith('latency ') ? `${measure} (ms)` : measure;
  return {
    xLabel: c.mode === 'rate' ? 'offered rate (calls/s)' : 'concurrency',
    figure, yLabel, limit, log, x, passed, failed,
    objective: x.map(() => limit),
    capacity: c.capacity,
  };
}

/** The section's HTML; the chart itself is drawn by the page's script from capacityChart's data. */
export function capacitySection(c: CapacityResult | undefined): string {
  if (!c) return '';
  const rows = c.probes.map((p, i) => `<tr><td class="n">${i + 1}</td><td class="n">${esc(Number(p.load.toPrecision(4)))}</td><td>${esc(p.kind)}${p.near ? ' (near)' : ''}</td><td>${
    p.passed ? '<span class="pass">pass</span>' : '<span class="fail">fail</span>'}</td><td>${
    p.checks.map((k) => `${esc(k.name)}: ${k.actual === null ? 'no data' : esc(Number(k.actual.toPrecision(4)))}`).join('; ')}</td><td class="n">step ${p.step + 1}</td></tr>`);
  return `<h2>Capacity</h2><p id="capacity-line"><b>${esc(capacityLine(c))}</b></p><p class="meta">${esc(c.reason)}</p>
${capacityChart(c) ? '<div id="chart-capacity" class="chart"></div>' : ''}
<table id="capacity-probes"><tr><th>#</th><th>load</th><th>run</th><th>result</th><th>figures</th><th>step</th></tr>${rows.join('')}</table>`;
}
