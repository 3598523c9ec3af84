import { callStats, latencyStats } from '../analysis/stats.js';
import type { StepAccumulator } from '../engine/merge.js';
import type { OpenLoop } from '../plan/plan.js';
import { findKnee, type LoadPoint } from '../analysis/knee.js';
import { rampChecks } from '../analysis/ramp-checks.js';
import type { SeriesPoint } from '../engine/merge.js';
import type { ParsedThreshold } from '../analysis/thresholds.js';
import { resourcesOver } from './resources.js';
import { environmentOver } from '../environment/disturbance.js';
import { judgeThresholds, scopedViews, type ScopedView } from './views.js';
import { enduranceOf, spikeOf, type Plateau } from './endurance.js';
import type { CoordinatorOutput } from '../engine/coordinator.js';
import { encodeHistogram, newHistogram } from '../engine/histogram.js';
import { scheduledCount, stepSeed } from '../engine/schedule.js';
import type { ShardMeta } from '../shard/state.js';
import type { MergedShards } from '../shard/merged-meta.js';
import type { HostFacts } from '../engine/host.js';
import { SIGNIFICANT_DIGITS } from '../engine/histogram.js';
import { FunctionTotals, functionResults } from './functions.js';
import { EXIT } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import type { NormalizedProfile } from '../profile/load.js';
import { RESULT_SCHEMA_VERSION, type StepResult, type StrainResult } from './schema.js';
import { STRAIN_VERSION } from '../version.js';
import { capacityResult, type SearchOutcome } from '../capacity/result.js';
import { profilesOf } from '../profiling/result.js';
import type { SpeedReading } from '../environment/host-speed.js';


export interface BuildInput {
  profile: NormalizedProfile;
  plan: Plan;
  run: CoordinatorOutput;
  host: HostFacts;
  thresholds: ParsedThreshold[];
  /** Set when an abortOnFail threshold stopped the run. */
  abortedBy?: string | undefined;
  /** Set by `strain recover`: the result comes from the checkpoint of a killed run. */
  interrupted?: boolean;
  /** A capacity-search phase's outcome. */
  search?: SearchOutcome | undefined;
  /** Where CPU profiles are written (.cpuprofile per kept step and worker). */
  profileDir?: string | undefined;
  /** The host-speed reference taken before the workers started and after they ended. */
  hostSpeed?: { start: SpeedReading; end?: SpeedReading | undefined } | undefined;
  /** This run is one shard of a larger test (src/shard). */
  shard?: ShardMeta | undefined;
  /** This result is the merge of shards (strain merge). */
  shards?: MergedShards | undefined;
}

