import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { StrainError } from '../src/errors.js';
import { planProfile, type Plan } from '../src/plan/plan.js';
import { normalizeProfile } from '../src/profile/load.js';
import type { Profile } from '../src/profile/schema.js';
import { firstPoissonArrival, nextPoissonArrival, poissonTimes, scheduledCount, stepSeed, wholeGapMs, wholeIndexOf } from '../src/engine/schedule.js';
import { WallClockAlignment } from '../src/shard/align.js';
import { parseShard, shardFromEnv } from '../src/shard/spec.js';
import { partOf, shardPlan } from '../src/shard/split.js';
import { parseStartAt, rendezvous } from '../src/shard/start-at.js';
import { mergeStartWarnings, shardStartWarning } from '../src/shard/warnings.js';
import { fixture, tempDir } from './helpers.js';

const EXTRACTOR = fixture('noop.mjs');

function planOf(phases: Profile['phases']): { plan: Plan; phases: Profile['phases'] } {
  const p = normalizeProfile({ extractor: EXTRACTOR, phases }, '/', 'p.json');
  return { plan: planProfile(p, 'p.json'), phases: p.phases };
}

const shardsOf = (phases: Profile['phases'], n: number): Plan[] => {
  const { plan, phases: ph } = planOf(phases);
  return Array.from({ length: n }, (_, i) => shardPlan(plan, ph, { index: i + 1, count: n }, 'p.json'));
};

const code = (c: string) => (e: unknown) => e instanceof StrainError && e.code === c;

