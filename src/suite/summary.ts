/**
 * A suite's summary over its profiles: the record (suite.json), and its
 * console table, Markdown, HTML index and JUnit file. Pure functions of the
 * rows; run-suite.ts writes them.
 */
import type { StrainResult } from '../result/schema.js';
import { escapeHtml, fmtMs, fmtPct, fmtRate, table } from '../report/format.js';
import { PAGE_CSP } from '../report/html-parts.js';
import { junitCases, testsuiteXml, type Case } from '../report/junit.js';

export type SuiteStatus = 'passed' | 'failed' | 'invalid' | 'error' | 'aborted' | 'not run';

export interface SuiteRow {
  name: string;
  file: string;
  /** Where the suite named it: the argument, or a suite file and JSON path. */
  from: string;
  status: SuiteStatus;
  exitCode: number;
  /** The profile's result folder, relative to the suite's. */
  dir: string | undefined;
  figures: { count: number; throughput: number; p50Ms: number; p99Ms: number; errorRate: number } | undefined;
  reasons: string[];
  /** The baseline comparison in a word or two: regressed (p99), unchanged, no baseline yet… */
  comparison: string | undefined;
  baseline: { note: string; state: string; updated: boolean } | undefined;
  error: { code: string; message: string } | undefined;
  durationMs: number;
  startedAt: string;
  /** Kept for the JUnit cases; not written to suite.json. */
  result?: StrainResult | undefined;
}

export interface SuiteRecord {
  kind: 'strain-suite';
  schemaVersion: 1;
  name: string;
  startedAt: string;
  endedAt: string;
  exitCode: number;
  counts: Record<SuiteStatus, number>;
  profiles: Omit<SuiteRow, 'result'>[];
}

/** The comparison with the baseline, said briefly. */
export function comparisonWord(r: StrainResult, baselineState: string | undefined): string | undefined {
  const c = r.comparison;
  if (c) {
    const by = (v: string): string[] => c.metrics.filter((m) => m.verdict === v).map((m) => m.metric);
    if (by('regressed').length) return `regressed (${by('regressed').join(', ')})`;
    if (by('improved').length) return `improved (${by('improved').join(', ')})`;
    if (by('inconclusive').length) return `inconclusive (${by('inconclusive').join(', ')})`;
    return 'unchanged';
  }
  if (baselineState === 'different-profile') return 'baseline from a different profile';
  if (baselineState === 'none') return 'no baseline yet';
  return undefined;
}

export function suiteRecord(name: string, rows: SuiteRow[], startedAt: string, endedAt: string, exitCode: number): SuiteRecord {
  const counts = { passed: 0, failed: 0, invalid: 0, error: 0, aborted: 0, 'not run': 0 } as Record<SuiteStatus, number>;
  for (const r of rows) counts[r.status]++;
  return { kind: 'strain-suite', schemaVersion: 1, name, startedAt, endedAt, exitCode, counts, profiles: rows.map(({ result: _r, ...rest }) => rest) };
}

function cells(r: SuiteRow): string[] {
  const f = r.figures;
  return [
    r.name, r.status, f ? String(f.count) : '', f ? fmtRate(f.throughput) : '', f ? fmtMs(f.p50Ms) : '', f ? fmtMs(f.p99Ms) : '',
    f ? fmtPct(f.errorRate) : '', r.comparison ?? '',
  ];
}

const HEADER = ['profile', 'status', 'calls', 'throughput', 'p50', 'p99', 'errors', 'comparison'];

function countsLine(s: SuiteRecord): string {
  return (Object.entries(s.counts) as [SuiteStatus, number][]).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
}

/** Why each profile that did not pass did not: one line each. */
function whyLines(rows: SuiteRow[]): string[] {
  return rows.filter((r) => r.status !== 'passed').map((r) => `${r.name}: ${r.status}${r.error ? `: ${r.error.message}` : r.reasons.length ? `: ${r.reasons.join('; ')}` : ''}`);
}

