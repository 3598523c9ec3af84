import type { Progress } from '../run.js';
import { formatDuration } from '../profile/duration.js';
import { fmtBytes, fmtMs, fmtRate } from './format.js';

/** One line of live progress; the CLI decides whether it overwrites in place. */
export function progressLine(p: Progress): string {
  const s = p.search;
  const parts = [
    s ? `${p.phase} ${s.kind} ${p.step} of at most ${p.steps} at ${s.mode === 'rate' ? fmtRate(s.load) : `${s.load} in flight`}` : `${p.phase} step ${p.step}/${p.steps}`,
    `conc ${p.concurrency}`,
    `${formatDuration(p.elapsedMs)} elapsed, ${s ? 'at most ' : ''}${formatDuration(p.remainingMs)} left`,
    fmtRate(p.throughput),
    `p50 ${fmtMs(p.p50Ms)} p99 ${fmtMs(p.p99Ms)}`,
    `errors ${p.errors}`,
  ];
  if (p.cpuPercent !== null) parts.push(`cpu ${p.cpuPercent.toFixed(0)}%`);
  if (p.rssBytes !== null) parts.push(`rss ${fmtBytes(p.rssBytes)}`);
  return parts.join(' | ');
}
