/**
 * The endurance verdicts as plain lines for every report: a verdict the run
 * set out to reach is always said, including "not judged" with what was
 * missing, and a judged "none" with its slope and p-value. Silence never
 * reads as a pass.
 */
import type { StrainResult } from '../result/schema.js';
import { fmtBytes, fmtMs } from './format.js';

type Trend = NonNullable<StrainResult['endurance']>['latency'];

function describe(t: Trend, unit: (x: number) => string): string {
  if (t.verdict === 'insufficient-data') return `not judged (${t.reason.replace(/^not judged: /, '')})`;
  const part = t.part ? `, ${t.part}` : '';
  return `${t.verdict} (${unit(t.slopePerMin)}/min${part}, p=${t.pValue.toPrecision(2)}; ${t.reason})`;
}

export function enduranceLines(r: StrainResult): string[] {
  const e = r.endurance;
  if (!e) return [];
  const out: string[] = [];
  // Workers with the same unjudged reason share a line: 64 identical lines say nothing more.
  const unjudged = new Map<string, number[]>();
  for (const h of e.heap) {
    if (h.trend.verdict === 'insufficient-data') unjudged.set(h.trend.reason, [...(unjudged.get(h.trend.reason) ?? []), h.workerId]);
    else out.push(`leak, worker ${h.workerId} memory: ${describe(h.trend, fmtBytes)}`);
  }
  for (const [reason, ids] of unjudged) {
    out.push(`leak, ${ids.length === 1 ? `worker ${ids[0]}` : `workers ${ids.join(', ')}`} memory: not judged (${reason.replace(/^not judged: /, '')})`);
  }
  if (e.rss) out.push(`leak, process RSS: ${describe(e.rss, fmtBytes)}`);
  out.push(`drift, latency p99: ${describe(e.latency, fmtMs)}`);
  return out;
}
