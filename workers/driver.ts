/**
 * The worker entry: one long-lived drive task per worker. It loads the
 * extractor once, then runs a drive loop (closed-loop.ts, open-loop.ts) for
 * as many steps as the coordinator asks. It reads its orders from shared
 * control words, records into shared memory (so a death loses nothing) and
 * talks only through the protocol. Its clock and primitives come from
 * clock.ts, imported first: user code loads after them and cannot reach them.
 */
import { atomicsLoad, atomicsWait, ORIGIN, post as postOn } from './clock.js';
import { seededRandom } from '../src/analysis/random.js';
import { CLOCK, CTRL, type DriveTask, type StepConfig, type WorkerMessage } from '../src/engine/protocol.js';
import { currentTid, pinThread } from '../src/engine/pinning.js';
import { ExtractorLoadError, loadExtractor } from '../src/extractor/load.js';
import { toError } from '../src/errors.js';
import { driveBatched, driveClosed, driveLanes } from './closed-loop.js';
import { DriveContext, type MixLoaded } from './drive-context.js';
import { driveOpen } from './open-loop.js';
import { StepProfiler } from './profiler.js';
import { rowCount, rowsForTask, type TaskRows } from './row-source.js';

/** A capacity probe's load is decided as the run goes: the coordinator wrote it beside the step switch. */
function resolved(cfg: StepConfig | undefined, d: DriveContext): StepConfig | undefined {
  if (!cfg?.dynamic) return cfg;
  const rate = d.clock[CLOCK.rate] as number;
  return {
    ...cfg,
    workers: atomicsLoad(d.ctrl, CTRL.workers),
    concurrency: atomicsLoad(d.ctrl, CTRL.concurrency),
    durationMs: d.clock[CLOCK.duration] as number,
    open: cfg.open ? { ...cfg.open, rate } : undefined,
  };
}

async function runSteps(d: DriveContext): Promise<void> {
  const { ctrl, task } = d;
  const profiler = task.profiling ? new StepProfiler(task.profiling) : undefined;
  const lastProfiled = task.steps.reduce((at, s, i) => (s.profile ? i : at), -1);
  let seen = 0; // generation 0: nothing started yet
  for (;;) {
    // Blocking wait is fine: this thread has nothing else to do between steps.
    atomicsWait(ctrl, CTRL.generation, seen);
    const gen = atomicsLoad(ctrl, CTRL.generation);
    seen = gen;
    if (atomicsLoad(ctrl, CTRL.stop) === 1) return;
    const step = atomicsLoad(ctrl, CTRL.step);
    const cfg = resolved(task.steps[step], d);
    if (!cfg || task.workerId >= cfg.workers) continue;
    d.rand = seededRandom(step * 31 + task.workerId + 7);
    const profiled = cfg.profile && profiler ? profiler : undefined;
    profiled?.start();
    if (cfg.open) await driveOpen(d, step, cfg, gen);
    else {
      const lanes = Math.min(cfg.lanes, cfg.concurrency - task.workerId * cfg.lanes);
      const batch = cfg.batch > 1 ? cfg.batch : cfg.autoBatch && !cfg.thinkMs && d.autoBatch > 1 ? d.autoBatch : 1;
      if (lanes > 1) await driveLanes(d, step, cfg, gen, lanes);
      else if (batch > 1) await driveBatched(d, step, cfg, gen, batch);
      else await driveClosed(d, step, cfg, gen);
    }
    if (profiled) {
      // Stopped after the step's last snapshot went out: building the profiles costs no measured time.
      const got = await profiled.stop((d.clock[CLOCK.start] as number) - ORIGIN + cfg.warmupMs);
      for (const kind of ['cpu', 'heap'] as const) {
        const p = got[kind];
        if (p) postOn(task.port, { type: 'profile', workerId: task.workerId, step, kind, profile: p.profile ? JSON.stringify(p.profile) : undefined, samples: p.samples, error: p.error });
      }
      if (task.profiling?.heapSnapshot && step === lastProfiled) {
        const dir = task.profiling.snapshotDir;
        const file = dir ? `${dir}/worker-${task.workerId}.heapsnapshot` : undefined;
        const shot = file ? profiled.snapshot(file) : { bytes: 0, error: 'no folder to write it to (the CLI\'s --out, or runStress\'s profileDir)' };
        postOn(task.port, { type: 'heap-snapshot', workerId: task.workerId, step, file: shot.error ? undefined : file, bytes: shot.bytes, error: shot.error });
      }
    }
  }
}

