import type { Comparison } from '../result/schema.js';
import { table } from './format.js';

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const num = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(4));

/** What a comparison with runs measured on a busy machine did about them; null when none was. */
export function disturbedNote(c: Comparison): string | null {
  const d = c.disturbedRuns;
  if (!d) return null;
  const what = d.excluded
    ? 'left out, the quiet runs compared'
    : 'too few quiet runs to leave them out: a verdict stands only where the change is larger than the machine could cause, the rest are inconclusive';
  return `disturbed: ${d.base} baseline and ${d.current} current run(s) measured on a busy machine; ${what}`;
}

/** The first three columns' names: a paired run compares a base and a candidate, a baseline comparison a baseline and the current runs. */
export function sideNames(c: Comparison): [string, string, string] {
  return c.paired ? ['metric', 'base', 'candidate'] : ['metric', 'baseline', 'current'];
}

/** A readable table of a baseline comparison, one row per metric. */
export function comparisonTable(c: Comparison): string {
  const rows = c.metrics.map((m) => [
    m.metric,
    num(m.baseMedian),
    num(m.currentMedian),
    pct(m.relChange),
    `${pct(m.interval[0] ?? 0)}..${pct(m.interval[1] ?? 0)}`,
    m.pValue.toPrecision(2),
    `±${(m.noise * 100).toFixed(0)}%`,
    m.verdict.toUpperCase(),
  ]);
  const head = c.paired
    ? `paired A/B: the candidate against the base, side by side over ${c.baseRuns} cycle(s) (each side's mean and quantiles in ms, throughput in calls/s)`
    : `comparison: ${c.currentRuns} current run(s) against ${c.baseRuns} baseline run(s) (medians; latency in ms, throughput in calls/s)`;
  const foot = c.regressed ? 'verdict: REGRESSED' : 'verdict: no regression';
  const note = disturbedNote(c);
  const speed = c.hostSpeedChange === undefined ? [] : [`host speed: the current side's machine read ${pct(c.hostSpeedChange)} on the host-speed reference against the baseline's`];
  return [head, ...speed, ...(note ? [note] : []), table([...sideNames(c), 'change', '95% CI', 'p', 'noise', 'verdict'], rows), foot].join('\n');
}
