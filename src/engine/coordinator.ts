import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { StrainError } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import type { NormalizedProfile } from '../profile/load.js';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { breaksStopWhen } from './stop-when.js';
import { pinningUnavailable, pinThread, planPinning, type PinPlan } from './pinning.js';
import { RunAccumulator } from './merge.js';
import { CTRL, CTRL_SLOTS, type DriveTask, type LoadFailedMessage, type WorkerMessage } from './protocol.js';
import { ResourceSampler, type ResourceSample } from './sampler.js';

const DRIVER_URL = new URL('../../workers/driver.js', import.meta.url);
/** How long workers get to load the extractor and run setup. */
const READY_TIMEOUT_MS = 60_000;
/** How long stopped workers get to post their last snapshot and tear down. */
const DONE_TIMEOUT_MS = 5_000;

export interface LiveStatus {
  /** The plan step being driven. */
  seq: number;
  runStartMs: number;
  stepStartMs: number;
  acc: RunAccumulator;
  lastSample: ResourceSample | undefined;
  samples: readonly ResourceSample[];
  /** Plan steps started so far. */
  started: readonly number[];
}

export interface CoordinatorOutput {
  acc: RunAccumulator;
  samples: ResourceSample[];
  startedAt: Date;
  endedAt: Date;
  aborted: boolean;
  /** Plan steps that were started. */
  started: number[];
  teardownErrors: string[];
  placement: Placement;
  /** A breakpoint phase that ended at its stop condition. */
  stopped: { seq: number; phaseIndex: number; reason: string } | undefined;
}

export interface Placement {
  requested: boolean;
  pinned: boolean;
  coordinatorCpus: number[] | null;
  workers: { workerId: number; tid: number | null; cpu: number | null }[];
  note: string;
}

/** Decide CPU placement; pins the coordinator's thread now when asked and possible. */
function placementFor(pin: boolean, workers: number): Placement & { plan: PinPlan | undefined } {
  if (!pin) return { requested: false, pinned: false, coordinatorCpus: null, workers: [], note: 'not pinned (pass --pin to pin)', plan: undefined };
  const why = pinningUnavailable();
  if (why) return { requested: true, pinned: false, coordinatorCpus: null, workers: [], note: `NOT pinned: ${why}`, plan: undefined };
  const plan = planPinning(workers);
  let note = plan.note;
  if (plan.coordinatorCpus) {
    const err = pinThread(process.pid, plan.coordinatorCpus);
    if (err) note = `${note}; coordinator not pinned: ${err}`;
  }
  return { requested: true, pinned: true, coordinatorCpus: plan.coordinatorCpus ?? null, workers: [], note, plan };
}

/** Open-loop schedules start this far ahead of the step switch. */
const SCHEDULE_LEAD_MS = 20;

/** Resolves when `cond` holds, re-checked whenever `poke` is called. */
class Waiter {
  private waiters: { cond: () => boolean; resolve: () => void }[] = [];
  until(cond: () => boolean): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ cond, resolve }));
  }
  poke(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.cond()) return true;
      w.resolve();
      return false;
    });
  }
}

