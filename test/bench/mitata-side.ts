/**
 * strain's automatic per-call estimate beside mitata's, on the same three
 * functions (about 0.3, 40 and 100 µs a call), measured in the same run.
 * strain runs the function as an extractor in a worker (batched by itself
 * below 1 µs); mitata and a plain loop each run it in a fresh process. Each
 * figure is a mean per call.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runStress } from '../../src/run.js';
import { fixture } from '../helpers.js';

export interface SideBySide {
  name: string;
  strainNs: number;
  mitataNs: number;
  strainP50Ns: number;
  mitataP50Ns: number;
  /** A plain timed loop inside a function, result consumed: a third, harness-free reference. */
  directNs: number;
  batched: boolean;
}

const ONE = fileURLToPath(new URL('./mitata-one.js', import.meta.url));

/** ns per call from a fresh process running one reference measure: [mean, median]. */
function fresh(mode: 'mitata' | 'loop', n: number): number[] {
  return execFileSync(process.execPath, [ONE, mode, String(n)], { encoding: 'utf8' }).trim().split(' ').map(Number);
}

export async function sideBySide(): Promise<SideBySide[]> {
  const out: SideBySide[] = [];
  for (const [name, n] of [['~0.3 µs', 260], ['~40 µs', 34_000], ['~100 µs', 86_000]] as const) {
    const [directNs = NaN] = fresh('loop', n);
    const [mitataNs = NaN, mitataP50Ns = NaN] = fresh('mitata', n);
    const r = await runStress({
      extractor: fixture('work.mjs'), extractorOptions: { n }, stepWarmup: '1s',
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '3s' }],
    });
    out.push({ name, strainNs: r.total.latencyMs.mean * 1e6, mitataNs, strainP50Ns: r.total.latencyMs.p50 * 1e6, mitataP50Ns, directNs, batched: r.meta.timing.method === 'batched' });
  }
  return out;
}
