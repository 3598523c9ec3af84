/**
 * strain's automatic per-call estimate beside mitata's, on the same three
 * functions (about 0.3, 40 and 100 µs a call), measured in the same run.
 * strain runs the function as an extractor in a worker (batched by itself
 * below 1 µs); mitata runs it in this thread. Each figure is a mean per call.
 */
import { measure } from 'mitata/src/lib.mjs';
import { runStress } from '../../src/run.js';
import { fixture } from '../helpers.js';

export interface SideBySide {
  name: string;
  strainNs: number;
  mitataNs: number;
  /** A plain timed loop inside a function, result consumed: a third, harness-free reference. */
  directNs: number;
  batched: boolean;
}

function directLoop(work: (n: number) => number, n: number, budgetMs = 1500): number {
  let acc = 0;
  let reps = 0;
  const t = performance.now();
  while (performance.now() - t < budgetMs) {
    for (let i = 0; i < 1000; i++) acc ^= work(n);
    reps += 1000;
  }
  const ns = ((performance.now() - t) / reps) * 1e6;
  return acc === 0.5 ? 0 : ns;
}

export async function sideBySide(): Promise<SideBySide[]> {
  const { work } = (await import(fixture('work.mjs'))) as { work: (n: number) => number };
  const out: SideBySide[] = [];
  for (const [name, n] of [['~0.3 µs', 50], ['~40 µs', 29_000], ['~100 µs', 72_000]] as const) {
    directLoop(work, n, 300);
    const directNs = directLoop(work, n);
    const m = await measure(() => work(n));
    const r = await runStress({
      extractor: fixture('work.mjs'), extractorOptions: { n }, stepWarmup: '1s',
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '3s' }],
    });
    out.push({ name, strainNs: r.total.latencyMs.mean * 1e6, mitataNs: m.avg, directNs, batched: r.meta.timing.method === 'batched' });
  }
  return out;
}
