/** Relative changes a baseline comparison treats as noise, per metric (a module of its own: the CLI's option defaults need it without the analysis). */
export interface NoiseThresholds {
  throughput: number;
  p50: number;
  p99: number;
}

export const DEFAULT_NOISE: NoiseThresholds = { throughput: 0.02, p50: 0.03, p99: 0.05 };