export function suiteConsole(s: SuiteRecord, rows: SuiteRow[]): string {
  const out = [`strain suite ${s.name}: ${countsLine(s)} (exit ${s.exitCode})`, '', table(HEADER, rows.map(cells))];
  const why = whyLines(rows);
  if (why.length) out.push('', ...why);
  return `${out.join('\n')}\n`;
}

const mdCell = (t: string): string => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Which reports each profile's folder holds (from --format): links go to those, else to result.json. */
export interface Written {
  html: boolean;
  md: boolean;
}

export function suiteMarkdown(s: SuiteRecord, rows: SuiteRow[], written: Written = { html: true, md: true }): string {
  const out = [`# strain suite ${mdCell(s.name)}`, '', `${countsLine(s)}; exit code ${s.exitCode}; ${s.startedAt} to ${s.endedAt}.`, ''];
  out.push(`| ${HEADER.join(' | ')} |`, `|${HEADER.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const r of rows) {
    const c = cells(r);
    c[0] = r.dir ? `[${mdCell(r.name)}](${encodeURI(`${r.dir}/${written.md ? 'summary.md' : 'result.json'}`)})` : mdCell(r.name);
    out.push(`| ${c.map((x, i) => (i === 0 ? x : mdCell(x))).join(' | ')} |`);
  }
  const why = whyLines(rows);
  if (why.length) out.push('', ...why.map((w) => `- ${mdCell(w)}`));
  return `${out.join('\n')}\n`;
}

export function suiteIndexHtml(s: SuiteRecord, rows: SuiteRow[], written: Written = { html: true, md: true }): string {
  const body = rows.map((r) => {
    const c = cells(r).map(escapeHtml);
    const link = r.dir ? `<a href="${escapeHtml(encodeURI(`${r.dir}/${written.html ? 'report.html' : 'result.json'}`))}">${c[0]}</a>` : c[0];
    const why = r.error ? r.error.message : r.reasons.join('; ');
    return `<tr class="${escapeHtml(r.status.replace(' ', '-'))}"><td>${link}</td>${c.slice(1).map((x) => `<td>${x}</td>`).join('')}<td>${escapeHtml(why)}</td></tr>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${PAGE_CSP}
<title>strain suite ${escapeHtml(s.name)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child,td:nth-child(2),td:last-child{text-align:left}.failed td:nth-child(2),.invalid td:nth-child(2),.error td:nth-child(2){color:#b00;font-weight:bold}.passed td:nth-child(2){color:#070}</style>
</head><body>
<h1>strain suite ${escapeHtml(s.name)}</h1>
<p>${escapeHtml(countsLine(s))}; exit code ${s.exitCode}; ${escapeHtml(s.startedAt)} to ${escapeHtml(s.endedAt)}.</p>
<table><thead><tr>${[...HEADER, 'why'].map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}

/** One JUnit file: a testsuite per profile; an invalid profile or a run that did not start is an error case. */
export function suiteJunit(s: SuiteRecord, rows: SuiteRow[]): string {
  const suites = rows.map((r) => {
    const cases: Case[] = r.result
      ? junitCases(r.result)
      : [r.status === 'not run'
        ? { classname: `strain.${r.name}.run`, name: 'profile runs', failure: 'not run (the suite stopped before it)' }
        : { classname: `strain.${r.name}.run`, name: 'profile runs', failure: undefined, error: r.error?.message ?? r.status }];
    return testsuiteXml(r.name, cases, r.durationMs, r.startedAt);
  });
  const all = rows.flatMap((r) => (r.result ? junitCases(r.result) : [undefined]));
  const failures = rows.reduce((a, r) => a + (r.result ? junitCases(r.result).filter((c) => c.failure !== undefined).length : r.status === 'not run' ? 1 : 0), 0);
  const errors = rows.filter((r) => !r.result && r.status !== 'not run').length;
  const seconds = (rows.reduce((a, r) => a + r.durationMs, 0) / 1000).toFixed(3);
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="${escapeHtml(`strain suite ${s.name}`)}" tests="${all.length}" failures="${failures}" errors="${errors}" time="${seconds}">
${suites.join('\n')}
</testsuites>
`;
}
