/**
 * github-action-benchmark's `customSmallerIsBetter` input: a JSON array of
 * { name, unit, value, range?, extra? }, smaller values better. A run gives
 * its latency figures per step and in total, and its time per successful
 * call (the inverse of throughput, so that smaller is better there too).
 * `range` is the spread that says how far to trust a value: the 95%
 * interval of a baseline comparison where there is one, else the spread of
 * the --repeat runs, else the calls' standard deviation (mean only).
 */
import type { Comparison, StrainResult } from '../result/schema.js';

export interface GabEntry {
  name: string;
  unit: string;
  value: number;
  range?: string | undefined;
  extra?: string;
}

const round = (x: number): number => Number(x.toPrecision(6));
const pm = (x: number): string => `± ${round(Math.abs(x))}`;

/** The comparison's interval of a metric as ± around the current value (half its width). */
function fromComparison(c: Comparison | undefined, metric: string, value: number): string | undefined {
  const m = c?.metrics.find((x) => x.metric === metric);
  if (!m || m.interval.length < 2) return undefined;
  const [lo, hi] = m.interval as [number, number];
  return pm(((hi - lo) / 2) * (m.baseMedian === 0 ? value : m.baseMedian));
}

function fromRuns(r: StrainResult, pick: (x: NonNullable<StrainResult['runs']>[number]) => number): string | undefined {
  const xs = (r.runs ?? []).map(pick).filter((x) => Number.isFinite(x));
  if (xs.length < 2) return undefined;
  return pm((Math.max(...xs) - Math.min(...xs)) / 2);
}

export function gabEntries(r: StrainResult): GabEntry[] {
  const out: GabEntry[] = [];
  const t = r.total;
  const extra = `${r.steps.length} step(s), ${t.count} calls, ${r.meta.host.cpus} × ${r.meta.host.model}, Node ${r.meta.host.node}`;
  const perCall = t.throughput > 0 ? 1000 / t.throughput : null;
  out.push(
    { name: `${r.name} p50`, unit: 'ms', value: round(t.latencyMs.p50), range: fromComparison(r.comparison, 'p50', t.latencyMs.p50) ?? fromRuns(r, (x) => x.p50), extra },
    { name: `${r.name} p99`, unit: 'ms', value: round(t.latencyMs.p99), range: fromComparison(r.comparison, 'p99', t.latencyMs.p99) ?? fromRuns(r, (x) => x.p99), extra },
    { name: `${r.name} mean`, unit: 'ms', value: round(t.latencyMs.mean), range: pm(t.latencyMs.stddev), extra },
  );
  if (perCall !== null) {
    // Throughput's interval carried over to its inverse: relative widths are the same to first order.
    const rel = r.comparison?.metrics.find((x) => x.metric === 'throughput');
    const range = rel && rel.interval.length >= 2 ? pm((((rel.interval[1] as number) - (rel.interval[0] as number)) / 2) * perCall) : fromRuns(r, (x) => (x.throughput > 0 ? 1000 / x.throughput : NaN));
    out.push({ name: `${r.name} time per call (1/throughput)`, unit: 'ms', value: round(perCall), range, extra });
  }
  if (r.steps.length > 1) {
    for (const s of r.steps) {
      const load = s.load.rate !== undefined ? `${round(s.load.rate)}/s` : `c=${s.load.concurrency}`;
      const at = `${r.name} step ${s.index + 1} (${load})`;
      out.push({ name: `${at} p50`, unit: 'ms', value: round(s.latencyMs.p50) }, { name: `${at} p99`, unit: 'ms', value: round(s.latencyMs.p99) });
    }
  }
  // A paired A/B run: each metric's change as a ratio (candidate ÷ base; time per call for throughput), smaller better.
  if (r.comparison?.paired) {
    for (const m of r.comparison.metrics) {
      const [lo, hi] = m.interval as [number, number];
      const inv = m.direction === 'higher-is-better';
      const value = inv ? 1 / (1 + m.relChange) : 1 + m.relChange;
      const [a, b] = inv ? [1 / (1 + hi), 1 / (1 + lo)] : [1 + lo, 1 + hi];
      out.push({ name: `${r.name} ${inv ? `time per call (1/${m.metric})` : m.metric} candidate ÷ base`, unit: 'ratio', value: round(value), range: pm((b - a) / 2), extra: `${m.verdict}: ${m.reason}` });
    }
  }
  for (const f of t.functions ?? []) {
    out.push({ name: `${r.name} {fn:${f.name}} p50`, unit: 'ms', value: round(f.latencyMs.p50) }, { name: `${r.name} {fn:${f.name}} p99`, unit: 'ms', value: round(f.latencyMs.p99) });
  }
  return out.map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as unknown as GabEntry);
}

export function gabJson(r: StrainResult): string {
  return `${JSON.stringify(gabEntries(r), null, 2)}\n`;
}
