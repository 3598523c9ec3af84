/**
 * The shards' time series and resource samples on one clock (the earliest
 * shard's start). Per-interval calls and throughput add; an interval's p50
 * and p99 are the slowest shard's (a series keeps percentiles, not
 * histograms, so the exact figures are the steps', not these). Resource
 * samples become the fleet's: CPU, memory and other processes' CPU add up
 * over the machines, as the merged host's cores do; percentages of a whole
 * machine are averaged.
 */
import type { SeriesPoint } from '../engine/merge.js';
import type { ResourceSample } from '../engine/sampler.js';

export function mergeSeries(parts: readonly { series: readonly SeriesPoint[]; shiftMs: number }[], intervalMs: number): SeriesPoint[] {
  const byIndex = new Map<number, SeriesPoint>();
  for (const { series, shiftMs } of parts) {
    for (const p of series) {
      const index = Math.round((p.tMs + shiftMs) / intervalMs);
      const q = byIndex.get(index);
      if (!q) byIndex.set(index, { ...p, tMs: index * intervalMs });
      else {
        q.count += p.count;
        q.errors += p.errors;
        q.throughput += p.throughput;
        q.step = Math.max(q.step, p.step);
        q.p50Ms = Math.max(q.p50Ms, p.p50Ms);
        q.p99Ms = Math.max(q.p99Ms, p.p99Ms);
        q.maxMs = Math.max(q.maxMs, p.maxMs);
      }
    }
  }
  return [...byIndex.values()].sort((a, b) => a.tMs - b.tMs);
}

/** The sample of `list` nearest to `t`, if one is within `within` ms. */
function nearest(list: readonly ResourceSample[], t: number, within: number): ResourceSample | undefined {
  let best: ResourceSample | undefined;
  for (const s of list) if (Math.abs(s.tMs - t) <= within && (!best || Math.abs(s.tMs - t) < Math.abs(best.tMs - t))) best = s;
  return best;
}

const sumOf = (xs: readonly (number | null | undefined)[]): number | null => {
  const vs = xs.filter((x): x is number => typeof x === 'number');
  return vs.length ? vs.reduce((a, b) => a + b, 0) : null;
};
const meanOf = (xs: readonly (number | null | undefined)[]): number | null => {
  const vs = xs.filter((x): x is number => typeof x === 'number');
  return vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : null;
};

export function fleetSamples(parts: readonly { samples: readonly ResourceSample[]; shiftMs: number }[]): ResourceSample[] {
  const shifted = parts.map((p) => p.samples.map((s) => ({ ...s, tMs: s.tMs + p.shiftMs })));
  const [ref, ...others] = shifted;
  if (!ref) return [];
  if (!others.length) return ref;
  const period = ref.length > 1 ? ((ref.at(-1) as ResourceSample).tMs - (ref[0] as ResourceSample).tMs) / (ref.length - 1) : 1000;
  return ref.map((s) => {
    const all = [s, ...others.map((o) => nearest(o, s.tMs, period)).filter((x): x is ResourceSample => x !== undefined)];
    const out: ResourceSample = {
      tMs: s.tMs, step: s.step,
      cpuPercent: sumOf(all.map((x) => x.cpuPercent)) ?? 0,
      rssBytes: sumOf(all.map((x) => x.rssBytes)) ?? 0,
      systemCpuPercent: meanOf(all.map((x) => x.systemCpuPercent)) ?? 0,
      systemMemUsedBytes: sumOf(all.map((x) => x.systemMemUsedBytes)) ?? 0,
      diskReadBytesPerSec: sumOf(all.map((x) => x.diskReadBytesPerSec)),
      diskWriteBytesPerSec: sumOf(all.map((x) => x.diskWriteBytesPerSec)),
    };
    // Linux-only figures: kept only when every machine has them.
    if (all.every((x) => x.otherCpuPercent !== undefined)) {
      out.otherCpuPercent = sumOf(all.map((x) => x.otherCpuPercent)) ?? 0;
      out.stealPercent = meanOf(all.map((x) => x.stealPercent)) ?? 0;
      out.runnable = sumOf(all.map((x) => x.runnable));
      out.quotaCores = sumOf(all.map((x) => x.quotaCores));
      out.throttledPercent = meanOf(all.map((x) => x.throttledPercent));
      out.cpuMHz = meanOf(all.map((x) => x.cpuMHz));
    }
    return out;
  });
}
