import { statSync } from 'node:fs';
import { readRows, readSharedRows } from './data/rows.js';
import { isDataModule } from './data/module.js';
import { SHARE_ROWS_BYTES, type SharedRows } from './data/shared-rows.js';
import { StrainError } from './errors.js';
import { parseThreshold, type ParsedThreshold, type ThresholdMetric } from './analysis/thresholds.js';
import type { CheckpointSource, LiveStatus } from './engine/coordinator.js';
import { planProfile, type Plan } from './plan/plan.js';
import { parseDuration } from './profile/duration.js';
import { normalizeProfile, type NormalizedProfile } from './profile/load.js';
import type { Profile, ThresholdRule } from './profile/schema.js';
import { checkWorkerCapacity } from './environment/capacity.js';
import { phaseNames } from './plan/phase-name.js';
import type { StrainResult } from './result/schema.js';
import type { PairedRunOptions } from './ab/paired-run.js';
import { checkShard, shardSeed, type ShardSource, type ShardSpec } from './shard/spec.js';
import { profileFingerprint } from './profile/fingerprint.js';
import { shardPlan } from './shard/split.js';
import type { StartAt } from './shard/start-at.js';
import { WallClockAlignment, type SkewReport } from './shard/align.js';
import type { ShardMeta } from './shard/state.js';
import { shardStartWarning } from './shard/warnings.js';

/** What `onProgress` receives about once a second. */
export interface Progress {
  phase: string;
  /** Position among measured steps, from 1. */
  step: number;
  steps: number;
  concurrency: number;
  elapsedMs: number;
  /** Time left in timed steps; counted steps are not included. */
  remainingMs: number;
  /** Calls per second in the current step so far. */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  cpuPercent: number | null;
  rssBytes: number | null;
  /** A capacity probe: what it is and its load; `steps` and `remainingMs` are then the most the search may take. */
  search?: { kind: string; mode: 'rate' | 'concurrency'; load: number } | undefined;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Paths in the profile are relative to this folder (default: the working directory). */
  baseDir?: string;
  /** Names the profile in error messages (a file path, usually). */
  source?: string;
  /** Progress period in milliseconds (default 1000). */
  progressIntervalMs?: number;
  /** Pin worker threads to CPUs (Linux); overrides the profile's `pin`. */
  pin?: boolean;
  /**
   * Keep a checkpoint in this folder while the run goes on (replaced every
   * `checkpointMs`, default 5 s, and at each step end), so `strain recover`
   * can turn a killed run into a result. Removed when the run returns,
   * unless `keepCheckpoint` (the CLI removes it after writing the result).
   */
  checkpointDir?: string;
  checkpointMs?: number;
  keepCheckpoint?: boolean;
  /** With profile.cpu: write each kept step's .cpuprofile files (one per worker) here. */
  profileDir?: string;
  /** A paired A/B run: set by runAB (src/ab/run-ab.ts) on the two-function profile it makes. */
  paired?: PairedRunOptions;
  /**
   * Run one shard of the profile (src/shard): its exact part of the load.
   * With `checkpointDir`, the shard's whole data is left there as
   * shard-state.json for `mergeShards` / `strain merge`.
   */
  shard?: ShardOptions;
}

export interface ShardOptions extends ShardSpec {
  /** How the index was found (default 'given'). */
  source?: ShardSource;
  /** Align every step to the wall clock: an epoch time, or a delay after the last shard arrives in `dir`. */
  startAt?: StartAt;
  /** A folder all shards share, for a relative startAt. */
  dir?: string;
  /** How long a relative startAt waits for the other shards (default 10 minutes). */
  startTimeoutMs?: number;
}

/** A threshold key in k6's tag form: `latency{fn:deep}`. */
const FN_TAG = /^(latency|errors|throughput)\{fn:([A-Za-z0-9_.-]+)\}$/;
const withFn = (t: ParsedThreshold, fn: string | undefined): ParsedThreshold => (fn === undefined ? t : { ...t, fn });

