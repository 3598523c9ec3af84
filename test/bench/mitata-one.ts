/**
 * One reference measure in a process of its own, so that neither the JIT
 * state nor the garbage of earlier measures leaks into it: `mitata <n>` or
 * `loop <n>` on the work fixture; prints the mean ns per call (and mitata's
 * median).
 */
import { measure } from 'mitata/src/lib.mjs';
import { fixture } from '../helpers.js';

function directLoop(work: (n: number) => number, n: number, budgetMs: number): number {
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

const [mode, nArg] = process.argv.slice(2);
const n = Number(nArg);
const { work } = (await import(fixture('work.mjs'))) as { work: (n: number) => number };
if (mode === 'mitata') {
  const m = await measure(() => work(n));
  process.stdout.write(`${m.avg} ${m.p50}\n`);
} else {
  directLoop(work, n, 300);
  process.stdout.write(`${directLoop(work, n, 1500)}\n`);
}
