/**
 * strain merge: the shards of one test into one result. Histograms add
 * exactly, counts and rates sum, and the result is built by the same code a
 * single run's is (knee over the total load, thresholds, verdict), from the
 * whole profile's plan with each step's load the sum of the shards'.
 */
import type { CheckpointState } from '../checkpoint/state.js';
import { restoreAccumulator } from '../checkpoint/state.js';
import type { CoordinatorOutput } from '../engine/coordinator.js';
import type { HostFacts } from '../engine/host.js';
import { RunAccumulator, type StepAccumulator } from '../engine/merge.js';
import { StrainError } from '../errors.js';
import { planProfile, type Plan } from '../plan/plan.js';
import { normalizeProfile } from '../profile/load.js';
import { buildResult } from '../result/build.js';
import type { StrainResult } from '../result/schema.js';
import { parseThresholds } from '../run.js';
import type { MergedShards, ShardPiece } from './merged-meta.js';
import { fleetSamples, mergeSeries } from './merge-series.js';
import { addStep, closedThroughputSpan } from './merge-steps.js';
import { readShardState, type ShardState } from './state.js';
import { mergeStartWarnings } from './warnings.js';

export interface MergeOptions {
  /** Merge an incomplete set (the missing shards are named in meta.shards). */
  partial?: boolean;
}

export interface ShardInput {
  state: ShardState;
  /** Where it was read from (named in errors and in meta.shards). */
  from: string;
}

const refuse = (message: string, where: string): StrainError => new StrainError('STRAIN_MERGE', message, { where });

/** Check the pieces are shards of one test: one profile, one count, one seed, each index once. */
export function checkPieces(pieces: readonly ShardInput[], opts: MergeOptions = {}): { held: number[]; missing: number[] } {
  const first = pieces[0];
  if (!first) throw refuse('nothing to merge: give the shards\' --out folders or result.json files', 'strain merge');
  const seen = new Map<number, string>();
  for (const p of pieces) {
    const sh = p.state.shard;
    if (sh.fingerprint !== first.state.shard.fingerprint) {
      throw refuse(`shard ${sh.index} is of another profile (fingerprint ${sh.fingerprint}; ${first.from} has ${first.state.shard.fingerprint})`, p.from);
    }
    if (sh.count !== first.state.shard.count) throw refuse(`was run as one of ${sh.count} shards; ${first.from} as one of ${first.state.shard.count}`, p.from);
    if (p.state.seed !== first.state.seed) throw refuse(`drew its schedule from seed ${p.state.seed}; ${first.from} from ${first.state.seed}: the shards' arrivals would not add up to one schedule`, p.from);
    const twice = seen.get(sh.index);
    if (twice !== undefined) throw refuse(`shard ${sh.index} is given twice (also ${twice})`, p.from);
    seen.set(sh.index, p.from);
  }
  const count = first.state.shard.count;
  const held = [...seen.keys()].sort((a, b) => a - b);
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length && !opts.partial) {
    throw refuse(`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} ${missing.length > 1 ? 'are' : 'is'} missing (give --partial to merge the ${held.length} here)`, 'strain merge');
  }
  return { held, missing };
}

/** The whole plan, each step's load the sum of the held shards' (a partial merge offers only their part of the schedule). */
function mergedPlan(whole: Plan, pieces: readonly ShardInput[], complete: boolean): Plan {
  const count = pieces[0]?.state.shard.count ?? 1;
  const steps = whole.steps.map((step) => {
    // A shard that never started the step (its breakpoint ended the phase, or it was killed) adds no load to it.
    const ran = pieces.filter((p) => p.state.started.includes(step.seq));
    const by = ran.length ? ran : pieces;
    const loads = by.map((p) => p.state.loads.find((l) => l.seq === step.seq)).filter((l) => l !== undefined);
    const sum = (f: (l: (typeof loads)[number]) => number): number => loads.reduce((a, l) => a + f(l), 0);
    // The whole schedule when every shard served it; else the part the ones that did were scheduled.
    const open = step.open && !(complete && by.length === count)
      ? { ...step.open, rate: sum((l) => l.rate ?? 0), stride: { index: 0, count, rate: step.open.rate, held: by.map((p) => p.state.shard.index - 1) } }
      : step.open;
    const iterations = step.iterations !== undefined && step.measured ? sum((l) => l.iterations ?? 0) : step.iterations;
    return { ...step, concurrency: sum((l) => l.concurrency), workers: sum((l) => l.workers), iterations, open };
  });
  return { steps, maxWorkers: Math.max(...steps.map((s) => s.workers)), timedMs: whole.timedMs };
}

/** The fleet as one host: cores and memory add up; model and speed name what the shards ran on. */
function fleetHost(hosts: readonly HostFacts[]): HostFacts {
  const first = hosts[0] as HostFacts;
  const models = [...new Set(hosts.map((h) => h.model))];
  return {
    ...first,
    cpus: hosts.reduce((a, h) => a + h.cpus, 0),
    memoryBytes: hosts.reduce((a, h) => a + h.memoryBytes, 0),
    speedMHz: Math.min(...hosts.map((h) => h.speedMHz)),
    model: models.length === 1 ? `${hosts.length} × ${first.model}` : models.join(' + '),
  };
}

