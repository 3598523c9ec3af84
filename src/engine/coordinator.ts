import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { StrainError } from '../errors.js';
import { applyLoad, type DynamicLoad, type Plan, type PlannedStep } from '../plan/plan.js';
import type { NormalizedProfile } from '../profile/load.js';
import { harvest } from './harvest.js';
import { taskMaker } from './drive-task.js';
import { Liveness } from './liveness.js';
import { ingestMessage, RunAccumulator, type StepAccumulator } from './merge.js';
import { placementFor, unpinCoordinator, type Placement } from './placement.js';
import { CLOCK, CLOCK_SLOTS, CTRL, CTRL_SLOTS, type HeapSnapshotMessage, type LoadFailedMessage, type ProfileMessage } from './protocol.js';
import { ResourceSampler, type ResourceSample } from './sampler.js';
import { firstPoissonArrival, scheduledCount, stepSeed } from './schedule.js';
import { SharedRecording } from './shared-recording.js';
import { samplePeriodFor } from '../result/resources.js';
import { breaksStopWhen } from './stop-when.js';
import { faultKindOf, WorkerSet, type FaultKind } from './worker-set.js';
import type { SharedRows } from '../data/shared-rows.js';
import { sleep, Waiter, within } from './wait.js';
import { graceMsOf, leadMsOf } from './step-window.js';

const DRIVER_URL = new URL('../../workers/driver.js', import.meta.url);
/** How long workers get to load the extractor and run setup. */
const READY_TIMEOUT_MS = 60_000;
/** How long stopped workers get to post their last snapshot and tear down. */
const DONE_TIMEOUT_MS = 5_000;
/** How long a profiled step's workers get to send their profiles and snapshots before the next step starts anyway. */
const PROFILE_TIMEOUT_MS = 30_000;
/** Interrupted runs must stop within 2 s. */
const ABORT_DONE_TIMEOUT_MS = 1_200;

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

export interface Fault {
  kind: FaultKind;
  workerId: number;
  /** Plan step running when it happened (-1 between steps). */
  seq: number;
  /** Milliseconds since the run started. */
  atMs: number;
  message: string;
}

export type { Placement } from './placement.js';

export interface CoordinatorOutput {
  acc: RunAccumulator;
  samples: ResourceSample[];
  startedAt: Date;
  endedAt: Date;
  aborted: boolean;
  /** The fault budget ran out: the run ended early as failed. */
  failed: boolean;
  /** Plan steps that were started. */
  started: number[];
  teardownErrors: string[];
  faults: Fault[];
  placement: Placement;
  /** A breakpoint phase that ended at its stop condition. */
  stopped: { seq: number; phaseIndex: number; reason: string } | undefined;
  /** The open-loop schedules' seed (the profile's, or drawn for this run). */
  seed: number;
  /** Plan step → schedule start (epoch ms) of open-loop steps. */
  scheduleStartMs: Map<number, number>;
  /** How often resources were sampled. */
  samplePeriodMs: number;
  /** Profiles the workers sent, one per profiled step, kind and worker. */
  profiles: ProfileMessage[];
  /** Heap snapshots the workers wrote (profile.heapSnapshot). */
  heapSnapshots: HeapSnapshotMessage[];
}

export interface CoordinateOptions {
  signal?: AbortSignal | undefined;
  /** A mix: each function's own rows (undefined where it shares the profile's). */
  mixRows?: (unknown[] | undefined)[] | undefined;
  /** Large data sets held once for all workers (the profile's, and a mix function's own). */
  sharedRows?: SharedRows | undefined;
  mixSharedRows?: (SharedRows | undefined)[] | undefined;
  onTick?: ((live: LiveStatus) => void) | undefined;
  tickMs?: number;
  pin?: boolean | undefined;
  /** Called when timing starts, at least every `checkpointMs` (default 5 s) and at every step end. */
  onCheckpoint?: ((state: CheckpointSource) => void) | undefined;
  checkpointMs?: number;
  /** Where workers write heap snapshots (profile.heapSnapshot). */
  profileDir?: string | undefined;
  /** Paired A/B (strain ab): the mix's two sides take turns in blocks of blockMs. */
  paired?: { blockMs: number } | undefined;
  /**
   * A step with `minDurationMs` may end before its `durationMs`: from its
   * shortest length on, this is asked every `lookMs` whether it has measured
   * enough (a paired A/B step whose interval already decides).
   */
  endStep?: { lookMs: number; enough: (step: PlannedStep, s: StepAccumulator) => boolean } | undefined;
  /** Decides the load of dynamic steps (a capacity search's probes); required when the plan has any. */
  steer?: StepSteer | undefined;
  /** Shards started at an agreed time (src/shard/align.ts): each step waits for its wall-clock start. */
  align?: StepAlignment | undefined;
}

