// Breakpoint: raise the arrival rate until the workers cannot keep up
// (achieved under 95% of offered) or p99 passes 20 ms, then stop cleanly.
import { breakpoint, defineProfile } from '../src/profile/presets.js';

export default defineProfile(
  breakpoint({
    name: 'breakpoint',
    extractor: './extractors/features.ts',
    data: './data/high-volatility.csv',
    stepWarmup: '500ms',
    mode: 'rate',
    from: 20_000,
    step: 20_000,
    max: 400_000,
    stepDuration: '3s',
    maxConcurrency: 2,
    stopWhen: { achievedBelow: 0.95, p99Ms: 20 },
  }),
);
