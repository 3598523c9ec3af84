/** The capacity section of the result, and the one line reports print for it. */
import type { CapacityResult, StepResult } from '../result/schema.js';
import { unit, type SearchAnswer, type SearchMode, type SearchSettings } from './search.js';

export interface SearchOutcome {
  phase: string;
  settings: SearchSettings;
  /** Names of what each probe was judged on. */
  objective: string[];
  answer: SearchAnswer;
}

export function capacityResult(o: SearchOutcome, steps: readonly StepResult[], indexOfSeq: ReadonlyMap<number, number>): CapacityResult {
  const a = o.answer;
  // Still running when the run ended (interrupted, killed, out of faults): it claims nothing, keeps its interval so far.
  const interrupted = a.status === 'running';
  const probes = a.probes.flatMap((p) => {
    const step = indexOfSeq.get(p.seq);
    return step === undefined ? [] : [{ step, load: p.load, kind: p.kind, passed: p.passed, near: p.near, durationMs: p.durationMs, checks: p.checks }];
  });
  const used = probes.map((p) => steps[p.step]).filter((s): s is StepResult => s !== undefined);
  return {
    phase: o.phase,
    mode: o.settings.mode,
    status: interrupted ? 'interrupted' : a.status,
    capacity: a.capacity,
    confirmed: a.confirmed,
    interval: { passed: a.passed, failed: a.failed, relativeWidth: a.passed !== null && a.failed !== null && a.passed > 0 ? (a.failed - a.passed) / a.passed : null },
    precision: o.settings.precision,
    objective: o.objective,
    probes,
    probeCount: probes.length,
    durationMs: used.length ? Math.max(...used.map((s) => s.endMs)) - Math.min(...used.map((s) => s.startMs)) : 0,
    reason: interrupted ? 'the run ended before the search did; the interval is what it had found so far' : a.reason,
  };
}

function fmt(load: number | null, mode: SearchMode): string {
  if (load === null) return 'none';
  return `${Number(load.toPrecision(4)).toLocaleString('en-US')}${unit(mode)}`;
}

/** "capacity 1,906/s (passed 1,906/s, failed 1,937/s: ±1.6%) for latency p(99)<20 & achieved>=0.97; 12 probes in 18.4 s" */
export function capacityLine(c: CapacityResult): string {
  const mode = c.mode as SearchMode;
  const head = c.status === 'found' ? `capacity ${fmt(c.capacity, mode)}`
    : c.status === 'lower-limit' ? `capacity at least ${fmt(c.capacity, mode)} (the upper bound)`
      : c.status === 'not-met' ? 'capacity: objective not met at the lowest load'
        : c.status === 'unconverged' ? `capacity ${fmt(c.capacity, mode)}, not converged${c.confirmed ? '' : ', unconfirmed'}`
          : `capacity search interrupted${c.capacity === null ? '' : ` at ${fmt(c.capacity, mode)}`}`;
  const width = c.interval.relativeWidth === null ? '' : `: ${(100 * c.interval.relativeWidth).toFixed(1)}% wide`;
  const interval = `passed ${fmt(c.interval.passed, mode)}, failed ${fmt(c.interval.failed, mode)}${width}`;
  return `${head} (${interval}) for ${c.objective.join(' & ') || 'no objective'}; ${c.probeCount} probes in ${(c.durationMs / 1000).toFixed(1)} s`;
}
