/**
 * Connects the capacity search to the coordinator: before each probe slot it
 * asks the search for a load, after it judges the probe on its steady state.
 * It also marks the probes the answer stands on, which the run's thresholds
 * are then judged on (the failing probes are the search's means, not a
 * failure of the run).
 */
import type { ParsedThreshold } from '../analysis/thresholds.js';
import type { StepSteer } from '../engine/coordinator.js';
import type { StepAccumulator } from '../engine/merge.js';
import type { ResourceSample } from '../engine/sampler.js';
import { applyLoad, type DynamicLoad, type Plan, type PlannedStep } from '../plan/plan.js';
import { stepView } from '../result/views.js';
import { judgeProbe, objectiveNames, objectiveOf } from './judge.js';
import type { SearchOutcome } from './result.js';
import { CapacitySearch, type ProbeOrder, type ProbeRecord } from './search.js';

/** What a checkpoint keeps of a search: the loads its slots ran at and how each went. */
export interface SearchCheckpoint {
  loads: { seq: number; load: DynamicLoad; kind: ProbeOrder['kind'] }[];
  probes: ProbeRecord[];
}

export class SearchSteer implements StepSteer {
  readonly search: CapacitySearch;
  readonly phase: string;
  readonly objective: ParsedThreshold[];
  private startedMs: number | undefined;
  private pending: ProbeOrder | undefined;
  private readonly loads: SearchCheckpoint['loads'] = [];

  constructor(private readonly plan: Plan, thresholds: readonly ParsedThreshold[], private readonly fnNames?: readonly string[]) {
    const first = plan.steps.find((s) => s.search);
    if (!first?.search) throw new TypeError('SearchSteer: the plan has no capacity-search phase');
    this.search = new CapacitySearch(first.search.settings);
    this.phase = first.phase;
    this.objective = objectiveOf(thresholds, first.phase);
  }

  before(step: PlannedStep, nowMs: number): DynamicLoad | undefined {
    this.startedMs ??= nowMs;
    const order = this.search.next(nowMs - this.startedMs);
    if (!order) {
      this.markAccepted();
      return undefined;
    }
    this.pending = order;
    if (step.search) step.search.kind = order.kind;
    const load: DynamicLoad = this.search.settings.mode === 'rate'
      ? { concurrency: step.concurrency, workers: step.workers, rate: order.load, durationMs: order.durationMs }
      : { concurrency: order.load, workers: Math.ceil(order.load / step.lanes), rate: undefined, durationMs: order.durationMs };
    this.loads.push({ seq: step.seq, load, kind: order.kind });
    return load;
  }

  after(step: PlannedStep, s: StepAccumulator, scheduled: number, v: { samples: readonly ResourceSample[]; runStartMs: number; periodMs: number }): void {
    const order = this.pending;
    if (!order) return;
    this.pending = undefined;
    const view = stepView(s, v.runStartMs, v.samples, v.periodMs, this.fnNames);
    const counts = step.open ? { calls: s.calls, scheduled, durationMs: step.durationMs ?? 0 } : undefined;
    const judged = judgeProbe(view, this.objective, counts, this.search.settings.margin);
    this.search.record(order, step.seq, judged);
    // Asking now ends a search that has used its last slot or its time, with no slot left to ask in.
    this.search.next(Date.now() - (this.startedMs ?? Date.now()));
    if (this.search.done) this.markAccepted();
  }

  /** The probes the answer stands on: its confirmation, or (unconfirmed) the passing runs at the load claimed. */
  markAccepted(): void {
    const a = this.search.answer();
    if (a.capacity === null) return;
    const confirm = a.probes.filter((p) => p.kind === 'confirm' && p.passed && p.load === a.capacity);
    const chosen = confirm.length ? confirm : a.probes.filter((p) => p.passed && p.load === a.capacity);
    for (const p of chosen) {
      const slot = this.plan.steps[p.seq]?.search;
      if (slot) slot.accepted = true;
    }
  }

  outcome(): SearchOutcome {
    return { phase: this.phase, settings: this.search.settings, objective: objectiveNames(this.objective, this.search.settings.mode), answer: this.search.answer() };
  }

  checkpoint(): SearchCheckpoint {
    return { loads: [...this.loads], probes: [...this.search.probes] };
  }
}

/**
 * Rebuild a killed run's search from its checkpoint (strain recover): the
 * probes' loads go back on the freshly planned steps and their judgements
 * are replayed, so the search stands exactly where it stood.
 */
export function restoreSteer(plan: Plan, thresholds: readonly ParsedThreshold[], cp: SearchCheckpoint | undefined): SearchSteer {
  const steer = new SearchSteer(plan, thresholds);
  for (const { seq, load, kind } of cp?.loads ?? []) {
    const step = plan.steps[seq];
    if (!step?.search) continue;
    applyLoad(step, load);
    step.search.kind = kind;
  }
  for (const p of cp?.probes ?? []) steer.search.record({ load: p.load, kind: p.kind, durationMs: p.durationMs }, p.seq, { passed: p.passed, near: p.near, checks: p.checks, estimate: p.estimate ?? null });
  if (steer.search.done) steer.markAccepted();
  return steer;
}