export function buildResult({ profile, plan, run, host, thresholds, abortedBy, interrupted, search, profileDir, hostSpeed, shard, shards }: BuildInput): StrainResult {
  const { acc, samples } = run;
  const lastStarted = run.started.at(-1);
  const steps: StepResult[] = [];
  /** Plan step → position in `steps` (warm-up steps have none). */
  const indexOfSeq = new Map<number, number>();
  // Run-level figures come from the steady parts only, exactly as steps do.
  const total = newHistogram();
  const totalFailed = newHistogram();
  let totalCalls = 0;
  let totalErrors = 0;
  let totalMs = 0;
  let totalHarvested = 0;
  let totalWarmup = 0;
  let totalOverran = 0;
  const fnTotals = new FunctionTotals();
  const empty: string[] = [];
  for (const seq of run.started) {
    const planned = plan.steps[seq];
    const s = acc.steps.get(seq);
    if (!planned || !planned.measured || !s) continue;
    const steadyMs = Number.isFinite(s.steadyStartMs) ? s.steadyEndMs - s.steadyStartMs : 0;
    const stepMs = Number.isFinite(s.startMs) ? s.endMs - s.startMs : 0;
    const completed = !((run.aborted || run.failed || interrupted) && seq === lastStarted);
    // An open-loop step's window is its schedule's (the start-up lead before it is not in it).
    const windowMs = planned.open && completed && planned.durationMs !== undefined ? planned.durationMs - planned.warmupMs : steadyMs;
    const stats = callStats(s.steady, s.failedSteady, s.steadyCalls, s.steadyErrors, windowMs);
    const res = resourcesOver(samples, s.startMs - acc.runStartMs, s.endMs - acc.runStartMs, run.samplePeriodMs);
    // Judged over the window the figures come from: a neighbour during the warm-up changes nothing measured.
    const env = Number.isFinite(s.steadyStartMs)
      ? environmentOver(samples, s.steadyStartMs - acc.runStartMs, s.steadyEndMs - acc.runStartMs, run.samplePeriodMs, host.cpus)
      : null;
    total.add(s.steady);
    totalFailed.add(s.failedSteady);
    totalCalls += s.steadyCalls;
    totalErrors += s.steadyErrors;
    totalMs += windowMs;
    totalHarvested += s.harvestedCalls;
    totalWarmup += s.calls - s.steadyCalls;
    totalOverran += s.overran;
    fnTotals.add(s.fnSteady, windowMs);
    const busyFraction = windowMs > 0 ? s.steadyBusyMs / (windowMs * planned.workers) : 0;
    steps.push({
      phase: planned.phase,
      phaseIndex: planned.phaseIndex,
      index: steps.length,
      executor: planned.executor,
      load: planned.open ? { concurrency: planned.concurrency, rate: planned.open.rate } : { concurrency: planned.concurrency },
      startMs: Number.isFinite(s.startMs) ? s.startMs - acc.runStartMs : 0,
      endMs: Number.isFinite(s.endMs) ? s.endMs - acc.runStartMs : 0,
      durationMs: stepMs,
      steadyDurationMs: steadyMs,
      warmupMs: planned.warmupMs,
      ...stats,
      harvestedCalls: s.harvestedCalls,
      warmupCount: s.calls - s.steadyCalls,
      overranCalls: s.overran,
      busyFraction,
      // Null when no resource sample covered the step: a missing figure is never a zero.
      cpu: {
        meanPercent: res.meanCpu, peakPercent: res.peakCpu,
        workersPercent: s.steadyCpuMs === null || windowMs <= 0 ? null : (100 * s.steadyCpuMs) / windowMs,
        engineOverheadPercent: s.steadyCpuMs === null || res.meanCpu === null || windowMs <= 0 ? null : Math.max(0, res.meanCpu - (100 * s.steadyCpuMs) / windowMs),
      },
      peakRssBytes: res.peakRss,
      ...(env ? { environment: env } : {}),
      saturated: false,
      completed,
      histogram: encodeHistogram(s.steady),
      ...(profile.mix ? { functions: functionResults(profile.mix, s.fnSteady, windowMs) } : {}),
    });
    const step = steps[steps.length - 1] as StepResult;
    indexOfSeq.set(seq, step.index);
    if (s.steadyCalls === 0) empty.push(`step ${step.index + 1} (${planned.phase}) measured no calls${s.calls > 0 ? ' after its warm-up' : ''}`);
    if (planned.open) {
      const o = openLoopOf(s, planned.open, completed ? (planned.durationMs as number) : stepMs, stepSeed(run.seed, seq), busyFraction);
      step.openLoop = o.openLoop;
      step.saturated = o.saturated;
    }
  }

  const totalStats = callStats(total, totalFailed, totalCalls, totalErrors, totalMs);
  const views = scopedViews(acc, plan, run.started, samples, run.samplePeriodMs, profile.mix?.map((f) => f.name));
  const runView = (views[0] as ScopedView).view;
  const verdicts = judgeThresholds(thresholds, views);

  const knee: StrainResult['knee'] = findKnee(loadPoints(steps));
  // The ramp checks itself: repeated levels must agree, and per-worker throughput must not rise past the cores.
  const closedSteps = steps.filter((s) => s.completed && s.count > 0 && !s.openLoop);
  const checks = rampChecks(closedSteps.map((s) => ({ load: s.load.concurrency, throughput: s.throughput, relSe: relSeOf(acc.series, s, acc.intervalMs), index: s.index })), host.cpus);
  knee.repeats = checks.repeats;
  knee.checks = checks.warnings;
  // A knee (or its absence) computed from a ramp that disagrees with itself is doubtful either way.
  if (checks.warnings.length) {
    knee.confidence = 'low';
    knee.reason = `${knee.reason}; confidence low: ${checks.warnings.join('; ')}`;
  }
  const stoppedIndex = run.stopped ? indexOfSeq.get(run.stopped.seq) : undefined;
  const stoppedStep = stoppedIndex === undefined ? undefined : steps[stoppedIndex];

  // Trends are judged per plateau of constant load: each measured step's steady part.
  const plateaus: Plateau[] = [];
  for (const st of steps) {
    const seq = [...indexOfSeq].find(([, i]) => i === st.index)?.[0];
    const a = seq === undefined ? undefined : acc.steps.get(seq);
    if (seq === undefined || !a || !Number.isFinite(a.steadyStartMs)) continue;
    plateaus.push({ index: st.index, seq, fromMs: a.steadyStartMs - acc.runStartMs, toMs: a.steadyEndMs - acc.runStartMs });
  }
  const endurance = enduranceOf(acc, profile, plateaus, samples);
  // A search's probes jump up and down by design: no spike is read into them.
  const spike = spikeOf(steps.filter((st) => st.executor !== 'capacity-search'), acc.series, profile.analysis.spikeTolerance);
  const capacity = search ? capacityResult(search, steps, indexOfSeq) : undefined;
  const reasons: string[] = [];
  if (capacity && capacity.capacity === null && capacity.status !== 'interrupted') reasons.push(`capacity search: ${capacity.reason}`);
  for (const v of verdicts) {
    if (!v.passed) reasons.push(`threshold ${v.metric} ${v.expression} failed (actual ${v.actual === null ? 'no data' : Number(v.actual.toPrecision(4))})`);
  }
  const failOn = profile.analysis.failOn ?? ['leak', 'drift'];
  for (const h of endurance.heap) {
    if (h.trend.verdict === 'leak' && failOn.includes('leak')) reasons.push(`worker ${h.workerId} memory leaks (${h.trend.part ?? 'heap'}): ${h.trend.reason}`);
  }
  if (endurance.rss?.verdict === 'leak' && failOn.includes('leak')) reasons.push(`process RSS leaks: ${endurance.rss.reason}`);
  if (endurance.latency.verdict === 'drift' && failOn.includes('drift')) reasons.push(`latency drifts: ${endurance.latency.reason}`);
  // Silence never passes: a step (or a run) that measured nothing fails, and says so.
  reasons.push(...empty);
  if (totalCalls === 0) reasons.push(steps.length ? 'the run measured no calls' : 'the run measured no steps');
  if (run.faults.length) {
    const kinds = [...new Set(run.faults.map((f) => f.kind))].join(', ');
    reasons.push(`${run.faults.length} worker fault(s) (${kinds})`);
  }
  if (run.failed) reasons.unshift(`the fault budget (maxFaults ${profile.maxFaults}) ran out; the run ended early`);
  if (abortedBy) reasons.unshift(abortedBy);
  else if (interrupted) reasons.unshift('the run was killed; this result was recovered from its last checkpoint');
  else if (run.aborted) reasons.push('the run was interrupted');
  const status = run.failed ? 'failed' : interrupted ? 'interrupted' : run.aborted ? 'aborted' : 'completed';
  // A threshold that aborted the run is a failed threshold (1), not an interruption (130).
  const exitCode = run.failed ? EXIT.engine : abortedBy ? EXIT.failed : run.aborted || interrupted ? EXIT.interrupted : reasons.length ? EXIT.failed : EXIT.passed;

  // Only measured steps: the catalogue adds up to the run's error count.
  const errors = [...acc.steps.values()].filter((s) => plan.steps[s.seq]?.measured).flatMap((s) =>
    [...s.errorSamples.values()].map((e) => ({ message: e.message, count: e.count, stack: e.stack ?? null, step: indexOfSeq.get(s.seq) ?? -1 })),
  );
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    name: profile.name,
    status,
    exitCode,
    meta: {
      startedAt: run.startedAt.toISOString(),
      endedAt: run.endedAt.toISOString(),
      durationMs: run.endedAt.getTime() - run.startedAt.getTime(),
      strainVersion: STRAIN_VERSION,
      host,
      extractor: profile.mix
        ? `mix: ${profile.mix.map((f) => `${f.name} ${f.weight} ${f.exportName ? `${f.extractorPath}#${f.exportName}` : f.extractorPath}`).join(', ')}`
        : profile.exportName ? `${profile.extractorPath}#${profile.exportName}` : profile.extractorPath,
      data: profile.dataPath ?? null,
      snapshotIntervalMs: profile.snapshotIntervalMs,
      seed: run.seed,
      ...(hostSpeed ? { hostSpeed: hostSpeedOf(hostSpeed.start, hostSpeed.end) } : {}),
      ...(shard ? { shard } : {}),
      ...(shards ? { shards } : {}),
      timing: timingOf(plan, acc, totalStats.latencyMs.p50, totalCalls),
    },
    steps,
    total: { durationMs: totalMs, ...totalStats, harvestedCalls: totalHarvested, warmupCount: totalWarmup, overranCalls: totalOverran, histogram: encodeHistogram(total), ...(profile.mix ? { functions: fnTotals.results(profile.mix) } : {}) },
    workers: [...acc.workers.values()]
      .sort((a, b) => a.workerId - b.workerId)
      .map((w) => ({
        workerId: w.workerId, ...(w.shard !== undefined ? { shard: w.shard } : {}), count: w.count, errors: w.errors, peakHeapBytes: w.peakHeapBytes, peakMemoryBytes: w.peakMemoryBytes,
        elu: w.spanMs > 0 ? Math.min(1, w.busyMs / w.spanMs) : 0,
        cpuPercent: w.cpuMs === null || w.spanMs <= 0 ? null : (100 * w.cpuMs) / w.spanMs,
      })),
    resources: {
      // Over every sample of the run (warm-ups included): a peak is a peak whenever it happened.
      peakRssBytes: Math.max(0, ...samples.map((x) => x.rssBytes)),
      peakCpuPercent: Math.max(0, ...samples.map((x) => x.cpuPercent)),
      meanCpuPercent: runView.cpu.avg ?? 0,
      // One step numbering everywhere: a point's step is its index in steps[] (-1 outside a measured step).
      series: samples.map((x) => ({ ...x, step: indexOfSeq.get(x.step) ?? -1 })),
    },
    series: acc.series.map((p) => ({ ...p, step: indexOfSeq.get(p.step) ?? -1 })),
    knee,
    thresholds: verdicts,
    verdict: { passed: reasons.length === 0, reasons },
    faults: [
      ...run.faults.map((f) => ({ kind: f.kind, workerId: f.workerId, step: indexOfSeq.get(f.seq) ?? -1, atMs: f.atMs, message: f.message })),
      ...run.teardownErrors.map((message) => ({ kind: 'teardown', workerId: Number(/worker (\d+)/.exec(message)?.[1] ?? -1), step: -1, atMs: run.endedAt.getTime() - run.startedAt.getTime(), message })),
    ],
    errors,
    endurance,
    spike,
    placement: run.placement,
    ...(run.stopped && stoppedStep ? { breakpoint: breakpointOf(steps, stoppedStep, run.stopped.reason) } : {}),
    ...(capacity ? { capacity } : {}),
    ...(profile.profiling ? {
      profiles: profilesOf({
        messages: run.profiles, steps, indexOfSeq, knee, extractorPath: profile.extractorPath, intervalUs: profile.profiling.intervalUs, heapIntervalBytes: profile.profiling.heapIntervalBytes,
        named: profile.profiling.steps !== undefined, dir: profileDir,
        profiled: new Set(plan.steps.filter((p) => p.profile).map((p) => indexOfSeq.get(p.seq)).filter((i): i is number => i !== undefined)),
      }),
    } : {}),
    ...(run.heapSnapshots.length ? {
      heapSnapshots: run.heapSnapshots.map((m) => ({ workerId: m.workerId, step: indexOfSeq.get(m.step) ?? -1, file: m.file ?? null, bytes: m.bytes, error: m.error ?? null })),
    } : {}),
  };
}

