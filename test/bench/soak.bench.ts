/**
 * npm run bench:soak [-- minutes]: soak the engine with a no-op extractor
 * (default 10 minutes) and print the coordinator's heap slope. The heap is
 * read after a forced GC every 10 s; the slope is Theil–Sen with a
 * Mann–Kendall p-value, the same test strain applies to extractors.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import os from 'node:os';
import { mannKendall, theilSen } from '../../src/analysis/trend.js';
import { runStress } from '../../src/run.js';
import { fixture } from '../helpers.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const minutes = Number(process.argv[2] ?? 10);
const out = (s: string): void => void process.stdout.write(`${s}\n`);

const t: number[] = [];
const heap: number[] = [];
const started = Date.now();
const sample = (): void => {
  gc();
  t.push((Date.now() - started) / 60_000);
  heap.push(process.memoryUsage().heapUsed);
};
const timer = setInterval(sample, 10_000);
out(`strain soak: no-op extractor, 1 worker, ${minutes} min, on ${os.cpus()[0]?.model ?? '?'} x${os.availableParallelism()}, Node ${process.version}`);
const r = await runStress({
  extractor: fixture('noop.mjs'),
  snapshotInterval: '1s',
  phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: `${minutes}m` }],
});
clearInterval(timer);
sample();
// Skip the first minute: the coordinator's own warm-up (JIT, histogram sizing).
const from = t.findIndex((x) => x >= 1);
const ts = theilSen(t.slice(from), heap.slice(from));
const mk = mannKendall(heap.slice(from));
const MB = 1024 * 1024;
out(`calls driven: ${r.total.count.toLocaleString('en')} (${(r.total.throughput / 1e6).toFixed(2)} M/s), one snapshot a second merged throughout`);
out(`coordinator heap after GC: ${(heap[from]! / MB).toFixed(2)} MiB at 1 min → ${(heap[heap.length - 1]! / MB).toFixed(2)} MiB at ${minutes} min`);
out(`heap slope (Theil–Sen): ${(ts.slope / 1024).toFixed(1)} KiB/min (95% CI ${(ts.lo / 1024).toFixed(1)} .. ${(ts.hi / 1024).toFixed(1)}), Mann–Kendall p = ${mk.p.toPrecision(2)}`);
out(`series points kept: ${r.series.length}; resource samples kept: ${r.resources.series.length}`);