export function parseThresholds(profile: NormalizedProfile, source: string): ParsedThreshold[] {
  const out: ParsedThreshold[] = [];
  for (const [key, list] of Object.entries(profile.thresholds)) {
    const rules = (list ?? []) as ThresholdRule[];
    const tagged = FN_TAG.exec(key);
    const metric = (tagged ? tagged[1] : key) as ThresholdMetric;
    const fn = tagged?.[2];
    if (fn !== undefined && !profile.mix?.some((f) => f.name === fn)) {
      const names = profile.mix?.map((f) => f.name).join(', ');
      throw new StrainError('STRAIN_PROFILE_INVALID', names ? `no function of the mix is named ${JSON.stringify(fn)} (it has ${names})` : `names the function ${JSON.stringify(fn)}, and this profile is not a mix`, { where: `${source} $.thresholds["${key}"]` });
    }
    rules.forEach((rule, i) => {
      const where = `${source} $.thresholds${tagged ? `["${key}"]` : `.${key}`}[${i}]`;
      if (typeof rule === 'string') out.push(withFn(parseThreshold(metric, rule, where), fn));
      else {
        const delay = rule.delayAbortEval === undefined ? 0 : parseDuration(rule.delayAbortEval, `${where}.delayAbortEval`);
        if (rule.phase !== undefined && !phaseNames(profile.phases).includes(rule.phase)) {
          throw new StrainError('STRAIN_PROFILE_INVALID', `no phase is named ${JSON.stringify(rule.phase)}`, { where: `${where}.phase` });
        }
        out.push(withFn(parseThreshold(metric, rule.threshold, `${where}.threshold`, {
          abortOnFail: rule.abortOnFail ?? false,
          delayAbortEvalMs: delay,
          scope: rule.scope ?? (rule.phase !== undefined ? 'phase' : 'run'),
          ...(rule.phase !== undefined ? { phase: rule.phase } : {}),
        }), fn));
      }
    });
  }
  return out;
}

/** Everything that can be checked before a worker starts. Throws coded errors. */
export function prepareRun(profile: Profile | unknown, options: Pick<RunOptions, 'baseDir' | 'source' | 'shard'> = {}): {
  profile: NormalizedProfile;
  plan: Plan;
  /** A shard's fingerprint of the whole profile. */
  fingerprint: string | undefined;
  rows: unknown[];
  thresholds: ParsedThreshold[];
  mixRows: (unknown[] | undefined)[] | undefined;
  /** Data files of SHARE_ROWS_BYTES or more: held once for all workers instead of cloned into each. */
  sharedRows: SharedRows | undefined;
  mixSharedRows: (SharedRows | undefined)[] | undefined;
} {
  const source = options.source ?? 'profile';
  const normalized = normalizeProfile(profile, options.baseDir ?? process.cwd(), source);
  let plan = planProfile(normalized, source);
  let fingerprint: string | undefined;
  if (options.shard) {
    const shard = checkShard(options.shard, 'shard');
    fingerprint = profileFingerprint(profile as Profile);
    plan = shardPlan(plan, normalized.phases, shard, source);
    // All shards draw from one schedule, so they need one seed without talking to each other.
    normalized.seed ??= shardSeed(fingerprint);
  }
  const thresholds = parseThresholds(normalized, source);
  // A data module's rows are made in each worker (nothing to read or clone here).
  const fileOf = (p: string | undefined): string | undefined => (p !== undefined && !isDataModule(p) ? p : undefined);
  // The files' size is a fair, free proxy for the rows' clone size; a large file is shared, not cloned.
  let clonedBytes = 0;
  const load = (file: string | undefined): { rows: unknown[] | undefined; shared: SharedRows | undefined } => {
    if (file === undefined) return { rows: undefined, shared: undefined };
    const size = statSync(file).size;
    if (size >= SHARE_ROWS_BYTES) return { rows: undefined, shared: readSharedRows(file) };
    clonedBytes += size;
    return { rows: readRows(file), shared: undefined };
  };
  const main = load(fileOf(normalized.dataPath));
  const own = normalized.mix?.map((f) => load(fileOf(f.dataPath)));
  checkWorkerCapacity(plan.maxWorkers, clonedBytes, `${source} $.phases`);
  return {
    profile: normalized, plan, fingerprint, rows: main.rows ?? [], thresholds, mixRows: own?.map((o) => o.rows),
    sharedRows: main.shared, mixSharedRows: own?.map((o) => o.shared),
  };
}