/** When each step should start on the wall clock, and how late it did. */
export interface StepAlignment {
  /** Milliseconds to wait before starting `step` (0 when it is due or late). */
  delayMs(step: PlannedStep, nowMs: number): number;
  /** The step started: returns how late (ms) after its agreed time. */
  started(step: PlannedStep, atMs: number): number;
}

/** Decides dynamic steps as the run goes, from how the ones before went. */
export interface StepSteer {
  /** The load of the dynamic step about to start, or undefined to end its phase (its other slots are skipped). */
  before(step: PlannedStep, nowMs: number): DynamicLoad | undefined;
  /** A dynamic step ended: `s` holds all of its data, `scheduled` the arrivals its schedule drew. */
  after(step: PlannedStep, s: StepAccumulator, scheduled: number, view: { samples: readonly ResourceSample[]; runStartMs: number; periodMs: number }): void;
}

/** What a checkpoint is made of. */
export interface CheckpointSource {
  acc: RunAccumulator;
  samples: readonly ResourceSample[];
  started: readonly number[];
  faults: readonly Fault[];
  teardownErrors: readonly string[];
  placement: Placement;
  seed: number;
  startedAt: Date;
  samplePeriodMs: number;
}

/**
 * Drive a plan: start one long-lived task per worker, step them through the
 * plan with the shared control words, merge their snapshots, and survive
 * whatever the extractor does (hangs, crashes, exits, running out of heap):
 * each is a fault with a replacement worker, until the fault budget runs out.
 */
