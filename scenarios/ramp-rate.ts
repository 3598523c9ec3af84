// A stepped arrival-rate ramp: the knee is the highest rate still achieved
// with latency near its floor.
import { defineProfile, ramp } from '../src/profile/presets.js';

export default defineProfile(
  ramp({
    name: 'ramp-rate',
    extractor: './extractors/features.ts',
    data: './data/normal-trading.csv',
    stepWarmup: '500ms',
    mode: 'rate',
    from: 25_000,
    to: 200_000,
    step: 25_000,
    stepDuration: '2s',
    maxConcurrency: 2,
  }),
);
