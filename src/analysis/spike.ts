/** One point of latency over time. */
export interface LatencyPoint {
  tMs: number;
  p99Ms: number;
}

export interface SpikeAnalysis {
  baselineP99Ms: number;
  peakP99Ms: number;
  /** When the peak was seen, from the spike's start. */
  peakAtMs: number;
  /** From the end of the spike until p99 stays within the baseline's spread; null if it never does. */
  recoveryMs: number | null;
  /** The series' bucket width: recovery is known to this resolution. */
  resolutionMs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Share of the points after recovery that may still exceed the limit (noise). */
const MAX_SHARE_ABOVE = 0.2;

/** Linear-interpolated quantile of unsorted values. */
function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

/**
 * Peak p99 during a spike and the time to recover, judged against the
 * baseline's own spread: the limit is the pre-spike points' 90th percentile
 * plus `tolerance`, and recovery is the first point after the spike that is
 * under it and from which at most a fifth of the later points exceed it. Counted
 * from the spike's end, to the start of that point's bucket, so a spike with
 * no after-effect recovers in about zero; `resolutionMs` is the bucket width.
 */
export function analyseSpike(points: readonly LatencyPoint[], spikeStartMs: number, spikeEndMs: number, tolerance = 0.1): SpikeAnalysis | undefined {
  const before = points.filter((p) => p.tMs <= spikeStartMs);
  const during = points.filter((p) => p.tMs > spikeStartMs && p.tMs <= spikeEndMs);
  const after = points.filter((p) => p.tMs > spikeEndMs);
  if (before.length === 0 || during.length === 0) return undefined;
  const baseline = median(before.map((p) => p.p99Ms));
  let peak = during[0] as LatencyPoint;
  for (const p of [...during, ...after]) if (p.p99Ms > peak.p99Ms) peak = p;
  const limit = quantile(before.map((p) => p.p99Ms), 0.9) * (1 + tolerance);
  const gaps = points.slice(1).map((p, i) => p.tMs - (points[i] as LatencyPoint).tMs).filter((g) => g > 0);
  const width = gaps.length ? median(gaps) : 0;
  // The first point back under the limit from which at most a fifth of the
  // rest exceed it: the baseline's own noisy buckets (a tenth exceed its 90th
  // percentile) neither delay recovery nor fake it, and a dip inside a
  // decaying after-effect is not taken for the end of it.
  let recoveredAt: number | null = null;
  let above = 0;
  const firstOk: number[] = [];
  for (let i = after.length - 1; i >= 0; i--) {
    if ((after[i] as LatencyPoint).p99Ms > limit) above++;
    const share = above / (after.length - i);
    if ((after[i] as LatencyPoint).p99Ms <= limit && share <= MAX_SHARE_ABOVE) firstOk.push(i);
  }
  const i = firstOk.length ? Math.min(...firstOk) : undefined;
  if (i !== undefined) recoveredAt = (after[i] as LatencyPoint).tMs;
  return {
    baselineP99Ms: baseline,
    peakP99Ms: peak.p99Ms,
    peakAtMs: peak.tMs - spikeStartMs,
    recoveryMs: recoveredAt === null ? null : Math.max(0, recoveredAt - width - spikeEndMs),
    resolutionMs: width,
  };
}
