import { StrainError } from '../errors.js';

/**
 * Thresholds in k6's grammar: `<aggregation> <operator> <number>`, for example
 * `p(95)<100`, `avg<50`, `rate<0.01`. Parsed with one regular expression;
 * never evaluated as code.
 */
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type Aggregation = 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | { percentile: number };

export interface ParsedThreshold {
  metric: ThresholdMetric;
  expression: string;
  aggregation: Aggregation;
  operator: Operator;
  value: number;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
  /** Judged over the whole run, or each phase, or each step. */
  scope: 'run' | 'phase' | 'step';
  /** Only this phase's steps (for phase and step scopes). */
  phase: string | undefined;
  /** A mix: judged on this function's calls alone (`latency{fn:deep}`). */
  fn?: string | undefined;
}

/** The threshold's metric as the profile names it: `latency`, or `latency{fn:deep}` for one function of a mix. */
export const metricLabel = (t: Pick<ParsedThreshold, 'metric' | 'fn'>): string => (t.fn === undefined ? t.metric : `${t.metric}{fn:${t.fn}}`);

export type ThresholdMetric = 'latency' | 'errors' | 'throughput' | 'cpu' | 'memory';

/** Which aggregations each metric offers, and in which unit its values are. */
export const METRIC_AGGREGATIONS: Record<ThresholdMetric, { aggs: readonly string[]; unit: string }> = {
  latency: { aggs: ['avg', 'min', 'max', 'med', 'p(N)'], unit: 'ms' },
  errors: { aggs: ['rate', 'count'], unit: 'fraction of calls / calls' },
  throughput: { aggs: ['avg', 'rate', 'min', 'max'], unit: 'calls/s' },
  cpu: { aggs: ['avg', 'max'], unit: 'percent of one core' },
  memory: { aggs: ['avg', 'max'], unit: 'MiB of RSS' },
};

const GRAMMAR = /^\s*(avg|min|max|med|count|rate|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|>=|==|!=|<|>)\s*(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

export function parseThreshold(
  metric: ThresholdMetric,
  expression: string,
  where: string,
  options: { abortOnFail?: boolean; delayAbortEvalMs?: number; scope?: 'run' | 'phase' | 'step'; phase?: string } = {},
): ParsedThreshold {
  const m = GRAMMAR.exec(expression);
  if (!m) {
    throw new StrainError(
      'STRAIN_THRESHOLD_SYNTAX',
      `cannot parse threshold ${JSON.stringify(expression)}; expected <aggregation> <operator> <number>, e.g. "p(95)<100", "avg<50", "rate<0.01"`,
      { where },
    );
  }
  const aggText = m[1] as string;
  let aggregation: Aggregation;
  if (m[2] !== undefined) {
    const p = Number(m[2]);
    if (!(p > 0 && p <= 100)) throw new StrainError('STRAIN_THRESHOLD_SYNTAX', `percentile must be in (0, 100], found ${p}`, { where });
    aggregation = { percentile: p };
  } else {
    aggregation = aggText as Aggregation;
  }
  const allowed = METRIC_AGGREGATIONS[metric].aggs;
  const key = typeof aggregation === 'string' ? aggregation : 'p(N)';
  if (!allowed.includes(key)) {
    throw new StrainError('STRAIN_THRESHOLD_SYNTAX', `metric "${metric}" has no aggregation "${aggText}"; it offers ${allowed.join(', ')}`, { where });
  }
  return {
    metric,
    expression: expression.trim(),
    aggregation,
    operator: m[3] as Operator,
    value: Number(m[4]),
    abortOnFail: options.abortOnFail ?? false,
    delayAbortEvalMs: options.delayAbortEvalMs ?? 0,
    scope: options.scope ?? 'run',
    phase: options.phase,
  };
}

export function compare(actual: number, op: Operator, limit: number): boolean {
  switch (op) {
    case '<': return actual < limit;
    case '<=': return actual <= limit;
    case '>': return actual > limit;
    case '>=': return actual >= limit;
    case '==': return actual === limit;
    case '!=': return actual !== limit;
  }
}

/** The numbers a threshold can be judged on, for one scope (the run, a phase or a step). */
export interface MetricView {
  latencyMs: { avg: number; min: number; max: number; med: number; percentile: (p: number) => number };
  errors: { rate: number; count: number };
  throughput: { avg: number; min: number; max: number };
  /** Null when no resource sample covered the scope: a threshold on it fails as "no data". */
  cpu: { avg: number | null; max: number | null };
  memoryMiB: { avg: number | null; max: number | null };
  count: number;
  /** A mix: the same figures for each function's calls alone (its latency, errors and throughput). */
  functions?: ReadonlyMap<string, MetricView> | undefined;
}

/** The value a threshold is compared with; null when the scope has no calls. */
export function actualValue(t: ParsedThreshold, view: MetricView): number | null {
  // A mix's function: judged on its calls alone; no data when the view has none of them.
  const v = t.fn === undefined ? view : view.functions?.get(t.fn);
  if (!v) return null;
  const a = t.aggregation;
  switch (t.metric) {
    case 'latency':
      if (v.count === 0) return null;
      if (typeof a === 'object') return v.latencyMs.percentile(a.percentile);
      return a === 'med' ? v.latencyMs.med : v.latencyMs[a as 'avg' | 'min' | 'max'];
    case 'errors':
      return a === 'count' ? v.errors.count : v.count === 0 ? null : v.errors.rate;
    case 'throughput':
      return a === 'rate' || a === 'avg' ? v.throughput.avg : v.throughput[a as 'min' | 'max'];
    case 'cpu':
      return v.cpu[a as 'avg' | 'max'];
    case 'memory':
      return v.memoryMiB[a as 'avg' | 'max'];
  }
}

export interface ThresholdVerdict {
  metric: string;
  expression: string;
  scope: string;
  passed: boolean;
  actual: number | null;
  abortOnFail: boolean;
}

/** A threshold with no data to judge fails: silence is not a pass. */
export function evaluateThreshold(t: ParsedThreshold, view: MetricView, scope: string): ThresholdVerdict {
  const actual = actualValue(t, view);
  return {
    metric: metricLabel(t),
    expression: t.expression,
    scope,
    passed: actual !== null && compare(actual, t.operator, t.value),
    actual,
    abortOnFail: t.abortOnFail,
  };
}
