import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { decodeHistogram } from '../src/engine/histogram.js';
import { CHECKPOINT_FILE, restoreAccumulator, type CheckpointState } from '../src/checkpoint/state.js';
import { StrainError } from '../src/errors.js';
import type { StrainResult } from '../src/result/schema.js';
import { resultSchemaErrors, serializeResult } from '../src/result/write.js';
import { runStress } from '../src/run.js';
import { compareRuns, summarizeRun } from '../src/baseline/runs.js';
import { consoleSummary } from '../src/report/console.js';
import { stepsCsv } from '../src/report/csv.js';
import { markdownSummary } from '../src/report/markdown.js';
import { openMetrics } from '../src/report/openmetrics.js';
import { historyEntry } from '../src/history/store.js';
import { cumulativeShares, mixChoice } from '../workers/mix.js';
import { fixture, tempDir } from './helpers.js';
import { onBusyHost } from './busy-host.js';

const within = (actual: number, expected: number, rel: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= rel * expected, `${what}: ${actual} is not within ${rel * 100}% of ${expected}`);

function fn(r: StrainResult, name: string): NonNullable<StrainResult['total']['functions']>[number] {
  const f = r.total.functions?.find((x) => x.name === name);
  assert.ok(f, `the total has ${name}'s figures`);
  return f;
}

