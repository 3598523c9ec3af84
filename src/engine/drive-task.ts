/**
 * What each worker is given when its drive task starts: the shared words,
 * its recording, the extractor (or a mix's functions) with their rows, and
 * one config per plan step. Built here so the coordinator only starts them.
 */
import type { Plan } from '../plan/plan.js';
import type { NormalizedProfile } from '../profile/load.js';
import type { DriveTask, StepConfig } from './protocol.js';
import type { SharedRecording } from './shared-recording.js';
import { isDataModule } from '../data/module.js';
import type { SharedRows } from '../data/shared-rows.js';

export interface TaskInputs {
  profile: NormalizedProfile;
  plan: Plan;
  rows: unknown[];
  /** A mix: each function's own rows (undefined where it shares the profile's). */
  mixRows: (unknown[] | undefined)[] | undefined;
  /** Rows held once for all workers, in place of `rows` (and of a function's own). */
  sharedRows?: SharedRows | undefined;
  mixSharedRows?: (SharedRows | undefined)[] | undefined;
  ctrl: Int32Array;
  clock: Float64Array;
  recordingOf: (workerId: number) => SharedRecording;
  seed: number;
  pinCpuOf: (workerId: number) => number | undefined;
  profileDir: string | undefined;
  /** Paired A/B: the mix's two sides take turns in blocks of this length. */
  paired?: { blockMs: number } | undefined;
}

export function stepConfigs(profile: NormalizedProfile, plan: Plan): StepConfig[] {
  return plan.steps.map((s) => ({
    workers: s.workers, lanes: s.lanes, concurrency: s.concurrency, warmupMs: s.warmupMs, iterations: s.iterations,
    durationMs: s.durationMs, open: s.open, thinkMs: s.thinkMs, dynamic: s.search !== undefined, profile: s.profile,
    // A mix times each call alone, to know its function.
    batch: profile.mix ? 1 : s.batch, autoBatch: profile.mix ? false : s.autoBatch,
  }));
}

/** A factory of drive tasks, one per worker id (and per replacement). */
export function taskMaker(i: TaskInputs): (workerId: number, port: DriveTask['port']) => DriveTask {
  const { profile, plan } = i;
  const steps = stepConfigs(profile, plan);
  const moduleOf = (p: string | undefined): string | undefined => (p !== undefined && isDataModule(p) ? p : undefined);
  const mix = profile.mix?.map((f, k) => ({
    name: f.name, extractorPath: f.extractorPath, exportName: f.exportName, extractorOptions: f.extractorOptions, rows: i.mixRows?.[k], weight: f.weight, dataModule: moduleOf(f.dataPath), sharedRows: i.mixSharedRows?.[k],
  }));
  const profiling = plan.steps.some((s) => s.profile) && profile.profiling
    ? {
        cpuIntervalUs: profile.profiling.cpu ? profile.profiling.intervalUs : undefined,
        heapIntervalBytes: profile.profiling.heap ? profile.profiling.heapIntervalBytes : undefined,
        heapSnapshot: profile.profiling.heapSnapshot,
        snapshotDir: i.profileDir,
      }
    : undefined;
  return (workerId, port) => ({
    workerId,
    port,
    control: i.ctrl.buffer as SharedArrayBuffer,
    clock: i.clock.buffer as SharedArrayBuffer,
    recording: i.recordingOf(workerId).buffer,
    extractorPath: profile.extractorPath,
    exportName: profile.exportName,
    extractorOptions: profile.extractorOptions,
    rows: i.rows,
    dataModule: moduleOf(profile.dataPath),
    sharedRows: i.sharedRows,
    mix,
    mixSeed: (i.seed >>> 0) / 2 ** 32,
    paired: i.paired,
    snapshotIntervalMs: profile.snapshotIntervalMs,
    steps,
    pinCpu: i.pinCpuOf(workerId),
    profiling,
  });
}