/**
 * Relative standard error of a step's throughput, from the series buckets
 * that lie wholly inside its steady window (0 with fewer than 3: the noise is
 * then not known, and a repeat must agree within the floor of 5%).
 */
function relSeOf(series: readonly SeriesPoint[], step: StepResult, intervalMs: number): number {
  const from = step.startMs + step.warmupMs;
  const xs = series.filter((p) => p.tMs - intervalMs >= from - 1 && p.tMs <= step.endMs + 1).map((p) => p.throughput);
  if (xs.length < 3) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
  return m > 0 ? sd / m / Math.sqrt(xs.length) : 0;
}

/** Workers busy this fraction of a step or more are saturated: lag is queueing for them. */
const SATURATED_BUSY = 0.9;

/** A call whose median is under this (ms) is near the cost of the two timer reads around it. */
const TIMER_FLOOR_MS = 0.001;

function timingOf(plan: Plan, acc: BuildInput['run']['acc'], p50Ms: number, calls: number): StrainResult['meta']['timing'] {
  const measured = plan.steps.filter((s) => s.measured);
  const used = new Set<number>();
  for (const s of measured) for (const b of acc.steps.get(s.seq)?.batchSizes ?? []) used.add(b);
  const sizes = [...used].sort((a, b) => a - b);
  const batched = sizes.some((b) => b > 1);
  const auto = batched && measured.every((s) => s.autoBatch);
  const nearFloor = !batched && calls > 0 && p50Ms < TIMER_FLOOR_MS;
  return {
    method: batched ? 'batched' : 'per-call',
    clock: 'performance.now',
    unit: 'ns',
    significantDigits: SIGNIFICANT_DIGITS,
    batchSizes: sizes.length ? sizes : [1],
    note: nearFloor
      ? `the median call (${(p50Ms * 1000).toFixed(3)} µs) is near the cost of the timer reads around it; leave batchSize unset (strain batches sub-µs calls itself) or set one above 1`
      : batched
        ? `${auto ? 'calls under 1 µs were batched automatically: ' : ''}calls were timed in batches (${sizes.filter((b) => b > 1).join(', ')} per pair of timer reads${auto ? ', chosen so the two reads stay under 1% of the time measured; the first 2 000 calls of each worker were timed singly to decide' : ''}); each call is recorded at its batch's mean, so percentiles describe batches, not single calls`
        : null,
  };
}