function progressOf(live: LiveStatus, plan: Plan): Progress {
  const step = plan.steps[live.seq];
  const measured = plan.steps.filter((s) => s.measured);
  const cur = live.acc.steps.get(live.seq);
  const spanMs = cur && cur.calls > 0 ? cur.endMs - cur.startMs : 0;
  const now = Date.now();
  const left = plan.steps
    .filter((s) => s.seq > live.seq)
    .reduce((a, s) => a + (s.durationMs ?? 0), Math.max(0, (step?.durationMs ?? 0) - (now - live.stepStartMs)));
  let errors = 0;
  for (const s of live.acc.steps.values()) if (plan.steps[s.seq]?.measured) errors += s.errors;
  return {
    phase: step?.phase ?? '',
    step: step ? measured.indexOf(step) + 1 : 0,
    steps: measured.length,
    concurrency: step?.concurrency ?? 0,
    elapsedMs: now - live.runStartMs,
    remainingMs: left,
    throughput: cur && spanMs > 0 ? cur.calls / (spanMs / 1000) : 0,
    p50Ms: cur && cur.calls ? cur.all.getValueAtPercentile(50) / 1e6 : 0,
    p99Ms: cur && cur.calls ? cur.all.getValueAtPercentile(99) / 1e6 : 0,
    errors,
    cpuPercent: live.lastSample?.cpuPercent ?? null,
    rssBytes: live.lastSample?.rssBytes ?? null,
    ...(step?.search ? { search: { kind: step.search.kind ?? 'probe', mode: step.search.settings.mode, load: step.open?.rate ?? step.concurrency } } : {}),
  };
}

/**
 * Run a stress profile and return its result. Never prints, never exits:
 * bad input throws a StrainError before any worker starts; an aborted run
 * resolves with `status: 'aborted'` and the steps completed so far.
 */
