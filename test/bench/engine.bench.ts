/**
 * npm run bench: the engine's speed goals, measured side by side on this
 * machine in one run. Prints figures; asserts nothing (timing lives here, not
 * in tests).
 */
import { capacityBench } from './capacity.js';
import { profilingOverhead } from './profiling.js';
import { MessageChannel, Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { Piscina } from 'piscina';
import { seededRandom, gaussian } from '../../src/analysis/random.js';
import { newHistogram } from '../../src/engine/histogram.js';
import { CTRL, CTRL_SLOTS, type DriveTask, type WorkerMessage } from '../../src/engine/protocol.js';
import { addSparse, FastRecorder, type SparseCounts } from '../../src/engine/recorder.js';
import { SharedRecording } from '../../src/engine/shared-recording.js';
import { runStress } from '../../src/run.js';
import { fixture } from '../helpers.js';
import { sideBySide } from './mitata-side.js';
import { startupTimes } from './startup.js';
import { dataSetBench } from './data-set.js';

const DRIVER = new URL('../../workers/driver.js', import.meta.url).href;
const BARE = new URL('./bare-loop.js', import.meta.url);
const PER_CALL = new URL('./per-call-task.js', import.meta.url).href;
const MiB = 1024 * 1024;

function bareLoop(kind: 'timed-noop' | 'cpu', ms: number, threads: number): Promise<number> {
  return Promise.all(
    Array.from({ length: threads }, () => new Promise<number>((resolve, reject) => {
      const w = new Worker(BARE, { workerData: { kind, ms } });
      w.once('message', (n: number) => void w.terminate().then(() => resolve(n)));
      w.once('error', reject);
    })),
  ).then((counts) => counts.reduce((a, b) => a + b, 0) / (ms / 1000));
}

async function engineThroughput(extractor: string, concurrency: number, duration: string): Promise<number> {
  // batchSize 1: the per-call drive loop against the per-call bare loop (strain would batch a no-op by itself).
  const r = await runStress({ extractor, stepWarmup: '500ms', phases: [{ executor: 'constant-concurrency', concurrency, duration, batchSize: 1 }] });
  return r.steps[0]?.throughput ?? 0;
}

/** Dispatch lag p99 (ms) at 2 000 calls/s of a sub-µs function. */
async function openLoopLagP99(workers: number, arrival: 'uniform' | 'poisson'): Promise<number> {
  const r = await runStress({ extractor: fixture('noop.mjs'), stepWarmup: '500ms', phases: [{ executor: 'constant-arrival-rate', rate: 2000, duration: '3500ms', maxConcurrency: workers, arrival }] });
  return r.steps[0]?.openLoop?.lagMs.p99 ?? NaN;
}

async function perCallPoolRun(ms: number): Promise<number> {
  const pool = new Piscina({ filename: PER_CALL, minThreads: 1, maxThreads: 1 });
  await pool.run(null);
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await pool.run(null);
    n++;
  }
  await pool.destroy();
  return n / (ms / 1000);
}

function snapshotMergeMs(): { mergeMs: number; encodeMs: number; bytes: number } {
  const rand = seededRandom(3);
  const rec = new FastRecorder();
  // A realistic interval: 100k calls, log-normal around 12 µs with a tail.
  const values = Array.from({ length: 100_000 }, () => Math.round(12_000 * Math.exp(0.6 * gaussian(rand))));
  let pairs: SparseCounts = new Float64Array(0);
  let takeMs = 0;
  for (let i = 0; i < 200; i++) {
    for (const v of values) rec.record(v);
    const t = performance.now();
    pairs = rec.takeSparse().pairs;
    takeMs += performance.now() - t;
  }
  const step = newHistogram();
  const series = newHistogram();
  const t = performance.now();
  const N = 500;
  for (let i = 0; i < N; i++) {
    const d = newHistogram();
    addSparse(pairs, d);
    step.add(d);
    series.add(d);
  }
  return { mergeMs: (performance.now() - t) / N, encodeMs: takeMs / 200, bytes: pairs.byteLength };
}

