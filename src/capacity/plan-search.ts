/**
 * A capacity-search phase's settings, checked and with their defaults, and
 * the slot each of its plan steps carries.
 */
import { StrainError } from '../errors.js';
import { parseDuration } from '../profile/duration.js';
import type { Phase } from '../profile/schema.js';
import type { ProbeKind, SearchSettings } from './search.js';

export interface SearchSlot {
  settings: SearchSettings;
  /** What the search ran this slot as (set when it starts). */
  kind?: ProbeKind;
  /** The search's answer stands on this probe: run- and phase-scope thresholds are judged on it. */
  accepted?: boolean;
}

type SearchPhase = Extract<Phase, { executor: 'capacity-search' }>;

export const DEFAULT_MAX_PROBES = 24;

function invalid(where: string, message: string): StrainError {
  return new StrainError('STRAIN_PROFILE_INVALID', message, { where });
}

export function searchSettingsOf(phase: SearchPhase, at: string): SearchSettings {
  const mode = phase.mode ?? 'rate';
  if (phase.max !== undefined && phase.max < phase.from) throw invalid(`${at}.max`, `expected max (${phase.max}) to be at least from (${phase.from})`);
  if (mode === 'concurrency') {
    if (phase.max === undefined) throw invalid(`${at}.max`, 'is required in concurrency mode: the worker pool is sized for the largest load the search may try');
    for (const key of ['from', 'max'] as const) {
      if (!Number.isInteger(phase[key])) throw invalid(`${at}.${key}`, `a concurrency is a whole number of calls in flight, found ${phase[key]}`);
    }
    for (const key of ['arrival', 'lateAfter', 'dropAfter', 'maxConcurrency'] as const) {
      if (phase[key] !== undefined) throw invalid(`${at}.${key}`, 'applies to mode "rate" only');
    }
  }
  const probeMs = parseDuration(phase.probeDuration, `${at}.probeDuration`);
  const confirmMs = phase.confirmDuration === undefined ? 3 * probeMs : parseDuration(phase.confirmDuration, `${at}.confirmDuration`);
  return {
    mode,
    from: phase.from,
    max: phase.max,
    growth: phase.growth ?? 2,
    precision: phase.precision ?? 0.02,
    margin: phase.margin ?? 0.1,
    probeMs,
    confirmMs,
    maxProbes: phase.maxProbes ?? DEFAULT_MAX_PROBES,
    maxDurationMs: phase.maxDuration === undefined ? undefined : parseDuration(phase.maxDuration, `${at}.maxDuration`),
  };
}
