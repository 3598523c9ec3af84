import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compare, evaluateThreshold, METRIC_AGGREGATIONS, parseThreshold, type MetricView, type Operator } from '../src/analysis/thresholds.js';

const view = (over: Partial<MetricView> = {}): MetricView => ({
  count: 10,
  latencyMs: { avg: 5, min: 1, max: 9, med: 4, percentile: (p) => p },
  errors: { rate: 0.1, count: 1 },
  throughput: { avg: 100, min: 80, max: 120 },
  cpu: { avg: 50, max: 70 },
  memoryMiB: { avg: 30, max: 40 },
  ...over,
});

describe('thresholds at their boundaries', () => {
  it('each operator on equal, smaller and larger values', () => {
    const table: [Operator, boolean, boolean, boolean][] = [
      // op, 1 vs 1, 0 vs 1, 2 vs 1
      ['<', false, true, false], ['<=', true, true, false], ['>', false, false, true],
      ['>=', true, false, true], ['==', true, false, false], ['!=', false, true, true],
    ];
    for (const [op, eq, lt, gt] of table) {
      assert.equal(compare(1, op, 1), eq, `1 ${op} 1`);
      assert.equal(compare(0, op, 1), lt, `0 ${op} 1`);
      assert.equal(compare(2, op, 1), gt, `2 ${op} 1`);
    }
  });
  it('every aggregation reads its own figure', () => {
    const actual = (metric: Parameters<typeof parseThreshold>[0], expr: string, v = view()): number | null =>
      evaluateThreshold(parseThreshold(metric, expr, 't'), v, 'run').actual;
    assert.equal(actual('latency', 'avg<1'), 5);
    assert.equal(actual('latency', 'min<1'), 1);
    assert.equal(actual('latency', 'max<1'), 9);
    assert.equal(actual('latency', 'med<1'), 4);
    assert.equal(actual('latency', 'p(42.5)<1'), 42.5);
    assert.equal(actual('latency', 'p(100)<1'), 100);
    assert.equal(actual('errors', 'rate<1'), 0.1);
    assert.equal(actual('errors', 'count<1'), 1);
    assert.equal(actual('throughput', 'rate<1'), 100);
    assert.equal(actual('throughput', 'avg<1'), 100);
    assert.equal(actual('throughput', 'min<1'), 80);
    assert.equal(actual('throughput', 'max<1'), 120);
    assert.equal(actual('cpu', 'avg<1'), 50);
    assert.equal(actual('cpu', 'max<1'), 70);
    assert.equal(actual('memory', 'avg<1'), 30);
    assert.equal(actual('memory', 'max<1'), 40);
    // No calls: latency and error rate have no data (and fail); an error count of 0 is data.
    const empty = view({ count: 0, errors: { rate: 0, count: 0 } });
    assert.equal(actual('latency', 'avg<1', empty), null);
    assert.equal(actual('errors', 'rate<1', empty), null);
    assert.equal(actual('errors', 'count<1', empty), 0);
    assert.equal(evaluateThreshold(parseThreshold('errors', 'rate<1', 't'), empty, 'run').passed, false);
  });
  it('parsing: trimmed expression, the defaults, and the options carried', () => {
    const t = parseThreshold('latency', '  p(95) < 10 ', 't');
    assert.equal(t.expression, 'p(95) < 10');
    assert.deepEqual(t.aggregation, { percentile: 95 });
    assert.equal(t.operator, '<');
    assert.equal(t.value, 10);
    assert.equal(t.abortOnFail, false);
    assert.equal(t.delayAbortEvalMs, 0);
    assert.equal(t.scope, 'run');
    assert.equal(t.phase, undefined);
    const o = parseThreshold('errors', 'rate<0.5', 't', { abortOnFail: true, delayAbortEvalMs: 300, scope: 'phase', phase: 'ramp' });
    assert.deepEqual([o.abortOnFail, o.delayAbortEvalMs, o.scope, o.phase], [true, 300, 'phase', 'ramp']);
    assert.equal(parseThreshold('latency', 'p(99.25)<1', 't').value, 1);
    assert.deepEqual(parseThreshold('latency', 'p(99.25)<1', 't').aggregation, { percentile: 99.25 });
    assert.deepEqual(parseThreshold('latency', 'p( 50 )<1', 't').aggregation, { percentile: 50 });
    assert.equal(parseThreshold('latency', 'avg<=-1.5e-3', 't').value, -0.0015);
    assert.equal(parseThreshold('latency', 'avg<.5', 't').value, 0.5);
  });
  it('refusals name the metric, the aggregation and what it offers', () => {
    assert.throws(() => parseThreshold('latency', 'p(100.5)<1', 'x'), /percentile must be in \(0, 100\], found 100\.5/);
    assert.throws(() => parseThreshold('latency', 'p(0)<1', 'x'), /percentile must be in \(0, 100\], found 0/);
    assert.throws(() => parseThreshold('cpu', 'med<1', 'x'), /metric "cpu" has no aggregation "med"; it offers avg, max/);
    assert.throws(() => parseThreshold('memory', 'p(95)<1', 'x'), /metric "memory" has no aggregation "p\(95\)"; it offers avg, max/);
    assert.throws(() => parseThreshold('errors', 'avg<1', 'x'), /it offers rate, count/);
    assert.throws(() => parseThreshold('throughput', 'med<1', 'x'), /it offers avg, rate, min, max/);
    assert.throws(() => parseThreshold('latency', 'x avg<1', 'x'), /cannot parse threshold "x avg<1"/);
    assert.throws(() => parseThreshold('latency', 'avg<1 x', 'x'), /cannot parse threshold/);
  });
  it('units per metric, for the documentation and error messages', () => {
    assert.deepEqual(Object.fromEntries(Object.entries(METRIC_AGGREGATIONS).map(([k, v]) => [k, v.unit])), {
      latency: 'ms', errors: 'fraction of calls / calls', throughput: 'calls/s', cpu: 'percent of one core', memory: 'MiB of RSS',
    });
    assert.deepEqual(METRIC_AGGREGATIONS.latency.aggs, ['avg', 'min', 'max', 'med', 'p(N)']);
  });
});
