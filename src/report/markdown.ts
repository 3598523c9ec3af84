import { SHARD_HEADER, shardHeadline, shardRows } from './shard-lines.js';
import { FUNCTION_HEADER, functionRows } from './functions-table.js';
import { disturbedNote, sideNames } from './comparison.js';
import { disturbanceLines } from './environment-lines.js';
import { capacityLine } from '../capacity/result.js';
import { profileMarkdown } from './profile-view.js';
import { enduranceLines } from './endurance-lines.js';
import type { StrainResult } from '../result/schema.js';
import { fmtBytes, fmtMs, fmtPct, fmtRate } from './format.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function mdTable(header: string[], rows: string[][]): string {
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [header, align, ...rows].map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n');
}

type Comparison = NonNullable<StrainResult['comparison']>;

function comparisonMarkdownTable(c: Comparison): string {
  const note = disturbedNote(c);
  return (note ? `⚠️ ${note}\n\n` : '') + mdTable([...sideNames(c), 'change', '95% CI', 'p', 'verdict'], c.metrics.map((m) => [
    m.metric, m.baseMedian.toPrecision(4), m.currentMedian.toPrecision(4), `${(m.relChange * 100).toFixed(1)}%`,
    `${((m.interval[0] ?? 0) * 100).toFixed(1)}%..${((m.interval[1] ?? 0) * 100).toFixed(1)}%`, m.pValue.toPrecision(2), m.verdict === 'regressed' ? '**regressed**' : m.verdict,
  ]));
}

/** `strain compare` for a pull request or a CI job summary: the verdict, then the table. */
export function comparisonMarkdown(c: Comparison, base: string, current: string): string {
  const icon = c.regressed ? '❌' : '✅';
  return `## ${icon} strain compare: ${c.regressed ? 'regressed' : 'no regression'}\n\n${cell(base)} (${c.baseRuns} run(s)) → ${cell(current)} (${c.currentRuns} run(s))\n\n${comparisonMarkdownTable(c)}\n`;
}

/** A summary for pull requests and mail: verdict first, then the numbers. */
export function markdownSummary(r: StrainResult): string {
  const out: string[] = [];
  const icon = r.verdict.passed ? '✅' : '❌';
  out.push(`## ${icon} strain: ${r.name} (${r.status})`);
  out.push('');
  out.push(`${r.steps.length} step(s), ${fmtMs(r.meta.durationMs)}, ${r.meta.host.cpus} × ${r.meta.host.model}, Node ${r.meta.host.node}, strain ${r.meta.strainVersion}.`);
  out.push('');
  const shard = shardHeadline(r);
  if (shard) out.push(`**${shard}**`, '');
  if (r.meta.shards) out.push(mdTable(SHARD_HEADER, shardRows(r)), '');
  if (r.capacity) {
    out.push(`**${capacityLine(r.capacity)}** (${r.capacity.reason})`);
    out.push('');
  }
  if (!r.verdict.passed) {
    out.push('**Verdict: failed**');
    for (const reason of r.verdict.reasons) out.push(`- ${reason}`);
    out.push('');
  }
  out.push(mdTable(
    ['step', 'load', 'calls', 'throughput', 'p50', 'p95', 'p99', 'max', 'errors'],
    [
      ...r.steps.map((s) => [
        `${s.index + 1} ${s.phase}${s.completed ? '' : ' (partial)'}`,
        s.load.rate !== undefined ? `${fmtRate(s.load.rate)} offered` : `${s.load.concurrency} concurrent`,
        String(s.count), fmtRate(s.throughput), fmtMs(s.latencyMs.p50), fmtMs(s.latencyMs.p95), fmtMs(s.latencyMs.p99), fmtMs(s.latencyMs.max), fmtPct(s.errorRate),
      ]),
      ['**total**', '', String(r.total.count), fmtRate(r.total.throughput), fmtMs(r.total.latencyMs.p50), fmtMs(r.total.latencyMs.p95), fmtMs(r.total.latencyMs.p99), fmtMs(r.total.latencyMs.max), fmtPct(r.total.errorRate)],
    ],
  ));
  const disturbed = disturbanceLines(r);
  if (disturbed.length) out.push('', ...disturbed.map((l) => `- ⚠️ ${l}`));
  if (r.total.functions?.length) {
    out.push('', '**Mix** (each function over the whole run; the table above is the blend):', '', mdTable(FUNCTION_HEADER, functionRows(r)));
  }
  out.push('');
  const k = r.knee;
  out.push(k.detected ? `**Knee:** ${k.load} (method ${k.method}, confidence ${k.confidence}): ${k.reason}` : `**Knee:** none found: ${k.reason}`);
  if (r.thresholds.length) {
    out.push('');
    out.push(mdTable(['threshold', 'scope', 'actual', 'result'], r.thresholds.map((t) => [
      `${t.metric} ${t.expression}`, t.scope, t.actual === null ? 'no data' : String(Number(t.actual.toPrecision(4))), t.passed ? 'pass' : '**FAIL**',
    ])));
  }
  if (r.comparison) {
    out.push('');
    out.push(comparisonMarkdownTable(r.comparison));
  }
  if (r.warnings?.length) {
    out.push('');
    for (const w of r.warnings) out.push(`- warning: ${w}`);
  }
  const notes: string[] = [];
  if (r.spike) notes.push(`spike: p99 ${fmtMs(r.spike.baselineP99Ms)} → peak ${fmtMs(r.spike.peakP99Ms)}, recovery ${r.spike.recoveryMs === null ? 'not within the run' : fmtMs(r.spike.recoveryMs)}`);
  if (r.breakpoint) notes.push(`breakpoint: stopped at step ${r.breakpoint.step + 1} (${r.breakpoint.reason})`);
  notes.push(...enduranceLines(r));
  if (r.faults.length) notes.push(`${r.faults.length} fault(s): ${r.faults.map((f) => `${f.kind} (worker ${f.workerId})`).join(', ')}`);
  if (r.errors.length) notes.push(`errors: ${r.errors.slice(0, 3).map((e) => `${e.count}× ${e.message}`).join('; ')}`);
  if (notes.length) {
    out.push('');
    for (const n of notes) out.push(`- ${n}`);
  }
  out.push(...profileMarkdown(r));
  out.push('');
  out.push(`Peak RSS ${fmtBytes(r.resources.peakRssBytes)}, peak CPU ${r.resources.peakCpuPercent.toFixed(0)}%.`);
  return `${out.join('\n')}\n`;
}