/**
 * The (load, throughput, p99) points a knee is found on: one load model per
 * knee, whichever (concurrency or arrival rate) has more completed steps.
 */
export function loadPoints(steps: readonly StepResult[]): LoadPoint[] {
  const usable = steps.filter((s) => s.completed && s.count > 0);
  const open = usable.filter((s) => s.openLoop);
  const closed = usable.filter((s) => !s.openLoop);
  return open.length >= closed.length && open.length > 0
    ? open.map((s) => ({
        load: s.load.rate as number, throughput: s.openLoop?.achieved ?? 0, p99Ms: s.latencyMs.p99, p50Ms: s.latencyMs.p50, count: s.count - s.errors,
        // What the schedule drew, not the nominal rate: achieved is judged against the arrivals that existed.
        offered: s.openLoop?.scheduledRate ?? (s.load.rate as number),
      }))
    : closed.map((s) => ({ load: s.load.concurrency, throughput: s.throughput, p99Ms: s.latencyMs.p99, p50Ms: s.latencyMs.p50, count: s.count - s.errors }));
}

/** The last step before the one that broke the stop condition is the last good load. */
function breakpointOf(steps: StepResult[], at: StepResult, reason: string): NonNullable<StrainResult['breakpoint']> {
  const before = steps.filter((s) => s.phaseIndex === at.phaseIndex && s.index < at.index).at(-1);
  return {
    step: at.index,
    phase: at.phase,
    reason,
    lastGoodLoad: before ? (before.load.rate ?? before.load.concurrency) : null,
  };
}