/** RSS of the process with n drive workers loaded and idle. */
async function rssWithWorkers(n: number): Promise<number> {
  const control = new SharedArrayBuffer(CTRL_SLOTS * 4);
  const ctrl = new Int32Array(control);
  const pool = new Piscina({ filename: DRIVER, minThreads: n, maxThreads: n });
  let ready = 0;
  const tasks: Promise<unknown>[] = [];
  const ports: import("node:worker_threads").MessagePort[] = [];
  const allReady = new Promise<void>((resolve) => {
    for (let workerId = 0; workerId < n; workerId++) {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1);
      port1.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready' && ++ready === n) resolve();
      });
      const task: DriveTask = {
        workerId, port: port2, control, extractorPath: fixture('noop.mjs'), exportName: undefined, extractorOptions: undefined,
        rows: [], snapshotIntervalMs: 1000, clock: new SharedArrayBuffer(16), recording: SharedRecording.create().buffer, pinCpu: undefined, profiling: undefined,
        steps: [{ workers: n, lanes: 1, concurrency: n, warmupMs: 0, iterations: 1, durationMs: undefined, open: undefined, thinkMs: undefined, batch: 1, autoBatch: false, dynamic: false, profile: false }],
      };
      tasks.push(pool.run(task, { transferList: [port2] }));
    }
  });
  await allReady;
  await new Promise((r) => setTimeout(r, 300));
  const rss = process.memoryUsage().rss;
  Atomics.store(ctrl, CTRL.stop, 1);
  Atomics.add(ctrl, CTRL.generation, 1);
  Atomics.notify(ctrl, CTRL.generation);
  await Promise.allSettled(tasks);
  for (const p of ports) p.close();
  await pool.destroy();
  return rss;
}

function row(name: string, value: string, goal: string, met: boolean | undefined): string {
  return `${name.padEnd(58)} ${value.padStart(16)}   ${goal.padEnd(12)} ${met === undefined ? '' : met ? 'met' : 'NOT MET'}`;
}

