import { callStats, mean } from '../analysis/stats.js';
import { findKnee, type LoadPoint } from '../analysis/knee.js';
import { evaluateThreshold, type MetricView, type ParsedThreshold } from '../analysis/thresholds.js';
import type { CoordinatorOutput } from '../engine/coordinator.js';
import { encodeHistogram, newHistogram } from '../engine/histogram.js';
import type { HostFacts } from '../engine/host.js';
import { SIGNIFICANT_DIGITS } from '../engine/histogram.js';
import { EXIT } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import type { NormalizedProfile } from '../profile/load.js';
import { RESULT_SCHEMA_VERSION, type StepResult, type StrainResult } from './schema.js';
import { STRAIN_VERSION } from '../version.js';

const MiB = 1024 * 1024;

export interface BuildInput {
  profile: NormalizedProfile;
  plan: Plan;
  run: CoordinatorOutput;
  host: HostFacts;
  thresholds: ParsedThreshold[];
}

export function buildResult({ profile, plan, run, host, thresholds }: BuildInput): StrainResult {
  const { acc, samples } = run;
  const lastStarted = run.started.at(-1);
  const steps: StepResult[] = [];
  const total = newHistogram();
  let totalCalls = 0;
  let totalErrors = 0;
  let totalMs = 0;
  for (const seq of run.started) {
    const planned = plan.steps[seq];
    const s = acc.steps.get(seq);
    if (!planned || !planned.measured || !s) continue;
    const steadyMs = Number.isFinite(s.steadyStartMs) ? s.steadyEndMs - s.steadyStartMs : 0;
    const stepMs = Number.isFinite(s.startMs) ? s.endMs - s.startMs : 0;
    const stats = callStats(s.steady, s.steadyCalls, s.steadyErrors, steadyMs);
    const mine = samples.filter((x) => x.step === seq);
    total.add(s.all);
    totalCalls += s.calls;
    totalErrors += s.errors;
    totalMs += stepMs;
    steps.push({
      phase: planned.phase,
      phaseIndex: planned.phaseIndex,
      index: steps.length,
      executor: planned.executor,
      load: { concurrency: planned.concurrency },
      durationMs: stepMs,
      steadyDurationMs: steadyMs,
      warmupMs: planned.warmupMs,
      ...stats,
      cpu: { meanPercent: mean(mine.map((x) => x.cpuPercent)), peakPercent: Math.max(0, ...mine.map((x) => x.cpuPercent)) },
      peakRssBytes: Math.max(0, ...mine.map((x) => x.rssBytes)),
      saturated: false,
      completed: !(run.aborted && seq === lastStarted),
      histogram: encodeHistogram(s.steady),
    });
  }

  const totalStats = callStats(total, totalCalls, totalErrors, totalMs);
  const view: MetricView = {
    count: totalCalls,
    latencyMs: {
      avg: totalStats.latencyMs.mean,
      min: totalStats.latencyMs.min,
      max: totalStats.latencyMs.max,
      med: totalStats.latencyMs.p50,
      percentile: (p) => (total.totalCount === 0 ? 0 : total.getValueAtPercentile(p) / 1e6),
    },
    errors: { rate: totalStats.errorRate, count: totalErrors },
    throughput: {
      avg: totalStats.throughput,
      min: Math.min(...steps.map((s) => s.throughput)),
      max: Math.max(0, ...steps.map((s) => s.throughput)),
    },
    cpu: { avg: mean(samples.map((x) => x.cpuPercent)), max: Math.max(0, ...samples.map((x) => x.cpuPercent)) },
    memoryMiB: { avg: mean(samples.map((x) => x.rssBytes)) / MiB, max: Math.max(0, ...samples.map((x) => x.rssBytes)) / MiB },
  };
  const verdicts = thresholds.map((t) => evaluateThreshold(t, view, 'run'));

  const points: LoadPoint[] = steps
    .filter((s) => s.completed && s.count > 0)
    .map((s) => ({ load: s.load.concurrency, throughput: s.throughput, p99Ms: s.latencyMs.p99 }));
  const knee = findKnee(points);

  const reasons: string[] = [];
  for (const v of verdicts) {
    if (!v.passed) reasons.push(`threshold ${v.metric} ${v.expression} failed (actual ${v.actual === null ? 'no data' : Number(v.actual.toPrecision(4))})`);
  }
  if (run.aborted) reasons.push('the run was interrupted');
  const status = run.aborted ? 'aborted' : 'completed';
  const exitCode = run.aborted ? EXIT.interrupted : reasons.length ? EXIT.failed : EXIT.passed;

  const errors = [...acc.steps.values()].flatMap((s) =>
    [...s.errorSamples.values()].map((e) => ({ message: e.message, count: e.count, stack: e.stack ?? null, step: s.seq })),
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
      extractor: profile.exportName ? `${profile.extractorPath}#${profile.exportName}` : profile.extractorPath,
      data: profile.dataPath ?? null,
      snapshotIntervalMs: profile.snapshotIntervalMs,
      timing: { method: 'per-call', clock: 'performance.now', unit: 'ns', significantDigits: SIGNIFICANT_DIGITS },
    },
    steps,
    total: { durationMs: totalMs, ...totalStats, histogram: encodeHistogram(total) },
    workers: [...acc.workers.values()]
      .sort((a, b) => a.workerId - b.workerId)
      .map((w) => ({ workerId: w.workerId, count: w.count, errors: w.errors, peakHeapBytes: w.peakHeapBytes, elu: w.snapshots ? w.eluSum / w.snapshots : 0 })),
    resources: {
      peakRssBytes: view.memoryMiB.max * MiB,
      peakCpuPercent: view.cpu.max,
      meanCpuPercent: view.cpu.avg,
      series: samples,
    },
    series: acc.series,
    knee,
    thresholds: verdicts,
    verdict: { passed: reasons.length === 0, reasons },
    faults: run.teardownErrors.map((message) => ({ kind: 'teardown', workerId: Number(/worker (\d+)/.exec(message)?.[1] ?? -1), step: -1, atMs: run.endedAt.getTime() - run.startedAt.getTime(), message })),
    errors,
  };
}

