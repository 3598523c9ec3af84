import type { Phase } from '../profile/schema.js';

/** "1→4", or the stage targets "1→3→1" for a staged ramp (past six, the ends and the count). */
function levels(p: { from?: number; to?: number; stages?: readonly { target: number }[] }, unit: string): string {
  const st = p.stages;
  if (st?.length) {
    if (st.length > 6) return `${(st[0] as { target: number }).target}→…→${(st[st.length - 1] as { target: number }).target}${unit} (${st.length} stages)`;
    return `${st.map((s) => s.target).join('→')}${unit}`;
  }
  return `${p.from ?? '?'}→${p.to ?? '?'}${unit}`;
}

/** What an unnamed phase is, in a few words: `ramping-concurrency 1→4`, `constant-arrival-rate 500/s`. */
function describePhase(p: Phase): string {
  switch (p.executor) {
    case 'constant-concurrency':
      return `constant-concurrency ${p.concurrency}`;
    case 'ramping-concurrency':
      return `ramping-concurrency ${levels(p, '')}`;
    case 'constant-arrival-rate':
      return `constant-arrival-rate ${p.rate}/s`;
    case 'ramping-arrival-rate':
      return `ramping-arrival-rate ${levels(p, '/s')}`;
    case 'iterations':
      return `iterations ${p.iterations}`;
    case 'capacity-search':
      return `capacity-search from ${p.from}${p.mode === 'concurrency' ? '' : '/s'}`;
    default:
      return (p as { executor: string }).executor;
  }
}

/**
 * Each phase's name as reports and threshold scopes use it: its own `name`,
 * or what it is; a description two unnamed phases share gets its position
 * (`iterations 100 (phase 3)`), so names stay unique.
 */
export function phaseNames(phases: readonly Phase[]): string[] {
  const drafts = phases.map((p) => p.name ?? describePhase(p));
  return drafts.map((d, i) => {
    const p = phases[i] as Phase;
    if (p.name !== undefined) return d;
    const clash = drafts.some((o, k) => k !== i && o === d);
    return clash ? `${d} (phase ${i + 1})` : d;
  });
}
