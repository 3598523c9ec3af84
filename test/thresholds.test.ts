import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actualValue, evaluateThreshold, metricLabel, parseThreshold, type MetricView } from '../src/analysis/thresholds.js';
import { StrainError } from '../src/errors.js';

const view: MetricView = {
  count: 1000,
  latencyMs: { avg: 12, min: 1, max: 250, med: 10, percentile: (p) => (p >= 99 ? 120 : p >= 95 ? 80 : 10) },
  errors: { rate: 0.02, count: 20 },
  throughput: { avg: 900, min: 400, max: 1200 },
  cpu: { avg: 150, max: 199 },
  memoryMiB: { avg: 200, max: 260 },
};

describe('thresholds: k6 grammar', () => {
  const cases: [Parameters<typeof parseThreshold>[0], string, boolean, number][] = [
    ['latency', 'p(95)<100', true, 80],
    ['latency', 'p(99) < 100', false, 120],
    ['latency', 'p(99.9)<=120', true, 120],
    ['latency', 'avg<50', true, 12],
    ['latency', 'med>=10', true, 10],
    ['latency', 'max<200', false, 250],
    ['latency', 'min==1', true, 1],
    ['errors', 'rate<0.01', false, 0.02],
    ['errors', 'count!=0', true, 20],
    ['throughput', 'avg>800', true, 900],
    ['throughput', 'min>500', false, 400],
    ['cpu', 'max<=199', true, 199],
    ['memory', 'max<512', true, 260],
    ['latency', 'p(95)<1e2', true, 80],
  ];
  for (const [metric, expr, passed, actual] of cases) {
    it(`${metric} ${expr} → ${passed ? 'pass' : 'fail'}`, () => {
      const v = evaluateThreshold(parseThreshold(metric, expr, 'test'), view, 'run');
      assert.equal(v.passed, passed);
      assert.equal(v.actual, actual);
    });
  }

  const malformed: [Parameters<typeof parseThreshold>[0], string, RegExp][] = [
    ['latency', 'p95<100', /cannot parse/],
    ['latency', 'p(95)<', /cannot parse/],
    ['latency', 'p(95)=100', /cannot parse/],
    ['latency', 'avg<100ms', /cannot parse/],
    ['latency', 'p(0)<1', /percentile must be in/],
    ['latency', 'p(101)<1', /percentile must be in/],
    ['latency', 'rate<0.1', /no aggregation "rate"/],
    ['errors', 'p(99)<1', /no aggregation "p\(99\)"/],
    ['latency', 'process.exit(1)', /cannot parse/],
    ['latency', '', /cannot parse/],
  ];
  for (const [metric, expr, re] of malformed) {
    it(`refuses ${JSON.stringify(expr)} for ${metric}`, () => {
      assert.throws(() => parseThreshold(metric, expr, '$.thresholds.x[0]'), (e: unknown) => {
        assert.ok(e instanceof StrainError);
        assert.equal(e.code, 'STRAIN_THRESHOLD_SYNTAX');
        assert.match(e.message, re);
        assert.match(e.message, /\$\.thresholds\.x\[0\]/);
        return true;
      });
    });
  }

  it('a threshold with no data fails rather than passing silently', () => {
    const empty = { ...view, count: 0 };
    const v = evaluateThreshold(parseThreshold('latency', 'p(99)<100', 't'), empty, 'run');
    assert.equal(v.passed, false);
    assert.equal(v.actual, null);
  });
});

describe('thresholds: one function of a mix', () => {
  const slow: MetricView = { ...view, count: 50, latencyMs: { ...view.latencyMs, avg: 40, percentile: () => 45 } };
  const mixed: MetricView = { ...view, functions: new Map([['slow', slow]]) };
  it('is judged on that function\'s view, named in k6\'s tag form; a function the view lacks has no data', () => {
    const t = { ...parseThreshold('latency', 'p(95)<30', 'x'), fn: 'slow' };
    assert.equal(metricLabel(t), 'latency{fn:slow}');
    assert.equal(metricLabel(parseThreshold('latency', 'p(95)<30', 'x')), 'latency');
    assert.equal(actualValue(t, mixed), 45);
    assert.equal(actualValue({ ...t, fn: undefined }, mixed), 80, 'without fn: the blend');
    const v = evaluateThreshold(t, mixed, 'run');
    assert.deepEqual({ metric: v.metric, passed: v.passed, actual: v.actual }, { metric: 'latency{fn:slow}', passed: false, actual: 45 });
    assert.equal(actualValue({ ...t, fn: 'other' }, mixed), null);
    assert.equal(actualValue(t, view), null, 'a view with no functions at all');
    assert.equal(evaluateThreshold(t, view, 'run').passed, false, 'no data fails');
  });
});