function sleep(ms: number, waiter: Waiter, cancelled: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    void waiter.until(cancelled).then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

export async function coordinate(
  profile: NormalizedProfile,
  plan: Plan,
  rows: unknown[],
  opts: { signal?: AbortSignal | undefined; onTick?: ((live: LiveStatus) => void) | undefined; tickMs?: number; pin?: boolean },
): Promise<CoordinatorOutput> {
  const n = plan.maxWorkers;
  const placement = placementFor(opts.pin === true, n);
  const control = new SharedArrayBuffer(CTRL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
  const ctrl = new Int32Array(control);
  const clockBuffer = new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT);
  const clock = new Float64Array(clockBuffer);
  ctrl[CTRL.step] = -1;

  const runStartMs = Date.now();
  const acc = new RunAccumulator(runStartMs, profile.snapshotIntervalMs, (seq) => plan.steps[seq]?.measured ?? false);
  let currentSeq = -1;
  const sampler = new ResourceSampler(runStartMs, () => currentSeq);
  const waiter = new Waiter();
  const ready = new Set<number>();
  const done = new Set<number>();
  const teardownErrors: string[] = [];
  let loadFailure: LoadFailedMessage | undefined;
  let workerCrash: Error | undefined;
  let stopping = false;
  let aborted = opts.signal?.aborted ?? false;
  const onAbort = (): void => {
    aborted = true;
    waiter.poke();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const pool = new Piscina({
    filename: DRIVER_URL.href,
    minThreads: n,
    maxThreads: n,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: 1,
  });

  const onMessage = (m: WorkerMessage): void => {
    switch (m.type) {
      case 'ready':
        ready.add(m.workerId);
        placement.workers.push({ workerId: m.workerId, tid: m.tid ?? null, cpu: opts.pin && placement.pinned ? (placement.plan?.workerCpus[m.workerId] ?? null) : null });
        if (m.pinError) {
          placement.pinned = false;
          placement.note = `${placement.note}; ${m.pinError}`;
        }
        break;
      case 'load-failed':
        loadFailure ??= m;
        break;
      case 'snapshot':
        acc.add(m);
        break;
      case 'done':
        done.add(m.workerId);
        if (m.teardownError) teardownErrors.push(`worker ${m.workerId}: ${m.teardownError}`);
        break;
    }
    waiter.poke();
  };

  const ports: MessagePort[] = [];
  const tasks: Promise<unknown>[] = [];
  const stepConfigs = plan.steps.map((s) => ({
    workers: s.workers, lanes: s.lanes, concurrency: s.concurrency, warmupMs: s.warmupMs, iterations: s.iterations,
    durationMs: s.durationMs, open: s.open, thinkMs: s.thinkMs,
  }));
  for (let workerId = 0; workerId < n; workerId++) {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', onMessage);
    ports.push(port1);
    const task: DriveTask = {
      workerId,
      port: port2,
      control,
      clock: clockBuffer,
      extractorPath: profile.extractorPath,
      exportName: profile.exportName,
      extractorOptions: profile.extractorOptions,
      rows,
      snapshotIntervalMs: profile.snapshotIntervalMs,
      steps: stepConfigs,
      pinCpu: placement.pinned ? placement.plan?.workerCpus[workerId] : undefined,
    };
    tasks.push(
      pool.run(task, { transferList: [port2] }).catch((e: unknown) => {
        if (!stopping) workerCrash ??= e instanceof Error ? e : new Error(String(e));
        done.add(workerId);
        waiter.poke();
      }),
    );
  }

  const setGeneration = (mutate: () => void): void => {
    mutate();
    Atomics.add(ctrl, CTRL.generation, 1);
    Atomics.notify(ctrl, CTRL.generation);
  };
  const shutdown = async (): Promise<void> => {
    setGeneration(() => Atomics.store(ctrl, CTRL.stop, 1));
    // 'done' is a worker's last message; the settled task means its thread is free.
    const finished = Promise.all([waiter.until(() => done.size >= n), Promise.allSettled(tasks)]);
    await Promise.race([finished, new Promise((r) => setTimeout(r, DONE_TIMEOUT_MS).unref())]);
    stopping = true;
    sampler.stop();
    // Give the coordinator's thread back all CPUs: pinning was for this run only.
    if (placement.coordinatorCpus) pinThread(process.pid, Array.from({ length: os.cpus().length }, (_, i) => i));
    for (const p of ports) p.close();
    await pool.destroy();
    opts.signal?.removeEventListener('abort', onAbort);
  };

  // Load and set up the extractor everywhere before any timing starts.
  const readyTimer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), READY_TIMEOUT_MS).unref());
  const outcome = await Promise.race([
    Promise.all([sampler.warm(), waiter.until(() => ready.size >= n || loadFailure !== undefined || workerCrash !== undefined || aborted)]),
    readyTimer,
  ]);
  const failure = loadFailure as LoadFailedMessage | undefined;
  if (failure || workerCrash || outcome === 'timeout') {
    await shutdown();
    if (failure) {
      throw new StrainError(failure.code, failure.message, { cause: Object.assign(new Error(failure.message), { stack: failure.stack }) });
    }
    if (workerCrash) throw new StrainError('STRAIN_WORKER_START', `a worker failed to start: ${workerCrash.message}`, { cause: workerCrash });
    throw new StrainError('STRAIN_WORKER_START', `workers were not ready within ${READY_TIMEOUT_MS / 1000}s (extractor load or setup too slow)`);
  }

  const startedAt = new Date();
  acc.runStartMs = startedAt.getTime();
  sampler.startMs = startedAt.getTime();
  const started: number[] = [];
  let stepStartMs = Date.now();
  const tick = opts.onTick
    ? setInterval(() => opts.onTick?.({
        seq: currentSeq, runStartMs: startedAt.getTime(), stepStartMs, acc,
        lastSample: sampler.samples.at(-1), samples: sampler.samples, started,
      }), opts.tickMs ?? 1000)
    : undefined;
  tick?.unref();
  sampler.start();

  let stopped: CoordinatorOutput['stopped'];
  try {
    for (const step of plan.steps) {
      if (aborted) break;
      if (stopped && stopped.phaseIndex === step.phaseIndex) continue;
      currentSeq = step.seq;
      started.push(step.seq);
      stepStartMs = Date.now();
      // Open loop: the schedule starts a little ahead so no worker begins late.
      const lead = step.open ? SCHEDULE_LEAD_MS : 0;
      setGeneration(() => {
        clock[0] = performance.timeOrigin + performance.now() + lead;
        Atomics.store(ctrl, CTRL.claimed, 0);
        Atomics.store(ctrl, CTRL.step, step.seq);
      });
      const s = acc.step(step.seq);
      if (step.durationMs !== undefined) {
        await sleep(step.durationMs + lead, waiter, () => aborted || workerCrash !== undefined);
      } else {
        await waiter.until(() => aborted || workerCrash !== undefined || s.finished.size >= step.workers);
      }
      if (workerCrash) break;
      if (step.stopWhen && !aborted) {
        // Judge the step on all of its data: wait for its last snapshots.
        setGeneration(() => Atomics.store(ctrl, CTRL.step, -1));
        await Promise.race([waiter.until(() => s.finished.size >= step.workers), new Promise((r) => setTimeout(r, 2000).unref())]);
        const reason = breaksStopWhen(s, step);
        if (reason) stopped = { seq: step.seq, phaseIndex: step.phaseIndex, reason };
      }
    }
  } finally {
    if (tick) clearInterval(tick);
    await shutdown();
  }
  placement.workers.sort((a, b) => a.workerId - b.workerId);
  if (workerCrash && !aborted) {
    throw new StrainError('STRAIN_WORKER_START', `a worker stopped unexpectedly: ${(workerCrash as Error).message}`, { cause: workerCrash });
  }
  acc.closeAll();
  return {
    acc,
    samples: sampler.samples,
    startedAt,
    endedAt: new Date(),
    aborted,
    started,
    teardownErrors,
    stopped,
    placement: { requested: placement.requested, pinned: placement.pinned, coordinatorCpus: placement.coordinatorCpus, workers: placement.workers, note: placement.note },
  };
}
