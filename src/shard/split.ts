/**
 * One shard's exact part of a plan, in the spirit of k6's execution
 * segments: the shards' parts add back to the whole, step by step.
 *
 * - Arrival rates: shard i of n serves the whole schedule's arrivals whose
 *   index k has k mod n = i - 1 (a stride), so the shards' arrivals together
 *   are exactly the whole profile's schedule, uniform or Poisson (all shards
 *   draw from one seed), and each offers rate / n.
 * - Concurrencies and iteration counts: whole / n each, and the remainder
 *   goes one apiece to consecutive shards, starting where the previous
 *   step's remainder stopped, so over a ramp no shard is always the heavy one.
 * - A whole smaller than n cannot be split without a shard getting nothing:
 *   that is refused, naming the phase. So is a capacity search (each shard
 *   would search on its own; search on one machine, then shard the plateau).
 *
 * Warm-up iterations are not split: each shard warms its own JIT.
 */
import { StrainError } from '../errors.js';
import type { Plan, PlannedStep } from '../plan/plan.js';
import type { Phase } from '../profile/schema.js';
import type { ShardSpec } from './spec.js';

/**
 * The part of `whole` that 0-based shard `s` of `count` takes, when the
 * remainder is handed out from shard `cursor` on. Returns the part and the
 * cursor for the next split.
 */
export function partOf(whole: number, s: number, count: number, cursor: number): { part: number; cursor: number } {
  const base = Math.floor(whole / count);
  const rem = whole - base * count;
  const offset = (((s - cursor) % count) + count) % count;
  return { part: base + (offset < rem ? 1 : 0), cursor: (cursor + rem) % count };
}

const refuse = (where: string, message: string): StrainError => new StrainError('STRAIN_SHARD', message, { where });

/** The plan this shard runs. The whole plan is left as it was. */
export function shardPlan(plan: Plan, phases: readonly Phase[], shard: ShardSpec, source = 'profile'): Plan {
  const { count } = shard;
  const s = shard.index - 1;
  if (count === 1) return plan;
  let concurrencyCursor = 0;
  let iterationCursor = 0;
  const steps = plan.steps.map((step): PlannedStep => {
    const at = `${source} $.phases[${step.phaseIndex}]`;
    if (step.search) throw refuse(`${at}.executor`, 'a capacity search cannot be sharded: each shard would search on its own. Search on one machine, then shard a constant-arrival-rate phase at the load found');
    const split = (whole: number, what: string, cursor: number): { part: number; cursor: number } => {
      if (whole < count) throw refuse(`${at}.${what}`, `${what} ${whole} (phase ${step.phase}) cannot be split into ${count} shards: each shard needs at least 1`);
      return partOf(whole, s, count, cursor);
    };
    if (step.open) {
      const phase = phases[step.phaseIndex] as Phase;
      let workers = step.workers;
      // A maxConcurrency the profile gives is the whole test's; without one each shard uses its own machine's cores.
      if ('maxConcurrency' in phase && phase.maxConcurrency !== undefined) {
        const c = split(phase.maxConcurrency, 'maxConcurrency', concurrencyCursor);
        concurrencyCursor = c.cursor;
        workers = c.part;
      }
      return {
        ...step, workers, concurrency: workers,
        open: { ...step.open, rate: step.open.rate / count, stride: { index: s, count, rate: step.open.rate } },
      };
    }
    const c = split(step.concurrency, 'concurrency', concurrencyCursor);
    concurrencyCursor = c.cursor;
    const workers = step.executor === 'iterations' ? c.part : Math.ceil(c.part / step.lanes);
    let iterations = step.iterations;
    if (iterations !== undefined && step.measured) {
      const it = split(iterations, 'iterations', iterationCursor);
      iterationCursor = it.cursor;
      iterations = it.part;
    }
    return { ...step, concurrency: c.part, workers, iterations };
  });
  return { steps, maxWorkers: Math.max(...steps.map((st) => st.workers)), timedMs: plan.timedMs };
}