/**
 * Judged against the arrivals the schedule actually drew in the step, never
 * the nominal rate: a Poisson step of 40/s may draw 375 arrivals in 10 s.
 */
/**
 * Dispatch lag, not the function, makes the latency tail: the generator fell
 * behind. Not when the workers were busy nearly all the step: arrivals then
 * wait for a free worker, which is the function's capacity, not the generator.
 */
function lagDominated(s: StepAccumulator, busyFraction: number): boolean {
  if (s.steadyLag.totalCount === 0 || busyFraction >= SATURATED_BUSY) return false;
  const lag = s.steadyLag.getValueAtPercentile(99) / 1e6;
  const lat = s.steady.totalCount ? s.steady.getValueAtPercentile(99) / 1e6 : 0;
  return lag > 1 && lag > 0.5 * lat;
}

function openLoopOf(s: StepAccumulator, open: OpenLoop, durationMs: number, seed: number, busyFraction: number): { openLoop: NonNullable<StepResult['openLoop']>; saturated: boolean } {
  const scheduled = scheduledCount(open, seed, durationMs);
  const dropped = Math.max(0, scheduled - s.calls);
  const achieved = durationMs > 0 ? s.calls / (durationMs / 1000) : 0;
  // Lateness inside the step's warm-up (JIT, first snapshots) is reported but not judged.
  const saturated = dropped > 0.01 * scheduled || s.steadyLate > 0.05 * Math.max(1, s.steadyCalls) || s.calls < 0.97 * scheduled;
  return {
    saturated,
    openLoop: {
      arrival: open.arrival,
      offered: open.rate,
      achieved,
      scheduled,
      scheduledRate: durationMs > 0 ? scheduled / (durationMs / 1000) : 0,
      lagDominated: lagDominated(s, busyFraction),
      late: s.late,
      dropped,
      serviceMs: latencyStats(s.steadyService),
      lagMs: latencyStats(s.steadyLag),
      serviceHistogram: encodeHistogram(s.steadyService),
    },
  };
}


function hostSpeedOf(start: SpeedReading, end: SpeedReading | undefined): NonNullable<StrainResult['meta']['hostSpeed']> {
  const both = end ? [start, end] : [start];
  return {
    bytesPerUs: both.reduce((a, x) => a + x.bytesPerUs, 0) / both.length,
    spread: Math.max(...both.map((x) => x.spread)),
    start,
    ...(end ? { end } : {}),
  };
}
