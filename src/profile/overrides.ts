import path from 'node:path';
import { StrainError } from '../errors.js';
import { parseDuration } from './duration.js';
import type { Phase, Profile } from './schema.js';

/** Command-line overrides applied on top of a profile before it is validated. */
export interface ProfileOverrides {
  /** Replaces `duration` of constant phases, `stepDuration` of stepped ramps and `probeDuration` of capacity searches. */
  duration?: string | undefined;
  /** Replaces `concurrency` of closed-loop and iterations phases and `maxConcurrency` of arrival-rate phases and rate searches. */
  concurrency?: number | undefined;
  /** Replaces `rate` of constant-arrival-rate phases. */
  rate?: number | undefined;
  /** Replaces the data file (relative to the working directory). */
  data?: string | undefined;
}

export function applyOverrides(profile: Profile, o: ProfileOverrides, cwd: string): Profile {
  if (o.duration !== undefined) parseDuration(o.duration, '--duration');
  if (o.concurrency !== undefined && !(Number.isInteger(o.concurrency) && o.concurrency >= 1)) {
    throw new StrainError('STRAIN_USAGE', `--concurrency must be a positive integer, found ${String(o.concurrency)}`);
  }
  if (o.rate !== undefined && !(Number.isFinite(o.rate) && o.rate > 0)) {
    throw new StrainError('STRAIN_USAGE', `--rate must be a positive number of calls per second, found ${String(o.rate)}`);
  }
  if (o.rate !== undefined && !profile.phases.some((p) => p.executor === 'constant-arrival-rate')) {
    throw new StrainError('STRAIN_USAGE', '--rate applies to constant-arrival-rate phases, and this profile has none');
  }
  const phases = profile.phases.map((p): Phase => {
    const q = { ...p } as Record<string, unknown>;
    if (o.duration !== undefined) {
      if ('duration' in q) q['duration'] = o.duration;
      if ('stepDuration' in q) q['stepDuration'] = o.duration;
      if ('probeDuration' in q) q['probeDuration'] = o.duration;
    }
    if (o.concurrency !== undefined) {
      const rateSearch = p.executor === 'capacity-search' && (p.mode ?? 'rate') === 'rate';
      if (p.executor === 'constant-arrival-rate' || p.executor === 'ramping-arrival-rate' || rateSearch) q['maxConcurrency'] = o.concurrency;
      else if (p.executor === 'constant-concurrency' || p.executor === 'iterations') q['concurrency'] = o.concurrency;
    }
    if (o.rate !== undefined && p.executor === 'constant-arrival-rate') q['rate'] = o.rate;
    return q as Phase;
  });
  return { ...profile, phases, ...(o.data !== undefined ? { data: path.resolve(cwd, o.data) } : {}) };
}
