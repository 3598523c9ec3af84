/**
 * The machine's part in a comparison: runs measured while something else
 * used it (disturbed steps), and a change of its own speed between the sides
 * (the host-speed reference). Neither may pass for a change of the code.
 */
import { DEFAULT_COMPARE_OPTIONS } from '../analysis/compare.js';
import type { Comparison, RunSummary } from '../result/schema.js';

/** How much more than the disturbance's own share a change must be to stand. */
const EXPLAIN_MARGIN = 1.5;

/**
 * Runs measured on a disturbed machine
 * (another process's CPU, steal, throttling) are left out when enough quiet
 * ones remain on their side. When not, a verdict stands only where the change
 * is larger than the disturbance could cause: a neighbour holding a share f
 * of the machine costs at most f of the throughput and f/(1-f) of the median
 * latency (taken with half as much again for measurement error), and any
 * amount of the tail. Everything else is inconclusive.
 */
export function judgeDisturbed(base: readonly RunSummary[], cur: readonly RunSummary[], compare: (b: readonly RunSummary[], c: readonly RunSummary[]) => Comparison): Comparison {
  const quiet = (runs: readonly RunSummary[]): RunSummary[] => runs.filter((r) => !r.disturbed);
  const qb = quiet(base);
  const qc = quiet(cur);
  const nb = base.length - qb.length;
  const nc = cur.length - qc.length;
  if (nb === 0 && nc === 0) return compare(base, cur);
  const excluded = qb.length >= DEFAULT_COMPARE_OPTIONS.minRuns && qc.length >= DEFAULT_COMPARE_OPTIONS.minRuns;
  const c = compare(excluded ? qb : base, excluded ? qc : cur);
  c.disturbedRuns = { base: nb, current: nc, excluded };
  const sides = [nb ? `${nb} of ${base.length} baseline run(s)` : '', nc ? `${nc} of ${cur.length} current run(s)` : ''].filter(Boolean).join(' and ');
  if (excluded) {
    for (const m of c.metrics) m.reason = `${m.reason}; ${sides} measured on a disturbed machine, left out`;
    return c;
  }
  const worst = [...base, ...cur].reduce<NonNullable<RunSummary['disturbed']> | undefined>((w, r) => (r.disturbed && (!w || r.disturbed.share > w.share) ? r.disturbed : w), undefined)!;
  const f = Math.min(worst.share, 0.99);
  const said = `${sides} measured on a disturbed machine (${worst.reasons[0] ?? 'busy'}: up to ${(100 * f).toFixed(0)}% of it taken)`;
  for (const m of c.metrics) {
    const explainable = m.metric.startsWith('p99') ? Infinity : EXPLAIN_MARGIN * (m.direction === 'higher-is-better' ? f : f / (1 - f));
    if ((m.verdict === 'regressed' || m.verdict === 'improved') && Math.abs(m.relChange) > explainable) {
      m.reason = `${m.reason}; ${said}, but a ${(100 * Math.abs(m.relChange)).toFixed(0)}% change is more than that can cause`;
    } else {
      m.reason = `${said}, and too few quiet runs remain: a change of the machine cannot be told from a change of the code (as measured: ${m.verdict}, ${m.reason})`;
      m.verdict = 'inconclusive';
    }
  }
  c.regressed = c.metrics.some((m) => m.verdict === 'regressed');
  return c;
}

/** A host-speed change below this is the reference's own noise. */
const HOST_SPEED_NOISE = 0.05;

const med = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * The machine's own speed between the sides (the host-speed reference of
 * each run): a change of a metric in the direction a slower (or faster)
 * machine pushes it, and no larger than that push, is the machine's, and its
 * verdict is inconclusive with the reason. A change against the machine, or
 * beyond it, stands.
 */
export function judgeHostSpeed(c: Comparison, base: readonly RunSummary[], cur: readonly RunSummary[]): Comparison {
  if (base.length === 0 || cur.length === 0 || ![...base, ...cur].every((r) => typeof r.hostSpeed === 'number' && r.hostSpeed > 0)) return c;
  const h = med(cur.map((r) => r.hostSpeed as number)) / med(base.map((r) => r.hostSpeed as number)) - 1;
  c.hostSpeedChange = h;
  if (Math.abs(h) < HOST_SPEED_NOISE) return c;
  const machine = `the machine was ${(100 * Math.abs(h)).toFixed(0)}% ${h < 0 ? 'slower' : 'faster'} (host-speed reference)`;
  for (const m of c.metrics) {
    if (m.verdict !== 'regressed' && m.verdict !== 'improved') continue;
    // What the machine alone does to the metric: rates scale with its speed, times with its inverse.
    const push = m.direction === 'higher-is-better' ? h : 1 / (1 + h) - 1;
    if (Math.sign(m.relChange) === Math.sign(push) && Math.abs(m.relChange) <= Math.abs(push)) {
      m.reason = `${machine}, as much as the ${(100 * Math.abs(m.relChange)).toFixed(1)}% change: the machine's, not the code's (as measured: ${m.verdict}, ${m.reason})`;
      m.verdict = 'inconclusive';
    }
  }
  c.regressed = c.metrics.some((m) => m.verdict === 'regressed');
  return c;
}
