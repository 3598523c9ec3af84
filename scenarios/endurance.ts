// Endurance: a constant 2000 extractions a second for two hours, with leak
// and drift verdicts. Meant for cron (see the README's crontab line).
import { defineProfile, endurance } from '../src/profile/presets.js';

export default defineProfile(
  endurance({
    name: 'endurance',
    extractor: './extractors/features.ts',
    data: './data/overnight.csv',
    snapshotInterval: '5s',
    mode: 'rate',
    load: 2000,
    duration: '2h',
    maxConcurrency: 2,
    thresholds: { latency: ['p(99)<20'], errors: ['rate<0.001'] },
    analysis: { failOn: ['leak', 'drift'] },
  }),
);