async function main(): Promise<void> {
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  out(`strain bench on ${os.cpus()[0]?.model ?? '?'} x${os.availableParallelism()}, Node ${process.version}, ${new Date().toISOString()}`);
  out('');

  const bare = await bareLoop('timed-noop', 3000, 1);
  const engine = await engineThroughput(fixture('noop.mjs'), 1, '3500ms');
  const perCall = await perCallPoolRun(2000);
  const merge = snapshotMergeMs();
  const rss0 = await rssWithWorkers(1);
  const rss4 = await rssWithWorkers(4);
  const perWorker = (rss4 - rss0) / 3 / MiB;
  const cpu1 = await engineThroughput(fixture('cpu.mjs'), 1, '4s');
  const cpu2 = await engineThroughput(fixture('cpu.mjs'), 2, '4s');
  const bareCpu1 = await bareLoop('cpu', 3000, 1);
  const bareCpu2 = await bareLoop('cpu', 3000, 2);
  const sides = await sideBySide();
  const start = startupTimes();
  const cap = await capacityBench();
  const prof = await profilingOverhead();
  const data = dataSetBench();
  const lag = { u1: await openLoopLagP99(1, 'uniform'), u2: await openLoopLagP99(2, 'uniform'), p1: await openLoopLagP99(1, 'poisson'), p2: await openLoopLagP99(2, 'poisson') };

  out(row('measure', 'figure', 'goal', undefined));
  out(row('bare loop, noop + two performance.now() reads (calls/s)', bare.toFixed(0), '', undefined));
  out(row('engine-driven noop, 1 worker (calls/s)', engine.toFixed(0), '', undefined));
  out(row('  engine / bare loop', (engine / bare).toFixed(3), '>= 0.85', engine / bare >= 0.85));
  out(row('one pool.run per call, sequential (calls/s)', perCall.toFixed(0), '', undefined));
  out(row('  engine / pool.run per call', `${(engine / perCall).toFixed(0)}x`, '>= 100x', engine / perCall >= 100));
  out(row('merge one snapshot: sparse pairs + add to step and series (ms)', merge.mergeMs.toFixed(3), '< 2 ms', merge.mergeMs < 2));
  out(row('  take one snapshot in the worker (sparse pairs, ms)', merge.encodeMs.toFixed(3), '', undefined));
  out(row('  snapshot histogram size on the wire (bytes)', String(merge.bytes), '', undefined));
  out(row('RSS added per loaded worker (MiB, 1 → 4 workers)', perWorker.toFixed(1), '<= 20 MiB', perWorker <= 20));
  out(row('CPU-bound extractor, engine: 1 worker (calls/s)', cpu1.toFixed(0), '', undefined));
  out(row('CPU-bound extractor, engine: 2 workers (calls/s)', cpu2.toFixed(0), '', undefined));
  out(row('  engine 2 workers / 1 worker', (cpu2 / cpu1).toFixed(2), '>= 1.9', cpu2 / cpu1 >= 1.9));
  out(row('  same loop in bare threads, 2 / 1 (this machine\'s ceiling)', (bareCpu2 / bareCpu1).toFixed(2), '', undefined));
  for (const x of sides) {
    const rel = x.strainNs / x.mitataNs - 1;
    out(row(`strain vs mitata, ${x.name}: ${x.strainNs.toFixed(1)} vs ${x.mitataNs.toFixed(1)} ns${x.batched ? ' (batched)' : ''}`, `${(rel * 100).toFixed(1)}%`, 'within 3%', Math.abs(rel) <= 0.03));
    const relP50 = x.strainP50Ns / x.mitataP50Ns - 1;
    out(row(`  medians: ${x.strainP50Ns.toFixed(1)} vs ${x.mitataP50Ns.toFixed(1)} ns`, `${(relP50 * 100).toFixed(1)}%`, '', undefined));
    out(row(`  plain timed loop in a function, same function: ${x.directNs.toFixed(1)} ns`, `${((x.strainNs / x.directNs - 1) * 100).toFixed(1)}%`, '', undefined));
  }
  out(row('dispatch lag p99, 2000/s of a no-op, uniform, 1 worker (ms)', lag.u1.toFixed(3), '< 0.5 ms', lag.u1 < 0.5));
  out(row('dispatch lag p99, 2000/s of a no-op, uniform, 2 workers (ms)', lag.u2.toFixed(3), '< 0.5 ms', lag.u2 < 0.5));
  out(row('dispatch lag p99, 2000/s of a no-op, Poisson, 1 worker (ms)', lag.p1.toFixed(3), '< 0.5 ms', lag.p1 < 0.5));
  out(row('dispatch lag p99, 2000/s of a no-op, Poisson, 2 workers (ms)', lag.p2.toFixed(3), '< 0.5 ms', lag.p2 < 0.5));
  out(row(`capacity search, scenarios/capacity.json: ${cap.status} ${cap.capacity ?? 'none'}/s`, `${cap.probes} probes`, '', undefined));
  out(row('  search time (s)', cap.searchSeconds.toFixed(1), '', undefined));
  out(row(`  a fixed ramp to the same precision: ${cap.rampSteps} steps (s, computed)`, cap.rampSeconds.toFixed(0), '', undefined));
  out(row('  fixed ramp time / search time', (cap.rampSeconds / cap.searchSeconds).toFixed(1), '> 1', cap.rampSeconds > cap.searchSeconds));
  out(row('CPU profiling: profiled / unprofiled throughput, 0.2 ms calls', prof.ratio.toFixed(3), '>= 0.95', prof.ratio >= 0.95));
  out(row(`  the four pairs: ${prof.ratios.map((x) => x.toFixed(3)).join(', ')}`, '', '', undefined));
  out(row(`data set: ${data.rows} CSV rows (${(data.fileBytes / MiB).toFixed(1)} MiB), peak RSS, 1 worker (MiB)`, (data.one.maxRssBytes / MiB).toFixed(0), '', undefined));
  out(row('  peak RSS, 4 workers (MiB)', (data.four.maxRssBytes / MiB).toFixed(0), '< 400 MiB', data.four.maxRssBytes / MiB < 400));
  out(row('  4 workers / 1 worker, peak RSS', (data.four.maxRssBytes / data.one.maxRssBytes).toFixed(2), '<= 1.3', data.four.maxRssBytes / data.one.maxRssBytes <= 1.3));
  out(row('  load and start beyond the 3 s step, 1 worker / 4 workers (s)', `${(data.one.overheadMs / 1000).toFixed(2)} / ${(data.four.overheadMs / 1000).toFixed(2)}`, '', undefined));
  out(row('node -e 0 (ms, median of 7 fresh processes)', start.nodeMs.toFixed(0), '', undefined));
  out(row('  strain --help / node -e 0', (start.helpMs / start.nodeMs).toFixed(2), '<= 2.5', start.helpMs / start.nodeMs <= 2.5));
  out(row('  import(\'strain\') / node -e 0', (start.importMs / start.nodeMs).toFixed(2), '<= 2.5', start.importMs / start.nodeMs <= 2.5));
  out(row('  a 10-call strain run / node -e 0', (start.runMs / start.nodeMs).toFixed(2), '<= 6', start.runMs / start.nodeMs <= 6));
}

await main();
