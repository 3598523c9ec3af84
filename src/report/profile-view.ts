/**
 * CPU and heap profiles in the reports: the top functions as lines (console) or a
 * table (Markdown, HTML), and in the HTML a flame graph per kept step,
 * drawn by the page's script from result.profiles[].flame.
 */
import type { StrainResult } from '../result/schema.js';
import { escapeHtml as esc } from './format.js';

type Profiles = NonNullable<StrainResult['profiles']>;
type Profile = Profiles[number];

/** "file:///a/b/extractor.mjs" → "extractor.mjs:12". */
function where(url: string, line: number): string {
  const file = url.replace(/^file:\/\//, '').split('/').pop() || url || '(native)';
  return `${file}:${line}`;
}

function fmtBytes(b: number): string {
  return b >= 1048576 ? `${(b / 1048576).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${Math.round(b)} B`;
}

function heading(p: Profile): string {
  return p.kind === 'cpu'
    ? `CPU profile, step ${p.step + 1} (${p.phase}): ${p.inside} samples in the code under test from ${p.workers.length} worker(s), every ${p.interval} µs`
    : `Heap profile, step ${p.step + 1} (${p.phase}): ${fmtBytes(p.inside)} allocated by the code under test and still alive at the step's end, from ${p.workers.length} worker(s), sampled every ${fmtBytes(p.interval)}`;
}

/** CPU: self time; heap: bytes allocated that stayed. */
function selfOf(f: Profile['top'][number]): string {
  return f.selfBytes !== null ? `${f.selfPercent.toFixed(1)}% (${fmtBytes(f.selfBytes)})` : `${f.selfPercent.toFixed(1)}%`;
}

/** Console: each kept profile's five heaviest functions by self time. */
export function profileLines(r: StrainResult, n = 5): string[] {
  const out: string[] = [];
  for (const p of r.profiles ?? []) {
    out.push(heading(p));
    for (const f of p.top.slice(0, n)) out.push(`  ${selfOf(f).padStart(6)} self ${f.totalPercent.toFixed(1).padStart(5)}% total  ${f.function} (${where(f.url, f.line)})`);
    if (p.overheadPercent !== null) out.push(`  throughput ${p.overheadPercent.toFixed(1)}% under the unprofiled steps at the same load`);
    const files = p.workers.map((w) => w.file).filter((f): f is string => f !== null);
    if (files.length) out.push(`  files: ${files.join(', ')}`);
    for (const w of p.workers) if (w.error) out.push(`  worker ${w.workerId}: ${w.error}`);
  }
  return out;
}

export function profileMarkdown(r: StrainResult, n = 10): string[] {
  const out: string[] = [];
  for (const p of r.profiles ?? []) {
    out.push('', `**${heading(p)}**`, '', '| function | where | self | total |', '| --- | ---: | ---: | ---: |');
    for (const f of p.top.slice(0, n)) out.push(`| ${f.function.replace(/\|/g, '\\|')} | ${where(f.url, f.line)} | ${selfOf(f)} | ${f.totalPercent.toFixed(1)}% |`);
  }
  return out;
}

export function profileSection(r: StrainResult): string {
  const ps = r.profiles ?? [];
  if (!ps.length) return '';
  return `<h2>Profiles</h2>${ps.map((p, i) => `<h3>${esc(heading(p))}</h3>
<div id="flame-${i}" class="flame" data-profile="${i}"></div>
<table class="profile-top"><tr><th>function</th><th>where</th><th>self</th><th>total</th></tr>${p.top.map((f) =>
    `<tr><td><code>${esc(f.function)}</code></td><td>${esc(where(f.url, f.line))}</td><td class="n">${esc(selfOf(f))}</td><td class="n">${f.totalPercent.toFixed(1)}%</td></tr>`).join('')}</table>
<p class="meta">${esc(p.workers.map((w) => w.file ?? `worker ${w.workerId}: not written`).join(' · '))}</p>`).join('\n')}`;
}

/** One line per heap snapshot written (or not). */
export function snapshotLines(r: StrainResult): string[] {
  return (r.heapSnapshots ?? []).map((h) => (h.file ? `heap snapshot: worker ${h.workerId}, step ${h.step + 1}: ${h.file} (${fmtBytes(h.bytes)})` : `heap snapshot: worker ${h.workerId}: none (${h.error ?? 'unknown'})`));
}

/** What the page's flame graphs draw. */
export function flameData(r: StrainResult): { rows: Profile['flame'] }[] {
  return (r.profiles ?? []).map((p) => ({ rows: p.flame.map((f) => ({ ...f, name: f.name, url: where(f.url, f.line) })) }));
}
