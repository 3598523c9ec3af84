/**
 * A ramp checking its own stability. A level measured twice (a ramp that
 * goes up and back down) must agree with itself within the noise; per-worker
 * throughput must not rise once there are more workers than cores. When
 * either fails, the machine (or the code's JIT and GC state) changed during
 * the ramp, and a knee computed from it deserves low confidence.
 */
export interface RampPoint {
  load: number;
  throughput: number;
  /** Relative standard error of the step's throughput (from its per-interval spread); 0 when unknown. */
  relSe: number;
  /** Position of the step in the result. */
  index: number;
}

export interface RepeatedLevel {
  load: number;
  steps: number[];
  throughputs: number[];
  /** Largest relative difference between two measurements of the level. */
  relDiff: number;
  /** What the noise allows: three combined standard errors, and at least `minRel`. */
  allowed: number;
  agree: boolean;
}

export interface RampChecks {
  repeats: RepeatedLevel[];
  warnings: string[];
}

export function rampChecks(points: readonly RampPoint[], cores: number | undefined, minRel = 0.05): RampChecks {
  const byLoad = new Map<number, RampPoint[]>();
  for (const p of points) byLoad.set(p.load, [...(byLoad.get(p.load) ?? []), p]);
  const repeats: RepeatedLevel[] = [];
  const warnings: string[] = [];
  for (const [load, ps] of [...byLoad].sort((a, b) => a[0] - b[0])) {
    if (ps.length < 2) continue;
    const xs = ps.map((p) => p.throughput);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    const mid = (lo + hi) / 2;
    const relDiff = mid > 0 ? (hi - lo) / mid : 0;
    const se = Math.sqrt(ps.reduce((a, p) => a + p.relSe ** 2, 0));
    const allowed = Math.max(minRel, 3 * se);
    const agree = relDiff <= allowed;
    repeats.push({ load, steps: ps.map((p) => p.index), throughputs: xs, relDiff, allowed, agree });
    if (!agree) {
      warnings.push(`level ${load} measured ${xs.map((x) => x.toFixed(0)).join(' and ')}/s (${(relDiff * 100).toFixed(0)}% apart, the noise allows ${(allowed * 100).toFixed(0)}%)`);
    }
  }
  if (cores !== undefined && cores > 0) {
    const best = (load: number): number => Math.max(...(byLoad.get(load) ?? []).map((p) => p.throughput));
    const loads = [...byLoad.keys()].sort((a, b) => a - b);
    const atCores = loads.filter((l) => l <= cores).at(-1);
    if (atCores !== undefined) {
      const perWorker = best(atCores) / atCores;
      for (const l of loads.filter((x) => x > cores)) {
        const pw = best(l) / l;
        if (pw > perWorker * (1 + minRel)) {
          warnings.push(`throughput per worker rose from ${perWorker.toFixed(0)}/s at ${atCores} to ${pw.toFixed(0)}/s at ${l}, past the ${cores} cores`);
          break;
        }
      }
    }
  }
  return { repeats, warnings };
}
