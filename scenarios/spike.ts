// Spike: 1 worker's worth of load, a sudden jump to 4x, and back; strain
// reports the peak p99 and the time until p99 is back within 10%.
import { defineProfile, spike } from '../src/profile/presets.js';

export default defineProfile(
  spike({
    name: 'spike',
    extractor: './extractors/features.ts',
    data: './data/market-open.csv',
    snapshotInterval: '500ms',
    mode: 'rate',
    baseline: 2000,
    factor: 4,
    maxConcurrency: 2,
    baselineDuration: '5s',
    spikeDuration: '3s',
    recoveryDuration: '8s',
  }),
);
