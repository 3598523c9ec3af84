import type { Argv } from 'yargs';
import { DEFAULT_NOISE, type NoiseThresholds } from '../../baseline/noise.js';
import { StrainError } from '../../errors.js';

export interface NoiseArgs {
  'noise-throughput': number;
  'noise-p50': number;
  'noise-p99': number;
}

/** The noise thresholds shared by `run --baseline` and `compare`. */
export function noiseOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('noise-throughput', { type: 'number', default: DEFAULT_NOISE.throughput, describe: 'Relative throughput change treated as noise' })
    .option('noise-p50', { type: 'number', default: DEFAULT_NOISE.p50, describe: 'Relative p50 change treated as noise' })
    .option('noise-p99', { type: 'number', default: DEFAULT_NOISE.p99, describe: 'Relative p99 change treated as noise' }) as Argv<T>;
}

export function noiseOf(a: NoiseArgs): NoiseThresholds {
  const out = { throughput: a['noise-throughput'], p50: a['noise-p50'], p99: a['noise-p99'] };
  for (const [k, v] of Object.entries(out)) {
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1)) {
      throw new StrainError('STRAIN_USAGE', `--noise-${k} must be a fraction in [0, 1), found ${String(v)}`);
    }
  }
  return out;
}
