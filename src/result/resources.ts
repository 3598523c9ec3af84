import type { ResourceSample } from '../engine/sampler.js';

export interface WindowResources {
  /** Time-weighted mean of process CPU over the window (100 = one core); null when no sample covers it. */
  meanCpu: number | null;
  peakCpu: number | null;
  meanRss: number | null;
  peakRss: number | null;
  /** Samples that cover part of the window. */
  samples: number;
}

/**
 * Resource figures over [fromMs, toMs]. Each sample describes the time since
 * the one before it (pidusage's CPU is an average over that span), so it is
 * credited to a window in proportion to how much of its span lies inside;
 * a window no sample covers has no figures, never zeros.
 */
export function resourcesOver(samples: readonly ResourceSample[], fromMs: number, toMs: number, periodMs: number): WindowResources {
  let w = 0;
  let cpu = 0;
  let rss = 0;
  let peakCpu = -Infinity;
  let peakRss = -Infinity;
  let n = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as ResourceSample;
    const start = i === 0 ? s.tMs - periodMs : (samples[i - 1] as ResourceSample).tMs;
    const overlap = Math.min(toMs, s.tMs) - Math.max(fromMs, start);
    if (overlap <= 0) continue;
    n++;
    w += overlap;
    cpu += overlap * s.cpuPercent;
    rss += overlap * s.rssBytes;
    peakCpu = Math.max(peakCpu, s.cpuPercent);
    peakRss = Math.max(peakRss, s.rssBytes);
  }
  if (n === 0 || w <= 0) return { meanCpu: null, peakCpu: null, meanRss: null, peakRss: null, samples: 0 };
  return { meanCpu: cpu / w, peakCpu, meanRss: rss / w, peakRss, samples: n };
}

/** Sampling period for a plan: fast enough that the shortest timed step gets about four samples, 0.1 s to 1 s. */
export function samplePeriodFor(stepDurationsMs: readonly number[]): number {
  const shortest = Math.min(...stepDurationsMs.filter((d) => d > 0), Infinity);
  return Math.max(100, Math.min(1000, Number.isFinite(shortest) ? Math.floor(shortest / 4) : 1000));
}