describe('shard split: the parts add back to the whole', () => {
  it('concurrencies of a ramp, for n = 1..7: every step sums to its level, nobody gets 0, and the remainders rotate', () => {
    const phases: Profile['phases'] = [{ executor: 'ramping-concurrency', from: 7, to: 23, step: 2, stepDuration: '1s' }];
    const whole = planOf(phases).plan;
    for (let n = 1; n <= 7; n++) {
      const parts = shardsOf(phases, n);
      whole.steps.forEach((step, k) => {
        const cs = parts.map((p) => p.steps[k]!.concurrency);
        assert.equal(cs.reduce((a, b) => a + b, 0), step.concurrency, `n=${n} step ${k}`);
        assert.ok(cs.every((c) => c >= 1), `n=${n}: ${cs}`);
        assert.ok(Math.max(...cs) - Math.min(...cs) <= 1, `n=${n}: even split ${cs}`);
        parts.forEach((p) => assert.equal(p.steps[k]!.workers, p.steps[k]!.concurrency));
      });
      // Over the ramp no shard is always the heavy one: totals differ by at most one.
      const totals = parts.map((p) => p.steps.reduce((a, s) => a + s.concurrency, 0));
      assert.ok(Math.max(...totals) - Math.min(...totals) <= 1, `n=${n}: totals ${totals}`);
    }
  });

  it('iterations and their concurrency, for n = 1..7; warm-up iterations are each shard\'s own', () => {
    const phases: Profile['phases'] = [{ executor: 'iterations', iterations: 1003, warmupIterations: 50, concurrency: 7 }];
    for (let n = 1; n <= 7; n++) {
      const parts = shardsOf(phases, n);
      const measured = parts.map((p) => p.steps.find((s) => s.measured)!);
      assert.equal(measured.reduce((a, s) => a + (s.iterations ?? 0), 0), 1003, `n=${n}`);
      assert.equal(measured.reduce((a, s) => a + s.concurrency, 0), 7, `n=${n}`);
      for (const p of parts) assert.equal(p.steps.find((s) => !s.measured)!.iterations, 50);
    }
  });

  it('arrival rates, for n = 1..7: rates sum to the whole, and the arrivals each shard is scheduled add up to the whole schedule exactly, uniform and Poisson', () => {
    for (const arrival of ['uniform', 'poisson'] as const) {
      const phases: Profile['phases'] = [{ executor: 'ramping-arrival-rate', from: 97, to: 397, step: 150, stepDuration: '2s', arrival, maxConcurrency: 7 }];
      const whole = planOf(phases).plan;
      for (let n = 1; n <= 7; n++) {
        const parts = shardsOf(phases, n);
        whole.steps.forEach((step, k) => {
          const rate = step.open!.rate;
          const rates = parts.map((p) => p.steps[k]!.open!.rate);
          assert.ok(Math.abs(rates.reduce((a, b) => a + b, 0) - rate) < 1e-9 * rate, `${arrival} n=${n}`);
          const seed = stepSeed(12345, step.seq);
          for (const ms of [2000, 1234.5, 7]) {
            const sum = parts.reduce((a, p) => a + scheduledCount(p.steps[k]!.open!, seed, ms), 0);
            assert.equal(sum, scheduledCount(step.open!, seed, ms), `${arrival} n=${n} rate ${rate} over ${ms} ms`);
          }
          // maxConcurrency, when the profile gives it, is the whole test's.
          assert.equal(parts.reduce((a, p) => a + p.steps[k]!.workers, 0), 7);
        });
      }
    }
  });

  it('the arrivals the workers claim, shard by shard, are together exactly the whole schedule (uniform and Poisson)', () => {
    const seed = 987654;
    for (const n of [1, 2, 3, 5]) {
      const { plan } = planOf([{ executor: 'constant-arrival-rate', rate: 250, duration: '2s', arrival: 'poisson' }]);
      const whole = plan.steps[0]!.open!;
      const wholeTimes = poissonTimes(seed, 1000 / whole.rate, 2000);
      const union: number[] = [];
      const indexes: number[] = [];
      for (let i = 0; i < n; i++) {
        const open = shardsOf([{ executor: 'constant-arrival-rate', rate: 250, duration: '2s', arrival: 'poisson' }], n)[i]!.steps[0]!.open!;
        // What the coordinator and the workers do: the first arrival, then claim after claim.
        let t = firstPoissonArrival(open, seed);
        for (let j = 0; t < 2000; j++) {
          const k = wholeIndexOf(j, open.stride);
          union.push(t);
          indexes.push(k);
          t = nextPoissonArrival(t, seed, k, wholeGapMs(open), open.stride?.count ?? 1);
        }
        assert.equal(scheduledCount(open, seed, 2000), union.length - indexes.filter((k) => k % n !== i).length);
      }
      const sorted = union.map((t, x) => [t, indexes[x]!] as const).sort((a, b) => a[1] - b[1]);
      assert.equal(sorted.length, wholeTimes.length, `n=${n}`);
      sorted.forEach(([t, k], x) => {
        assert.equal(k, x);
        assert.ok(Math.abs(t - wholeTimes[x]!) < 1e-6, `n=${n} arrival ${x}`);
      });
      // Uniform: shard i's j-th arrival is whole arrival j * n + i.
      const u = shardsOf([{ executor: 'constant-arrival-rate', rate: 250, duration: '2s' }], n);
      const ks = u.flatMap((p) => Array.from({ length: scheduledCount(p.steps[0]!.open!, 0, 2000) }, (_, j) => wholeIndexOf(j, p.steps[0]!.open!.stride))).sort((a, b) => a - b);
      assert.deepEqual(ks, Array.from({ length: 500 }, (_, k) => k));
    }
  });

  it('a whole smaller than the shard count is refused, naming the phase; so is a capacity search', () => {
    const { plan, phases } = planOf([{ executor: 'constant-concurrency', concurrency: 3, duration: '1s' }]);
    assert.throws(() => shardPlan(plan, phases, { index: 1, count: 4 }, 'p.json'), (e: unknown) => code('STRAIN_SHARD')(e) && (e as StrainError).where === 'p.json $.phases[0].concurrency');
    const open = planOf([{ executor: 'constant-arrival-rate', rate: 10, duration: '1s', maxConcurrency: 2 }]);
    assert.throws(() => shardPlan(open.plan, open.phases, { index: 3, count: 3 }, 'p.json'), (e: unknown) => code('STRAIN_SHARD')(e) && /maxConcurrency 2/.test((e as Error).message));
    const search = planOf([{ executor: 'capacity-search', from: 100, probeDuration: '1s' }]);
    assert.throws(() => shardPlan(search.plan, search.phases, { index: 1, count: 2 }, 'p.json'), (e: unknown) => code('STRAIN_SHARD')(e) && (e as StrainError).where === 'p.json $.phases[0].executor');
    // One shard of one is the whole plan.
    assert.equal(shardPlan(plan, phases, { index: 1, count: 1 }), plan);
  });

  it('partOf hands the remainder out from the cursor, wrapping', () => {
    assert.deepEqual([0, 1, 2, 3].map((s) => partOf(10, s, 4, 3).part), [3, 2, 2, 3]);
    assert.equal(partOf(10, 0, 4, 3).cursor, 1);
    assert.deepEqual([0, 1, 2].map((s) => partOf(9, s, 3, 1).part), [3, 3, 3]);
  });
});

describe('shard spec: --shard I/N and --shard auto', () => {
  it('parses I/N with I from 1, and refuses what is not one', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    assert.deepEqual(parseShard(' 1/1 '), { index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '2', '2/0', 'a/b', '1.5/4', '-1/4', '1/4/2']) assert.throws(() => parseShard(bad), code('STRAIN_SHARD'), bad);
  });

  it('reads Slurm job arrays (from their minimum id), Kubernetes Indexed Jobs and explicit CI values; nothing found is a coded error', () => {
    assert.deepEqual(shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '4', SLURM_ARRAY_TASK_COUNT: '4' }), { index: 2, count: 4, source: 'slurm' });
    assert.deepEqual(shardFromEnv({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' }), { index: 1, count: 2, source: 'slurm' });
    assert.throws(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_STEP: '2' }), code('STRAIN_SHARD'));
    assert.deepEqual(shardFromEnv({ JOB_COMPLETION_INDEX: '3' }, 4), { index: 4, count: 4, source: 'kubernetes' });
    assert.deepEqual(shardFromEnv({ JOB_COMPLETION_INDEX: '0', STRAIN_SHARD_COUNT: '3' }), { index: 1, count: 3, source: 'kubernetes' });
    assert.throws(() => shardFromEnv({ JOB_COMPLETION_INDEX: '0' }), code('STRAIN_SHARD_ENV'));
    assert.throws(() => shardFromEnv({ JOB_COMPLETION_INDEX: '4' }, 4), code('STRAIN_SHARD'));
    assert.deepEqual(shardFromEnv({ STRAIN_SHARD_INDEX: '2', STRAIN_SHARD_COUNT: '2' }), { index: 2, count: 2, source: 'env' });
    assert.throws(() => shardFromEnv({}), (e: unknown) => code('STRAIN_SHARD_ENV')(e) && /SLURM_ARRAY_TASK_ID/.test((e as Error).message));
  });
});