export async function coordinate(profile: NormalizedProfile, plan: Plan, rows: unknown[], opts: CoordinateOptions): Promise<CoordinatorOutput> {
  if (plan.steps.some((s) => s.search) && !opts.steer) throw new TypeError('coordinate: a plan with capacity probes needs opts.steer to decide their loads');
  const n = plan.maxWorkers;
  const placement = placementFor(opts.pin === true, n);
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  const clock = new Float64Array(new SharedArrayBuffer(CLOCK_SLOTS * Float64Array.BYTES_PER_ELEMENT));
  ctrl[CTRL.step] = -1;
  // Drawn per run unless the profile fixes it: a fixed seed repeats one schedule's quirks in every run.
  const seed = profile.seed ?? (Math.floor(Math.random() * 2 ** 31) | 0);
  const scheduleStartMs = new Map<number, number>();
  /** One shared recording per worker id, reused by its replacements after a harvest. */
  const recordings = Array.from({ length: n }, () => SharedRecording.create(profile.mix?.length ?? 0));
  const recordingOf = (w: number): SharedRecording => recordings[w] as SharedRecording;
  // Liveness from progress in shared memory: see liveness.ts.
  const watchPeriod = Math.min(250, profile.hangTimeoutMs / 4);
  const liveness = new Liveness(profile.hangTimeoutMs, watchPeriod);

  let runStartMs = Date.now();
  const acc = new RunAccumulator(runStartMs, profile.snapshotIntervalMs, (seq) => plan.steps[seq]?.measured ?? false);
  let currentSeq = -1;
  const sampler = new ResourceSampler(runStartMs, () => currentSeq, samplePeriodFor(plan.steps.map((s) => s.durationMs ?? 0)));
  const waiter = new Waiter();
  const ready = new Set<number>();
  const done = new Set<number>();
  const teardownErrors: string[] = [];
  const faults: Fault[] = [];
  const profiles: ProfileMessage[] = [];
  const heapSnapshots: HeapSnapshotMessage[] = [];
  const profilesOf = (seq: number): number => profiles.filter((p) => p.step === seq).length + heapSnapshots.filter((h) => h.step === seq).length;
  const lastProfiled = plan.steps.reduce((at, st) => (st.profile ? st.seq : at), -1);
  const profilesExpected = (st: PlannedStep): number => {
    const p = profile.profiling;
    if (!p) return 0;
    // A worker that faulted in the step has nothing more to send for it.
    const lost = new Set(faults.filter((f) => f.seq === st.seq).map((f) => f.workerId)).size;
    return Math.max(0, st.workers - lost) * ((p.cpu ? 1 : 0) + (p.heap ? 1 : 0) + (p.heapSnapshot && st.seq === lastProfiled ? 1 : 0));
  };
  const lastError = new Map<number, string>();
  /** Workers whose current incarnation has loaded the extractor. */
  const readyNow = new Set<number>();
  let loadFailure: LoadFailedMessage | undefined;
  let startCrash: Error | undefined;
  let timing = false;
  let stopping = false;
  let failed = false;
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
    ...(profile.maxWorkerHeapMb ? { resourceLimits: { maxOldGenerationSizeMb: profile.maxWorkerHeapMb } } : {}),
  });

  const fault = (kind: FaultKind, workerId: number, message: string): void => {
    const last = lastError.get(workerId);
    faults.push({ kind, workerId, seq: currentSeq, atMs: Date.now() - runStartMs, message: last ? `${message} (last extractor error: ${last})` : message });
    if (faults.length > profile.maxFaults) {
      failed = true;
      waiter.poke();
    }
  };

  const onMessage = (raw: unknown): void => {
    const ingested = ingestMessage(acc, raw);
    if ('rejected' in ingested) {
      const id = (raw as { workerId?: unknown } | null)?.workerId;
      fault('protocol', Number.isInteger(id) ? (id as number) : -1, ingested.rejected);
      return;
    }
    const m = ingested.message;
    switch (m.type) {
      case 'ready':
        ready.add(m.workerId);
        readyNow.add(m.workerId);
        if (!placement.workers.some((w) => w.workerId === m.workerId)) {
          placement.workers.push({ workerId: m.workerId, tid: m.tid ?? null, cpu: placement.pinned ? (placement.plan?.workerCpus[m.workerId] ?? null) : null });
        }
        if (m.pinError) {
          placement.pinned = false;
          placement.note = `${placement.note}; ${m.pinError}`;
        }
        break;
      case 'load-failed':
        if (timing) fault('load', m.workerId, `replacement worker could not start: ${m.message}`);
        else loadFailure ??= m;
        break;
      case 'snapshot':
        if (m.errorSamples.length) lastError.set(m.workerId, m.errorSamples[m.errorSamples.length - 1]?.message ?? '');
        break;
      case 'profile':
        profiles.push(m);
        break;
      case 'heap-snapshot':
        heapSnapshots.push(m);
        break;
      case 'done':
        done.add(m.workerId);
        if (m.teardownError) teardownErrors.push(`worker ${m.workerId}: ${m.teardownError}`);
        break;
    }
    waiter.poke();
  };

  const makeTask = taskMaker({
    profile, plan, rows, mixRows: opts.mixRows, sharedRows: opts.sharedRows, mixSharedRows: opts.mixSharedRows, ctrl, clock, recordingOf, seed, profileDir: opts.profileDir, paired: opts.paired,
    pinCpuOf: (w) => (placement.pinned ? placement.plan?.workerCpus[w] : undefined),
  });

  /** Merge what a dead worker measured since its last snapshot. Its thread is gone: nothing races the read. */
  const harvestFrom = (workerId: number): void => {
    const rec = recordings[workerId];
    if (!rec) return;
    const seq = rec.slots[0] as number;
    const h = harvest(rec, workerId, plan.steps[seq]?.open !== undefined);
    if (h) acc.addDecoded(h.message, h.ok, h.failed, h.service, h.lag, h.fns);
  };

  const onEnd = (workerId: number, error: unknown, killed: boolean): void => {
    liveness.forget(workerId);
    if (stopping || shuttingDown) {
      done.add(workerId);
      waiter.poke();
      return;
    }
    if (!timing) {
      // Before timing starts a dead worker means the engine cannot run.
      if (error && !loadFailure) startCrash ??= error instanceof Error ? error : new Error(String(error));
      waiter.poke();
      return;
    }
    // A replacement that never became ready failed to load: its 'load-failed'
    // message records that fault, whether it arrives before or after this.
    if (!killed && (error !== undefined || readyNow.has(workerId))) {
      const e = error as Error | undefined;
      if (e) fault(faultKindOf(e), workerId, `worker ${workerId} died: ${e.message ?? String(e)}`);
      else fault('exit', workerId, `worker ${workerId} returned before the run ended`);
    }
    readyNow.delete(workerId);
    harvestFrom(workerId);
    if (!failed && !aborted) workers.start(workerId);
    waiter.poke();
  };
  const workers = new WorkerSet(pool, makeTask, onMessage, onEnd);

  const setGeneration = (mutate: () => void): void => {
    mutate();
    Atomics.add(ctrl, CTRL.generation, 1);
    Atomics.notify(ctrl, CTRL.generation);
  };
  let shuttingDown = false;
  const shutdown = async (): Promise<void> => {
    shuttingDown = true;
    setGeneration(() => Atomics.store(ctrl, CTRL.stop, 1));
    const limit = aborted ? ABORT_DONE_TIMEOUT_MS : DONE_TIMEOUT_MS;
    // 'done' is a worker's last message; a worker that died has nothing more to say.
    const allDone = (): boolean => Array.from({ length: n }, (_, w) => w).every((w) => done.has(w) || !workers.isLive(w));
    await within(waiter.until(allDone), limit);
    stopping = true;
    await workers.settle(200);
    sampler.stop();
    unpinCoordinator(placement);
    workers.closePorts();
    // Terminates any worker still inside a call; what those measured is harvested after.
    await pool.destroy();
    for (let w = 0; w < n; w++) harvestFrom(w);
    opts.signal?.removeEventListener('abort', onAbort);
  };

  for (let workerId = 0; workerId < n; workerId++) workers.start(workerId);

  // Load and set up the extractor everywhere before any timing starts.
  const outcome = await within(
    Promise.all([sampler.warm(), waiter.until(() => ready.size >= n || loadFailure !== undefined || startCrash !== undefined || aborted)]),
    READY_TIMEOUT_MS,
  );
  const failure = loadFailure as LoadFailedMessage | undefined;
  const crash = startCrash as Error | undefined;
  if (failure || crash || outcome === 'timeout') {
    await shutdown();
    if (failure) {
      throw new StrainError(failure.code, failure.message, { cause: Object.assign(new Error(failure.message), { stack: failure.stack }) });
    }
    if (crash) throw new StrainError('STRAIN_WORKER_START', `a worker failed to start: ${crash.message}`, { cause: crash });
    throw new StrainError('STRAIN_WORKER_START', `workers were not ready within ${READY_TIMEOUT_MS / 1000}s (extractor load or setup too slow)`);
  }

  const startedAt = new Date();
  runStartMs = startedAt.getTime();
  acc.runStartMs = runStartMs;
  sampler.startMs = runStartMs;
  clock[CLOCK.runStart] = runStartMs;
  timing = true;
  const started: number[] = [];
  let stepStartMs = Date.now();
  const tick = opts.onTick
    ? setInterval(() => opts.onTick?.({
        seq: currentSeq, runStartMs, stepStartMs, acc,
        lastSample: sampler.samples.at(-1), samples: sampler.samples, started,
      }), opts.tickMs ?? 1000)
    : undefined;
  tick?.unref();
  const watchdog = setInterval(() => {
    const step = plan.steps[currentSeq];
    // Between steps (a breakpoint being judged) nobody is driving.
    const driving: number[] = [];
    if (step && Atomics.load(ctrl, CTRL.step) === step.seq) {
      const finished = acc.step(step.seq).finished;
      for (let w = 0; w < step.workers; w++) if (workers.isLive(w) && readyNow.has(w) && !finished.has(w)) driving.push(w);
    }
    for (const h of liveness.tick(Date.now(), driving, recordingOf)) {
      fault('hang', h.workerId, h.message);
      workers.kill(h.workerId);
    }
  }, watchPeriod);
  watchdog.unref();
  sampler.start();
  const checkpoint = (): void => opts.onCheckpoint?.({
    acc, samples: sampler.samples, started, faults, teardownErrors, seed, startedAt, samplePeriodMs: sampler.periodMs,
    placement: { requested: placement.requested, pinned: placement.pinned, coordinatorCpus: placement.coordinatorCpus, workers: placement.workers, note: placement.note },
  });
  const checkpointTimer = opts.onCheckpoint ? setInterval(checkpoint, opts.checkpointMs ?? 5000) : undefined;
  checkpointTimer?.unref();
  checkpoint();

  let stopped: CoordinatorOutput['stopped'];
  const cancelled = (): boolean => aborted || failed;
  /** Phases a steer ended: their remaining slots are not run. */
  const ended = new Set<number>();
  try {
    for (const step of plan.steps) {
      if (cancelled()) break;
      if (stopped && stopped.phaseIndex === step.phaseIndex) continue;
      if (ended.has(step.phaseIndex)) continue;
      const load = step.search ? opts.steer?.before(step, Date.now()) : undefined;
      if (step.search) {
        if (!load) {
          ended.add(step.phaseIndex);
          continue;
        }
        applyLoad(step, load);
      }
      // Shards aligned to the wall clock start each step at its agreed time.
      const wait = opts.align?.delayMs(step, Date.now()) ?? 0;
      if (wait > 0) await sleep(wait, waiter, cancelled);
      if (cancelled()) break;
      currentSeq = step.seq;
      started.push(step.seq);
      stepStartMs = Date.now();
      const late = opts.align?.started(step, stepStartMs) ?? 0;
      // Open loop: the schedule starts a little ahead so no worker begins late.
      const lead = leadMsOf(step);
      setGeneration(() => {
        clock[CLOCK.start] = performance.timeOrigin + performance.now() + lead;
        if (step.open) {
          const s = stepSeed(seed, step.seq);
          Atomics.store(ctrl, CTRL.seed, s);
          clock[CLOCK.nextArrival] = firstPoissonArrival(step.open, s);
          scheduleStartMs.set(step.seq, clock[CLOCK.start] as number);
        }
        if (load) {
          Atomics.store(ctrl, CTRL.workers, load.workers);
          Atomics.store(ctrl, CTRL.concurrency, load.concurrency);
          clock[CLOCK.rate] = load.rate ?? 0;
          clock[CLOCK.duration] = load.durationMs;
        }
        Atomics.store(ctrl, CTRL.claimed, 0);
        Atomics.store(ctrl, CTRL.step, step.seq);
      });
      const s = acc.step(step.seq);
      if (step.measured) acc.expect(step.workers, stepStartMs);
      if (step.durationMs !== undefined) {
        const grace = graceMsOf(step);
        const end = opts.endStep;
        if (end && step.minDurationMs !== undefined && step.minDurationMs < step.durationMs) {
          await sleep(step.minDurationMs + lead, waiter, cancelled);
          const deadline = stepStartMs + step.durationMs + lead + grace;
          while (!cancelled() && Date.now() < deadline && !end.enough(step, s)) await sleep(Math.min(end.lookMs, deadline - Date.now()), waiter, cancelled);
        } else {
          // An aligned step that started late ends on time (its lead and grace absorb the delay), so lateness does not add up over a ramp.
          const absorbed = Math.min(late, lead + grace + 0.02 * step.durationMs);
          await sleep(step.durationMs + lead + grace - absorbed, waiter, cancelled);
        }
      } else {
        await waiter.until(() => cancelled() || s.finished.size >= step.workers);
      }
      if ((step.stopWhen || step.search || step.profile) && !cancelled()) {
        // Judge the step on all of its data: wait for its last snapshots.
        setGeneration(() => Atomics.store(ctrl, CTRL.step, -1));
        await within(waiter.until(() => s.finished.size >= step.workers), 2000);
        // A profiled step's workers build their profiles (and a snapshot) now: the next step waits, so none starts it late.
        if (step.profile) await within(waiter.until(() => cancelled() || profilesOf(step.seq) >= profilesExpected(step)), PROFILE_TIMEOUT_MS);
        const scheduled = step.open ? scheduledCount(step.open, stepSeed(seed, step.seq), step.durationMs ?? 0) : 0;
        if (step.search) opts.steer?.after(step, s, scheduled, { samples: sampler.samples, runStartMs, periodMs: sampler.periodMs });
        const reason = breaksStopWhen(s, step, scheduled);
        if (reason) stopped = { seq: step.seq, phaseIndex: step.phaseIndex, reason };
      }
      checkpoint();
    }
  } finally {
    if (tick) clearInterval(tick);
    if (checkpointTimer) clearInterval(checkpointTimer);
    clearInterval(watchdog);
    await shutdown();
  }
  placement.workers.sort((a, b) => a.workerId - b.workerId);
  acc.closeAll();
  return {
    acc,
    samples: sampler.samples,
    startedAt,
    endedAt: new Date(),
    aborted,
    failed,
    started,
    teardownErrors,
    faults,
    placement: { requested: placement.requested, pinned: placement.pinned, coordinatorCpus: placement.coordinatorCpus, workers: placement.workers, note: placement.note },
    stopped,
    seed,
    scheduleStartMs,
    samplePeriodMs: sampler.periodMs,
    profiles,
    heapSnapshots,
  };
}