describe('weighted mixes', () => {
  it('the choice spreads evenly: 80/20 over 5,000 calls is within 0.2 points, for any seed; seeds give different orders', () => {
    const cum = cumulativeShares([80, 20]);
    for (const seed of [0, 0.123, 0.5, 0.999]) {
      let slow = 0;
      for (let i = 0; i < 5000; i++) slow += mixChoice(cum, seed, i);
      assert.ok(Math.abs(slow / 5000 - 0.2) < 0.002, `seed ${seed}: share ${slow / 5000}`);
      // Even a short stretch is close: 50 calls hold 10 ± 2 slow ones.
      let short = 0;
      for (let i = 0; i < 50; i++) short += mixChoice(cum, seed, i);
      assert.ok(Math.abs(short - 10) <= 2, `seed ${seed}: ${short} of 50`);
    }
    const order = (seed: number): string => Array.from({ length: 40 }, (_, i) => mixChoice(cum, seed, i)).join('');
    assert.notEqual(order(0.1), order(0.7));
    const three = cumulativeShares([1, 1, 2]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[mixChoice(three, 0.3, i)]!++;
    assert.deepEqual(counts.map((c) => Math.round(c / 40)), [25, 25, 50]);
  });

  it('known answer, closed loop: 1 ms and 5 ms weighted 80/20 at concurrency 1: p50s, shares, throughput ≈ 1/(0.8·1 + 0.2·5 ms), and a threshold per function', async (t) => onBusyHost(t, async () => {
    const r = await runStress({
      name: 'mix-known',
      mix: [
        { name: 'fast', extractor: fixture('busy.mjs'), weight: 80, extractorOptions: { ms: 1 } },
        { name: 'slow', extractor: fixture('busy.mjs'), weight: 20, extractorOptions: { ms: 5 } },
      ],
      phases: [{ executor: 'iterations', iterations: 5000, concurrency: 1 }],
      thresholds: { 'latency{fn:slow}': ['p(50)<3'], 'latency{fn:fast}': ['p(50)<3'] },
    });
    assert.deepEqual(resultSchemaErrors(JSON.parse(serializeResult(r))), []);
    const fast = fn(r, 'fast');
    const slow = fn(r, 'slow');
    within(fast.latencyMs.p50, 1, 0.05, 'fast p50');
    within(slow.latencyMs.p50, 5, 0.05, 'slow p50');
    assert.equal(fast.weight, 0.8);
    assert.ok(Math.abs(fast.share - 0.8) <= 0.02 && Math.abs(slow.share - 0.2) <= 0.02, `shares ${fast.share} / ${slow.share}`);
    assert.equal(fast.count + slow.count, r.total.count, 'every call is one function\'s');
    assert.equal(decodeHistogram(fast.histogram).totalCount + decodeHistogram(slow.histogram).totalCount, decodeHistogram(r.total.histogram).totalCount);
    within(r.total.throughput, 1000 / (0.8 * 1 + 0.2 * 5), 0.05, 'throughput');
    within(fast.throughput + slow.throughput, r.total.throughput, 1e-9, 'the functions\' throughputs add up to the blend\'s');
    // The blend hides the slow function: its p50 is the fast one's.
    within(r.total.latencyMs.p50, 1, 0.05, 'blend p50');
    const t = (m: string): StrainResult['thresholds'][number] | undefined => r.thresholds.find((x) => x.metric === m);
    assert.equal(t('latency{fn:slow}')?.passed, false);
    assert.equal(t('latency{fn:fast}')?.passed, true);
    assert.equal(r.exitCode, 1);
    assert.match(r.verdict.reasons.join(' '), /latency\{fn:slow\} p\(50\)<3 failed/);
    assert.ok(r.steps[0]?.functions?.length === 2, 'the step has the figures too');
  }));

  it('open loop: arrivals assigned by weight over all workers, each function\'s latency from its intended start', async (t) => onBusyHost(t, async () => {
    // One worker, 200 arrivals/s: a 0.5 ms call waits behind an 8 ms one about a third of the time,
    // so the fast function's p99 is far above its own service time.
    const r = await runStress({
      mix: [
        { name: 'fast', extractor: fixture('sleep-ms.mjs'), weight: 3, extractorOptions: { ms: 0.5 } },
        { name: 'slow', extractor: fixture('sleep-ms.mjs'), weight: 1, extractorOptions: { ms: 8 } },
      ],
      seed: 7,
      phases: [{ executor: 'constant-arrival-rate', rate: 200, duration: '3s', maxConcurrency: 1 }],
    });
    const fast = fn(r, 'fast');
    const slow = fn(r, 'slow');
    assert.ok(r.total.count >= 500, `${r.total.count} arrivals served`);
    assert.ok(Math.abs(fast.share - 0.75) <= 0.02, `fast share ${fast.share}`);
    assert.equal(fast.count + slow.count, r.total.count);
    assert.ok(slow.latencyMs.p50 >= 8, `slow p50 ${slow.latencyMs.p50} ≥ its 8 ms of service`);
    assert.ok(fast.latencyMs.p50 >= 0.5, `fast p50 ${fast.latencyMs.p50}`);
    assert.ok(fast.latencyMs.p99 > 2, `fast p99 ${fast.latencyMs.p99} ms: waiting behind slow calls counts, from the intended start`);
  }));

  it('each function gets its own rows and options, and the CLI-shaped errors name the mix entry', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.csv'), 'v\na1\na2\n');
    writeFileSync(path.join(dir, 'b.csv'), 'v\nb1\nb2\nb3\n');
    const r = await runStress({
      mix: [
        { name: 'a', extractor: fixture('rows-seen.mjs'), weight: 1, data: path.join(dir, 'a.csv'), extractorOptions: { dir, tag: 'a' } },
        { name: 'b', extractor: fixture('rows-seen.mjs'), weight: 1, data: path.join(dir, 'b.csv'), extractorOptions: { dir, tag: 'b' } },
      ],
      phases: [{ executor: 'iterations', iterations: 40, concurrency: 1 }],
    }, { checkpointDir: dir, keepCheckpoint: true });
    assert.equal(r.status, 'completed', r.verdict.reasons.join('; '));
    // The checkpoint keeps each function: a recovered mix has its figures.
    const cp = JSON.parse(readFileSync(path.join(dir, CHECKPOINT_FILE), 'utf8')) as CheckpointState;
    const acc = restoreAccumulator(cp, () => true);
    const steady = [...acc.steps.values()][0]?.fnSteady ?? [];
    assert.deepEqual(steady.map((f) => f.calls), r.total.functions?.map((f) => f.count));
    const seen = (tag: string): string[] => readFileSync(path.join(dir, `seen-${tag}`), 'utf8').trim().split('\n');
    assert.ok(seen('a').every((v) => v === 'a1' || v === 'a2'), `a saw only its rows: ${seen('a').join(',')}`);
    assert.ok(seen('b').every((v) => v.startsWith('b')), 'b saw only its rows');
    assert.equal(seen('a').length + seen('b').length, 40);

    await assert.rejects(
      runStress({ mix: [{ name: 'x', extractor: fixture('busy.mjs'), weight: 1 }, { name: 'x', extractor: fixture('busy.mjs'), weight: 1 }], phases: [{ executor: 'iterations', iterations: 1 }] }),
      (e: unknown) => e instanceof StrainError && /\$\.mix\[1\]\.name: the name "x" is given twice/.test(e.message),
    );
    await assert.rejects(
      runStress({ extractor: fixture('busy.mjs'), mix: [{ name: 'x', extractor: fixture('busy.mjs'), weight: 1 }], phases: [{ executor: 'iterations', iterations: 1 }] }),
      (e: unknown) => e instanceof StrainError && /gives both "extractor" and "mix"/.test(e.message),
    );
    await assert.rejects(
      runStress({ mix: [{ name: 'x', extractor: fixture('busy.mjs'), weight: 1 }], phases: [{ executor: 'iterations', iterations: 1 }], thresholds: { 'latency{fn:y}': ['p(50)<1'] } }),
      (e: unknown) => e instanceof StrainError && /no function of the mix is named "y" \(it has x\)/.test(e.message),
    );
    await assert.rejects(
      runStress({ mix: [{ name: 'x', extractor: fixture('busy.mjs'), weight: 1 }], phases: [{ executor: 'iterations', iterations: 10, batchSize: 10 }] }),
      (e: unknown) => e instanceof StrainError && /\$\.phases\[0\]\.batchSize: batchSize cannot be used with a mix/.test(e.message),
    );
  });

  it('reports and comparisons per function: console and Markdown tables, a CSV fn column, OpenMetrics fn label, a baseline metric per function', async () => {
    const mixOf = (slowMs: number): Parameters<typeof runStress>[0] => ({
      name: 'mix-reports',
      mix: [
        { name: 'fast', extractor: fixture('busy.mjs'), weight: 4, extractorOptions: { ms: 0.3 } },
        { name: 'slow', extractor: fixture('busy.mjs'), weight: 1, extractorOptions: { ms: slowMs } },
      ],
      phases: [{ executor: 'iterations', iterations: 300, concurrency: 1 }],
    });
    const r = await runStress(mixOf(1.5));
    assert.match(consoleSummary(r), /mix: each function over the whole run[^\n]*\n\s*function\s+weight\s+share[\s\S]*\nslow\s+20\.00%/);
    assert.match(markdownSummary(r), /\*\*Mix\*\*[\s\S]*\| slow \| 20\.00% \|/);
    const csv = stepsCsv(r).trim().split('\n');
    assert.equal(csv[0]?.split(',').at(-1), 'fn');
    assert.deepEqual(csv.slice(1).map((l) => l.split(',').at(-1)), ['', 'fast', 'slow'], 'the blend, then a row per function');
    const prom = openMetrics(r);
    assert.match(prom, /^strain_function_latency_seconds\{profile="mix-reports",step="total",fn="slow",quantile="0\.5"\} 0\.0015\d*/m);
    assert.match(prom, /^strain_function_calls_total\{profile="mix-reports",step="1",fn="fast"\} \d+/m);
    assert.ok(historyEntry(r, null).functions?.['slow'], 'history keeps each function');

    // The slow function alone gets 3× slower: the comparison names it, though the blend moves less.
    const runs = async (ms: number, n: number): Promise<ReturnType<typeof summarizeRun>[]> => {
      const out = [];
      for (let i = 0; i < n; i++) out.push(summarizeRun(await runStress(mixOf(ms))));
      return out;
    };
    // Four runs a side: fewer is inconclusive by design.
    const base = [summarizeRun(r), ...(await runs(1.5, 3))];
    const worse = await runs(4.5, 4);
    const c = compareRuns(base, worse);
    const m = (name: string): { verdict: string } | undefined => c.metrics.find((x) => x.metric === name);
    assert.equal(m('p50{fn:slow}')?.verdict, 'regressed');
    assert.notEqual(m('p50{fn:fast}')?.verdict, 'regressed');
    assert.equal(c.regressed, true);
  });
});