export function mergeShardStates(pieces: readonly ShardInput[], opts: MergeOptions = {}): StrainResult {
  const { held, missing } = checkPieces(pieces, opts);
  const ordered = [...pieces].sort((a, b) => a.state.shard.index - b.state.shard.index);
  const first = ordered[0] as ShardInput;
  const source = first.state.source;
  // The extractor and data need not be on the machine that merges.
  const profile = normalizeProfile(first.state.profile, first.state.baseDir, source, { requireFiles: false });
  const plan = mergedPlan(planProfile(profile, source), ordered, missing.length === 0);
  const thresholds = parseThresholds(profile, source);
  const isMeasured = (seq: number): boolean => plan.steps[seq]?.measured ?? false;
  const runStartMs = Math.min(...ordered.map((p) => p.state.runStartMs));
  // Times from the merged run's start (see addStep).
  const acc = new RunAccumulator(0, first.state.intervalMs, isMeasured);
  const parts: { piece: ShardInput; acc: RunAccumulator }[] = [];
  let workerOffset = 0;
  const offsets: number[] = [];
  for (const piece of ordered) {
    offsets.push(workerOffset);
    const own = restoreAccumulator(piece.state as unknown as CheckpointState, isMeasured);
    parts.push({ piece, acc: own });
    const shiftMs = own.runStartMs - runStartMs;
    for (const s of own.steps.values()) addStep(acc.step(s.seq), s, workerOffset, runStartMs);
    for (const w of own.workers.values()) {
      acc.workers.set(w.workerId + workerOffset, { ...w, workerId: w.workerId + workerOffset, shard: piece.state.shard.index, heapT: w.heapT.map((t) => t + shiftMs) });
    }
    workerOffset += Math.max(0, ...[...own.workers.keys()].map((k) => k + 1), ...piece.state.loads.map((l) => l.workers));
  }
  // Closed loop: the merged throughput is the sum of the shards' (each over its own window).
  for (const s of acc.steps.values()) closedThroughputSpan(s, parts.map((p) => p.acc.steps.get(s.seq)).filter((x): x is StepAccumulator => x !== undefined));
  acc.series.push(...mergeSeries(parts.map((p) => ({ series: p.acc.series, shiftMs: p.acc.runStartMs - runStartMs })), first.state.intervalMs));
  const samples = fleetSamples(ordered.map((p) => ({ samples: p.state.samples, shiftMs: p.state.runStartMs - runStartMs })));
  const stopped = ordered.map((p) => p.state.stopped).filter((x) => x !== null).sort((a, b) => a.seq - b.seq)[0];
  const run: CoordinatorOutput = {
    acc,
    samples,
    startedAt: new Date(Math.min(...ordered.map((p) => Date.parse(p.state.startedAt)))),
    endedAt: new Date(Math.max(...ordered.map((p) => Date.parse(p.state.endedAt)))),
    aborted: ordered.some((p) => p.state.aborted),
    failed: ordered.some((p) => p.state.failed),
    started: [...new Set(ordered.flatMap((p) => p.state.started))].sort((a, b) => a - b),
    teardownErrors: ordered.flatMap((p) => p.state.teardownErrors.map((e) => `shard ${p.state.shard.index}: ${e}`)),
    faults: ordered.flatMap((p, k) => p.state.faults.map((f) => ({
      ...f, workerId: f.workerId + (offsets[k] as number), atMs: f.atMs + p.state.runStartMs - runStartMs, message: `shard ${p.state.shard.index}: ${f.message}`,
    }))),
    placement: first.state.placement,
    stopped,
    seed: first.state.seed,
    scheduleStartMs: new Map(),
    samplePeriodMs: first.state.samplePeriodMs,
    profiles: [],
    heapSnapshots: [],
  };
  const shards: MergedShards = {
    count: first.state.shard.count, fingerprint: first.state.shard.fingerprint, held, missing, partial: missing.length > 0,
    pieces: parts.map(({ piece, acc: own }) => pieceOf(piece, own, plan)),
  };
  const result = buildResult({ profile, plan, run, host: fleetHost(ordered.map((p) => p.state.host)), thresholds, shards, interrupted: ordered.some((p) => p.state.status === 'interrupted') });
  const warnings = mergeStartWarnings(ordered.map((p) => p.state.shard));
  if (warnings.length) (result.warnings ??= []).push(...warnings);
  return result;
}

function pieceOf(piece: ShardInput, own: RunAccumulator, plan: Plan): ShardPiece {
  const st = piece.state;
  let count = 0;
  let errors = 0;
  for (const s of own.steps.values()) {
    if (!plan.steps[s.seq]?.measured) continue;
    count += s.steadyCalls;
    errors += s.steadyErrors;
  }
  const cpu = st.samples.map((x) => x.cpuPercent);
  return {
    index: st.shard.index, from: piece.from, status: st.status, host: st.host, startedAt: st.startedAt, endedAt: st.endedAt,
    startAt: st.shard.startAt, skewMs: st.shard.skewMs, maxStepSkewMs: st.shard.maxStepSkewMs,
    workers: Math.max(0, ...st.loads.map((l) => l.workers)), count, errors,
    peakRssBytes: Math.max(0, ...st.samples.map((x) => x.rssBytes)),
    meanCpuPercent: cpu.length ? cpu.reduce((a, b) => a + b, 0) / cpu.length : 0,
    peakCpuPercent: Math.max(0, ...cpu),
  };
}

/** Read the shards (folders, or result.json files with shard-state.json beside them) and merge them. */
export function mergeShards(paths: readonly string[], opts: MergeOptions = {}): StrainResult {
  return mergeShardStates(paths.map((p) => {
    const { state, file } = readShardState(p);
    return { state, from: file };
  }), opts);
}
