// A bare worker loop for the bench: the same two timer reads per call as the
// engine, with nothing else, or a fixed CPU-bound call.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

const { kind, ms } = workerData as { kind: 'timed-noop' | 'cpu'; ms: number };
const noop = (): void => {};
function cpu(): number {
  let x = 0;
  for (let i = 0; i < 60000; i++) x += Math.sqrt(i) * Math.sin(i);
  return x;
}
let n = 0;
let sink = 0;
const end = performance.now() + ms;
if (kind === 'timed-noop') {
  for (;;) {
    const a = performance.now();
    noop();
    const b = performance.now();
    sink += b - a;
    n++;
    if (b >= end) break;
  }
} else {
  while (performance.now() < end) {
    sink += cpu();
    n++;
  }
}
parentPort?.postMessage(sink === -1 ? 0 : n);
