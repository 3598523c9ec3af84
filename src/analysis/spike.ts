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
  /** From the end of the spike until p99 stays within `tolerance` of the baseline; null if it never does. */
  recoveryMs: number | null;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * Peak p99 during a spike and the time to recover: the first point after the
 * spike from which every later point is within `tolerance` (10%) of the
 * pre-spike p99 (median of the points before the spike).
 */
export function analyseSpike(points: readonly LatencyPoint[], spikeStartMs: number, spikeEndMs: number, tolerance = 0.1): SpikeAnalysis | undefined {
  const before = points.filter((p) => p.tMs <= spikeStartMs);
  const during = points.filter((p) => p.tMs > spikeStartMs && p.tMs <= spikeEndMs);
  const after = points.filter((p) => p.tMs > spikeEndMs);
  if (before.length === 0 || during.length === 0) return undefined;
  const baseline = median(before.map((p) => p.p99Ms));
  let peak = during[0] as LatencyPoint;
  for (const p of [...during, ...after]) if (p.p99Ms > peak.p99Ms) peak = p;
  const limit = baseline * (1 + tolerance);
  let recoveredAt: number | null = null;
  for (let i = after.length - 1; i >= 0; i--) {
    if ((after[i] as LatencyPoint).p99Ms > limit) break;
    recoveredAt = (after[i] as LatencyPoint).tMs;
  }
  return {
    baselineP99Ms: baseline,
    peakP99Ms: peak.p99Ms,
    peakAtMs: peak.tMs - spikeStartMs,
    recoveryMs: recoveredAt === null ? null : Math.max(0, recoveredAt - spikeEndMs),
  };
}