describe('shard start: --start-at and wall-clock alignment', () => {
  it('parses an ISO time with its zone or +DURATION; a time without a zone is refused', () => {
    assert.deepEqual(parseStartAt('2026-12-04T02:00:00Z'), { atMs: Date.parse('2026-12-04T02:00:00Z') });
    assert.deepEqual(parseStartAt('+30s'), { afterMs: 30_000 });
    for (const bad of ['2026-12-04T02:00:00', 'tomorrow', '+x']) assert.throws(() => parseStartAt(bad), bad);
  });

  it('every shard computes the same start from the folder they share, the latest arrival plus the delay', async () => {
    const dir = tempDir('strain-meet-');
    let clock = 1_000_000;
    const a = rendezvous(dir, { index: 1, count: 2 }, 'fp', 5000, { now: () => clock, pollMs: 5 });
    await new Promise((r) => setTimeout(r, 30));
    clock += 700;
    const b = rendezvous(dir, { index: 2, count: 2 }, 'fp', 5000, { now: () => clock, pollMs: 5 });
    assert.deepEqual(await Promise.all([a, b]), [1_005_700, 1_005_700]);
    assert.equal(readdirSync(dir).filter((n) => n.endsWith('.tmp')).length, 0);
  });

  it('a shard that never arrives is named when the wait times out; an arrival of another profile does not count', async () => {
    const dir = tempDir('strain-meet-');
    await assert.rejects(rendezvous(dir, { index: 1, count: 3 }, 'other', 0, { timeoutMs: 50, pollMs: 5 }), code('STRAIN_SHARD_START'));
    await assert.rejects(rendezvous(dir, { index: 2, count: 3 }, 'fp', 0, { timeoutMs: 100, pollMs: 5 }),
      (e: unknown) => code('STRAIN_SHARD_START')(e) && /shards 1, 3 of 3/.test((e as Error).message));
  });

  it('a shard whose first step started over a second after the agreed start says so; a merge of shards aligned to different starts says so', () => {
    const meta = { index: 2, count: 3, fingerprint: 'f', source: 'given' as const, startAt: '2026-12-04T03:00:00.000Z', skewMs: 1500, maxStepSkewMs: 1500 };
    assert.match(shardStartWarning(meta) ?? '', /shard 2 of 3 started its first step 1.5 s after the agreed start/);
    assert.equal(shardStartWarning({ ...meta, skewMs: 1000 }), undefined);
    assert.equal(shardStartWarning({ ...meta, startAt: null, skewMs: null }), undefined);
    assert.deepEqual(mergeStartWarnings([{ ...meta, skewMs: 2 }, { ...meta, index: 1, skewMs: 0 }]), []);
    const w = mergeStartWarnings([{ ...meta, skewMs: 2 }, { ...meta, index: 1, startAt: null, skewMs: null }]);
    assert.equal(w.length, 1);
    assert.match(w[0]!, /not aligned to one start \(2026-12-04T03:00:00.000Z, none\)/);
    assert.equal(mergeStartWarnings([meta]).length, 1);
  });

  it('steps are due at the start plus the slots before them; a late start is measured, a counted step ends the alignment', () => {
    const { plan } = planOf([
      { executor: 'constant-concurrency', concurrency: 1, duration: '1s' },
      { executor: 'constant-arrival-rate', rate: 10, duration: '2s', lateAfter: '100ms' },
      { executor: 'iterations', iterations: 10 },
      { executor: 'constant-concurrency', concurrency: 1, duration: '1s' },
    ]);
    const al = new WallClockAlignment(10_000, plan);
    const [s0, s1, s2, s3] = plan.steps as [typeof plan.steps[0], typeof plan.steps[0], typeof plan.steps[0], typeof plan.steps[0]];
    assert.equal(al.delayMs(s0, 9_000), 1000);
    assert.equal(al.started(s0, 10_003), 3);
    // Step 2 is due 1 s later; the open step's slot is its 2 s plus the 20 ms lead and its 100 ms grace.
    assert.equal(al.delayMs(s1, 10_990), 10);
    assert.equal(al.started(s1, 11_000), 0);
    assert.equal(al.delayMs(s2, 13_000), 120);
    al.started(s2, 13_200);
    assert.equal(al.delayMs(s3, 99_999), 0);
    al.started(s3, 100_000);
    assert.deepEqual(al.report(), { startAt: new Date(10_000).toISOString(), skewMs: 3, maxStepSkewMs: 80, unaligned: 1 });
  });
});