export default async function drive(task: DriveTask): Promise<void> {
  const post = (msg: WorkerMessage): void => postOn(task.port, msg);
  let tid: number | undefined;
  let pinError: string | undefined;
  if (task.pinCpu !== undefined) {
    try {
      tid = currentTid();
      pinError = pinThread(tid, [task.pinCpu]);
    } catch (e) {
      pinError = `cannot find this thread's id: ${(e as Error).message}`;
    }
  }
  let state: unknown;
  let loaded;
  try {
    loaded = await loadExtractor(task.extractorPath, task.exportName);
  } catch (e) {
    const err = e instanceof ExtractorLoadError ? e : new ExtractorLoadError('STRAIN_EXTRACTOR_LOAD', String(e));
    const orig = err.original instanceof Error ? err.original : err;
    post({ type: 'load-failed', workerId: task.workerId, code: err.code, message: err.message, stack: orig.stack });
    task.port.close();
    return;
  }
  // Rows a data module makes, or a shared data set's reader, before setup sees how many there are.
  let made: TaskRows;
  try {
    made = await rowsForTask(task);
  } catch (e) {
    const err = e instanceof ExtractorLoadError ? e : new ExtractorLoadError('STRAIN_EXTRACTOR_LOAD', toError(e).message, e);
    post({ type: 'load-failed', workerId: task.workerId, code: err.code, message: err.message, stack: toError(err.original ?? err).stack });
    task.port.close();
    return;
  }
  const source = made.own?.source;
  const mixData = made.mix;
  try {
    // A mix sets up each of its functions below, the first among them.
    state = loaded.setup && !task.mix ? await loaded.setup({ workerId: task.workerId, options: task.extractorOptions, rows: rowCount(task.rows, made.own) }) : undefined;
  } catch (e) {
    const err = toError(e);
    post({ type: 'load-failed', workerId: task.workerId, code: 'STRAIN_EXTRACTOR_SETUP', message: `setup threw: ${err.message}`, stack: err.stack });
    task.port.close();
    return;
  }
  let mixLoaded: MixLoaded[] | undefined;
  if (task.mix) {
    mixLoaded = [];
    for (const [k, m] of task.mix.entries()) {
      try {
        const l = await loadExtractor(m.extractorPath, m.exportName);
        const st = l.setup ? await l.setup({ workerId: task.workerId, options: m.extractorOptions, rows: rowCount(m.rows ?? task.rows, mixData[k]) }) : undefined;
        mixLoaded.push({ fn: l.fn, state: st, teardown: l.teardown, source: mixData[k]?.source });
      } catch (e) {
        const err = e instanceof ExtractorLoadError ? e : new ExtractorLoadError('STRAIN_EXTRACTOR_SETUP', `setup of the mix's function "${m.name}" threw: ${toError(e).message}`, e);
        const orig = err.original instanceof Error ? err.original : err;
        post({ type: 'load-failed', workerId: task.workerId, code: err.code, message: `${m.name}: ${err.message}`, stack: orig.stack });
        task.port.close();
        return;
      }
    }
  }
  const d = new DriveContext(task, loaded.fn, state, mixLoaded, source);
  d.iv.warm();
  post({ type: 'ready', workerId: task.workerId, async: loaded.fn.constructor.name === 'AsyncFunction', tid, pinError });
  await runSteps(d);
  let teardownError: string | undefined;
  try {
    if (!task.mix && loaded.teardown) await loaded.teardown(state);
    for (const [k, m] of (mixLoaded ?? []).entries()) {
      try {
        if (m.teardown) await m.teardown(m.state);
      } catch (e) {
        teardownError = `${task.mix?.[k]?.name}: ${toError(e).message}`;
      }
    }
  } catch (e) {
    teardownError = toError(e).message;
  }
  post({ type: 'done', workerId: task.workerId, teardownError });
  task.port.close();
}
