import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseThreshold } from '../src/analysis/thresholds.js';
import { THRESHOLD_METRICS } from '../src/profile/schema.js';
import { readRows } from '../src/data/rows.js';
import { FastRecorder } from '../src/engine/recorder.js';
import { ingestMessage, RunAccumulator } from '../src/engine/merge.js';
import { isStrainError } from '../src/errors.js';
import { parseProfileJson } from '../src/profile/load.js';
import { prepareRun } from '../src/run.js';
import { fixture, tempDir } from './helpers.js';

/** The property every input path must keep: succeed, or throw a coded StrainError. */
function onlyCodedErrors(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (isStrainError(e)) return true;
    throw e;
  }
}

const valid = {
  name: 'fuzz',
  extractor: fixture('noop.mjs'),
  data: fixture('rows.csv'),
  snapshotInterval: '1s',
  stepWarmup: '100ms',
  phases: [
    { executor: 'ramping-concurrency', from: 1, to: 3, stepDuration: '1s', thinkTime: { min: '1ms', max: '2ms' } },
    { executor: 'constant-arrival-rate', rate: 100, duration: '2s', maxConcurrency: 2, arrival: 'poisson' },
    { executor: 'iterations', iterations: 10, warmupIterations: 2 },
  ],
  thresholds: { latency: ['p(95)<100', { threshold: 'avg<5', scope: 'step' }], errors: ['rate<0.01'] },
  analysis: { leak: { window: 3 } },
};

/** Replace the value at a random path of `obj` with `value`. */
function mutate(obj: unknown, pathPick: number[], value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(obj)) as unknown;
  let node = copy as Record<string, unknown>;
  for (let depth = 0; depth < pathPick.length; depth++) {
    if (node === null || typeof node !== 'object') break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[(pathPick[depth] as number) % keys.length] as string;
    if (depth === pathPick.length - 1 || node[key] === null || typeof node[key] !== 'object') {
      node[key] = value;
      break;
    }
    node = node[key] as Record<string, unknown>;
  }
  return copy;
}

const RUNS = { numRuns: 300, seed: 42 };

describe('fuzz: profiles', () => {
  it('random JSON values are refused with coded errors, never a crash', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => onlyCodedErrors(() => prepareRun(v))), RUNS);
  });
  it('mutated valid profiles either plan or give coded errors', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 4 }), fc.oneof(fc.jsonValue(), fc.string(), fc.double(), fc.integer({ min: -5, max: 5 })), (pick, value) =>
        onlyCodedErrors(() => prepareRun(mutate(valid, pick, value)))),
      RUNS,
    );
  });
  it('a ramp of a billion steps is refused, not planned', () => {
    const p = { ...valid, phases: [{ executor: 'ramping-concurrency', from: 1, to: 1e9, stepDuration: '1s' }] };
    assert.throws(() => prepareRun(p), /at most 10000 steps/);
  });
  it('mutated profile text is refused with coded errors', () => {
    const text = JSON.stringify(valid, null, 2);
    fc.assert(
      fc.property(fc.nat(text.length - 1), fc.string({ maxLength: 3 }), (at, ins) =>
        onlyCodedErrors(() => prepareRun(parseProfileJson(text.slice(0, at) + ins + text.slice(at + 1), 'p.json')))),
      RUNS,
    );
  });
});

describe('fuzz: thresholds', () => {
  it('random and mutated expressions parse or give coded errors', () => {
    const seeds = ['p(95)<100', 'avg<=5', 'rate<0.01', 'count==0', 'max>1e3', 'med!=2'];
    fc.assert(
      fc.property(fc.constantFrom(...THRESHOLD_METRICS), fc.oneof(fc.string(), fc.tuple(fc.constantFrom(...seeds), fc.nat(12), fc.string({ maxLength: 2 })).map(([s, at, ins]) => s.slice(0, at) + ins + s.slice(at + 1))), (metric, expr) =>
        onlyCodedErrors(() => parseThreshold(metric, expr, 'fuzz'))),
      { numRuns: 1000, seed: 7 },
    );
  });
});

describe('fuzz: data lines', () => {
  const dir = tempDir();
  for (const ext of ['csv', 'jsonl', 'json']) {
    it(`random ${ext} content is read or refused with a coded error`, () => {
      const file = path.join(dir, `rows.${ext}`);
      fc.assert(
        fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('a,b', '1,2', '"x,y",3', '{"a":1}', '[1,2]', '"', ',,')), { maxLength: 6 }), (lines) => {
          writeFileSync(file, lines.join('\n'));
          return onlyCodedErrors(() => readRows(file));
        }),
        { numRuns: 200, seed: 3 },
      );
    });
  }
});

describe('fuzz: snapshot messages', () => {
  const rec = new FastRecorder();
  rec.record(12_345);
  const one = rec.takeSparse().pairs;
  const good = {
    type: 'snapshot', workerId: 0, step: 0, warmup: false, final: false, startMs: 0, endMs: 1000, calls: 1, errors: 0,
    errorSamples: [], histogram: one, failures: new Float64Array(0), busyMs: 1, cpuMs: 1, batch: 1, service: undefined, lag: undefined,
    late: 0, dropped: 0, overran: 0, heapUsedBytes: 1, externalBytes: 1, arrayBuffersBytes: 1,
  };
  it('random and mutated messages never make the coordinator throw', () => {
    const acc = new RunAccumulator(0, 1000, () => true);
    let merged = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.tuple(fc.array(fc.nat(30), { minLength: 1, maxLength: 2 }), fc.oneof(fc.anything(), fc.string(), fc.double(), fc.integer())).map(([pick, v]) => mutate(good, pick, v)),
          fc.constant(good),
        ),
        (raw) => {
          const out = ingestMessage(acc, raw);
          if ('message' in out && out.message.type === 'snapshot') merged++;
          return true;
        },
      ),
      { numRuns: 1000, seed: 11 },
    );
    assert.ok(merged > 0, 'valid snapshots among them were merged');
    // Every merged snapshot holds one call; a rejected one must have changed nothing.
    let calls = 0;
    let counted = 0;
    for (const s of acc.steps.values()) {
      calls += s.calls;
      counted += s.all.totalCount + s.failedAll.totalCount;
    }
    assert.equal(calls, merged, 'calls merged = snapshots accepted');
    assert.equal(counted, merged, 'histogram counts merged = snapshots accepted');
  });
});