export async function runStress(profile: Profile | unknown, options: RunOptions = {}): Promise<StrainResult> {
  const prepared = prepareRun(profile, options);
  // The engine (Piscina, systeminformation, the result builder) loads with the first run, not with the library.
  // The host's facts (systeminformation waits on lscpu) are read while the engine's modules load.
  const [{ coordinate }, host, { CheckpointWriter }, { buildResult }, { judgeThresholds, scopedViews }] = await Promise.all([
    import('./engine/coordinator.js'), import('./engine/host.js').then((m) => m.hostFacts()), import('./checkpoint/writer.js'), import('./result/build.js'), import('./result/views.js'),
  ]);
  const periodMs = options.progressIntervalMs ?? 1000;
  const onProgress = options.onProgress;
  // Our own controller: the caller's signal or a failing abortOnFail threshold stops the run.
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  if (options.signal?.aborted) controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const watched = prepared.thresholds.filter((t) => t.abortOnFail);
  let abortedBy: string | undefined;
  const onTick = (live: LiveStatus): void => {
    if (watched.length && !controller.signal.aborted) {
      const elapsed = Date.now() - live.runStartMs;
      const due = watched.filter((t) => elapsed >= t.delayAbortEvalMs);
      const failed = judgeThresholds(due, scopedViews(live.acc, prepared.plan, live.started, live.samples, 1000, prepared.profile.mix?.map((f) => f.name))).find((v) => !v.passed && v.actual !== null);
      if (failed) {
        abortedBy = `threshold ${failed.metric} ${failed.expression} failed during the run (scope ${failed.scope}, actual ${Number(failed.actual?.toPrecision(4))}); abortOnFail stopped it`;
        controller.abort();
      }
    }
    onProgress?.(progressOf(live, prepared.plan));
  };
  const steer = prepared.plan.steps.some((s) => s.search) ? new (await import('./capacity/steer.js')).SearchSteer(prepared.plan, prepared.thresholds, prepared.profile.mix?.map((f) => f.name)) : undefined;
  const pairedRun = options.paired ? await import('./ab/paired-run.js') : undefined;
  const paired = options.paired && pairedRun ? pairedRun.pairPlan(prepared.profile, prepared.plan, options.paired.settings, options.source ?? 'profile') : undefined;
  const align = options.shard?.startAt ? await alignmentOf(options.shard, prepared.fingerprint as string, prepared.plan, controller.signal) : undefined;
  const shardAtStart = options.shard ? shardMetaOf(options.shard, prepared.fingerprint as string, align?.report()) : undefined;
  const writer = options.checkpointDir
    ? new CheckpointWriter(options.checkpointDir, { profile, baseDir: options.baseDir ?? process.cwd(), source: options.source ?? 'profile', host, shard: shardAtStart, paired: options.paired })
    : undefined;
  const { measureHostSpeed } = await import('./environment/host-speed.js');
  const speedStart = measureHostSpeed();
  try {
    const run = await coordinate(prepared.profile, prepared.plan, prepared.rows, {
      signal: controller.signal,
      mixRows: prepared.mixRows,
      sharedRows: prepared.sharedRows,
      mixSharedRows: prepared.mixSharedRows,
      tickMs: watched.length ? Math.min(periodMs, 250) : periodMs,
      onTick: onProgress || watched.length ? onTick : undefined,
      pin: options.pin ?? prepared.profile.pin,
      steer,
      align,
      profileDir: options.profileDir,
      ...(paired ? paired.coordinate : {}),
      ...(writer ? { onCheckpoint: (st: CheckpointSource) => writer.write(st, steer?.checkpoint()), checkpointMs: options.checkpointMs ?? 5000 } : {}),
    });
    const hostSpeed = { start: speedStart, end: measureHostSpeed() };
    const shard = options.shard ? shardMetaOf(options.shard, prepared.fingerprint as string, align?.report()) : undefined;
    const result = buildResult({ ...prepared, run, host, abortedBy, search: steer?.outcome(), profileDir: options.profileDir, hostSpeed, shard });
    const late = shard ? shardStartWarning(shard) : undefined;
    if (late) (result.warnings ??= []).push(late);
    if (paired && pairedRun && options.paired && result.status === 'completed') {
      pairedRun.attachPaired(result, prepared.profile, prepared.plan, run.acc.steps, paired, options.paired);
    }
    if (writer && shard) {
      const { writeShardState } = await import('./shard/write-state.js');
      writeShardState(options.checkpointDir as string, writer.stateOf({ ...run, samples: run.samples }), { shard, result, run, plan: prepared.plan });
    }
    if (writer && !options.keepCheckpoint) writer.remove();
    return result;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function alignmentOf(shard: ShardOptions, fingerprint: string, plan: Plan, signal: AbortSignal): Promise<WallClockAlignment> {
  const startAt = shard.startAt as StartAt;
  let atMs: number;
  if ('atMs' in startAt) atMs = startAt.atMs;
  else {
    if (!shard.dir) throw new StrainError('STRAIN_USAGE', 'a relative start (+DURATION) needs a folder all shards share (--shard-dir): it starts after the last shard arrives there', { where: '--start-at' });
    const { rendezvous } = await import('./shard/start-at.js');
    atMs = await rendezvous(shard.dir, shard, fingerprint, startAt.afterMs, { timeoutMs: shard.startTimeoutMs, signal });
  }
  return new WallClockAlignment(atMs, plan);
}

function shardMetaOf(shard: ShardOptions, fingerprint: string, skew: SkewReport | undefined): ShardMeta {
  return {
    index: shard.index, count: shard.count, fingerprint, source: shard.source ?? 'given',
    startAt: skew?.startAt ?? null, skewMs: skew?.skewMs ?? null, maxStepSkewMs: skew?.maxStepSkewMs ?? null,
  };
}
