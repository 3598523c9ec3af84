import { FUNCTION_HEADER, functionRows } from './functions-table.js';
import { capacityLine } from '../capacity/result.js';
import { profileLines, snapshotLines } from './profile-view.js';
import type { StrainResult } from '../result/schema.js';
import { enduranceLines } from './endurance-lines.js';
import { disturbanceLines } from './environment-lines.js';
import { fmtBytes, fmtMs, fmtPct, fmtRate, table } from './format.js';
import { SHARD_HEADER, shardHeadline, shardRows } from './shard-lines.js';

/** The summary printed after a run: per-step table, totals, knee, thresholds, verdict. */
export function consoleSummary(r: StrainResult): string {
  const out: string[] = [];
  out.push(`strain ${r.name}: ${r.status}, ${r.steps.length} step(s) in ${fmtMs(r.meta.durationMs)} on ${r.meta.host.cpus} CPU(s) (${r.meta.host.model}), Node ${r.meta.host.node}`);
  const shard = shardHeadline(r);
  if (shard) out.push(shard);
  if (r.meta.shards) out.push('', table(SHARD_HEADER, shardRows(r)));
  out.push('');
  const rows = r.steps.map((s) => [
    `${s.index + 1} ${s.phase}${s.completed ? '' : ' (partial)'}`,
    String(s.load.concurrency),
    String(s.count),
    fmtRate(s.throughput),
    fmtMs(s.latencyMs.p50),
    fmtMs(s.latencyMs.p95),
    fmtMs(s.latencyMs.p99),
    fmtMs(s.latencyMs.max),
    fmtPct(s.errorRate),
    s.cpu.meanPercent === null ? 'n/a' : `${s.cpu.meanPercent.toFixed(0)}%`,
    s.peakRssBytes === null ? 'n/a' : fmtBytes(s.peakRssBytes),
  ]);
  const t = r.total;
  rows.push(['total', '', String(t.count), fmtRate(t.throughput), fmtMs(t.latencyMs.p50), fmtMs(t.latencyMs.p95),
    fmtMs(t.latencyMs.p99), fmtMs(t.latencyMs.max), fmtPct(t.errorRate), `${r.resources.meanCpuPercent.toFixed(0)}%`, fmtBytes(r.resources.peakRssBytes)]);
  out.push(table(['step', 'conc', 'calls', 'throughput', 'p50', 'p95', 'p99', 'max', 'errors', 'cpu', 'peak rss'], rows));
  if (r.total.functions?.length) out.push('', 'mix: each function over the whole run (the table above is the blend)', table(FUNCTION_HEADER, functionRows(r)));
  const open = r.steps.filter((s) => s.openLoop);
  if (open.length) {
    out.push('');
    out.push('open loop: latency above is from each call\'s intended start; service time and dispatch lag are beside it');
    out.push(table(['step', 'offered', 'achieved', 'service p50', 'service p99', 'lag p99', 'late', 'dropped', 'saturated'], open.map((s) => {
      const o = s.openLoop as NonNullable<typeof s.openLoop>;
      return [`${s.index + 1} ${s.phase}`, fmtRate(o.offered), fmtRate(o.achieved), fmtMs(o.serviceMs.p50), fmtMs(o.serviceMs.p99), fmtMs(o.lagMs.p99), String(o.late), String(o.dropped), s.saturated ? 'YES' : 'no'];
    })));
  }
  if (r.breakpoint) out.push(`breakpoint: stopped at step ${r.breakpoint.step + 1} (${r.breakpoint.reason}); last good load ${r.breakpoint.lastGoodLoad ?? 'none'}`);
  if (r.capacity) out.push(capacityLine(r.capacity), `  ${r.capacity.reason}`);
  if (r.placement?.requested) out.push(`placement: ${r.placement.pinned ? 'pinned' : 'NOT pinned'}: ${r.placement.note}`);
  out.push('');
  const k = r.knee;
  out.push(k.detected
    ? `knee: at ${k.load} (max throughput ${fmtRate(k.maxThroughput)}; method ${k.method}, confidence ${k.confidence}): ${k.reason}`
    : `knee: none found (method ${k.method}): ${k.reason}`);
  if (r.spike) {
    out.push(`spike: steps ${r.spike.steps.map((i) => i + 1).join(', ')}: p99 ${fmtMs(r.spike.baselineP99Ms)} before, peak ${fmtMs(r.spike.peakP99Ms)}, ${r.spike.recoveryMs === null ? 'not recovered by the end' : `back within the baseline's spread ${fmtMs(r.spike.recoveryMs)} after the spike (to ${fmtMs(r.spike.resolutionMs ?? 0)})`}`);
  }
  for (const s of r.steps) {
    if (s.openLoop?.lagDominated) out.push(`step ${s.index + 1}: dispatch lag p99 ${fmtMs(s.openLoop.lagMs.p99)} makes the latency tail (service p99 ${fmtMs(s.openLoop.serviceMs.p99)}): the generator fell behind, not the function`);
  }
  out.push(...disturbanceLines(r));
  out.push(...enduranceLines(r));
  out.push(...profileLines(r), ...snapshotLines(r));
  for (const th of r.thresholds) {
    out.push(`threshold ${th.passed ? 'PASS' : 'FAIL'} ${th.metric} ${th.expression} (actual ${th.actual === null ? 'no data' : Number(th.actual.toPrecision(4))}, scope ${th.scope})`);
  }
  if (r.errors.length) {
    out.push(`errors (${r.errors.length} distinct):`);
    for (const e of r.errors.slice(0, 5)) out.push(`  ${e.count}× ${e.message}`);
  }
  for (const f of r.faults) out.push(`fault: ${f.kind} worker ${f.workerId}: ${f.message}`);
  if (r.meta.timing.note) out.push(`timing: ${r.meta.timing.note}`);
  out.push(`verdict: ${r.verdict.passed ? 'PASSED' : `FAILED: ${r.verdict.reasons.join('; ')}`}`);
  return out.join('\n');
}
