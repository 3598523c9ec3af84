import type { Progress } from '../run.js';
import type { StrainResult } from '../result/schema.js';

/**
 * Metrics as Prometheus reads them. The live /metrics endpoint, metrics.prom
 * and the body pushed to a Pushgateway share one table of families, so a
 * name means the same thing wherever a dashboard finds it: base units
 * (seconds, bytes, ratios), `_total` counters, and one family per quantity
 * with a `step` label ("total" for the whole run) instead of a name per step.
 * Every series of a family carries the same label names (the Pushgateway
 * rejects a push whose families do not).
 */
type Family = { type: 'gauge' | 'counter'; help: string; unit?: string };

export const FAMILIES = {
  strain_up: { type: 'gauge', help: '1 while a run is in progress, 0 once it has ended.' },
  strain_step_info: { type: 'gauge', help: 'Always 1: the phase and executor of each step.' },
  strain_current_step: { type: 'gauge', help: 'The step in progress (from 1), and in of how many.' },
  strain_calls_total: { type: 'counter', help: 'Measured calls of the extractor (steady parts of steps).' },
  strain_errors_total: { type: 'counter', help: 'Measured calls that threw.' },
  strain_error_ratio: { type: 'gauge', help: 'Errors over measured calls.', unit: 'ratio' },
  strain_throughput_calls_per_second: { type: 'gauge', help: 'Measured calls per second.' },
  strain_latency_seconds: { type: 'gauge', help: 'Latency quantiles of measured calls.', unit: 'seconds' },
  strain_function_calls_total: { type: 'counter', help: 'A mix: measured calls of one function (label fn).' },
  strain_function_errors_total: { type: 'counter', help: 'A mix: measured calls of one function that threw.' },
  strain_function_share_ratio: { type: 'gauge', help: 'A mix: the fraction of the calls that went to the function.', unit: 'ratio' },
  strain_function_throughput_calls_per_second: { type: 'gauge', help: 'A mix: successful calls of one function per second.' },
  strain_function_latency_seconds: { type: 'gauge', help: 'A mix: latency quantiles of one function\'s calls.', unit: 'seconds' },
  strain_concurrency: { type: 'gauge', help: 'Calls in flight (closed loop) or workers serving the schedule (open loop).' },
  strain_offered_rate_calls_per_second: { type: 'gauge', help: 'Arrival rate offered by an open-loop step.' },
  strain_knee_found: { type: 'gauge', help: '1 when a degradation knee was found.' },
  strain_knee_load: { type: 'gauge', help: 'Load at the degradation knee (NaN when none was found).' },
  strain_capacity_load: { type: 'gauge', help: 'Highest load that met the objective in a capacity search (NaN when none did).' },
  strain_leak_detected: { type: 'gauge', help: '1 when a worker heap or the process memory grew over the endurance plateau (only when judged).' },
  strain_latency_drift_detected: { type: 'gauge', help: '1 when p99 drifted over the endurance plateau (only when judged).' },
  strain_regressed: { type: 'gauge', help: '1 when the run regressed against its baseline (only when compared).' },
  strain_peak_rss_bytes: { type: 'gauge', help: 'Peak resident set size of the process.', unit: 'bytes' },
  strain_process_rss_bytes: { type: 'gauge', help: 'Resident set size of the process now.', unit: 'bytes' },
  strain_process_cpu_ratio: { type: 'gauge', help: 'Process CPU now, 1 = one core busy.', unit: 'ratio' },
  strain_faults_total: { type: 'counter', help: 'Worker faults (hangs, crashes, exits, out of memory).' },
  strain_verdict_passed: { type: 'gauge', help: '1 when every threshold and check passed.' },
  strain_run_status: { type: 'gauge', help: '1 for the status the run ended with, 0 for the others.' },
  strain_exit_code: { type: 'gauge', help: 'The exit code strain run returned.' },
  strain_elapsed_seconds: { type: 'gauge', help: 'Time since the run started.', unit: 'seconds' },
  strain_run_duration_seconds: { type: 'gauge', help: 'Wall time of the whole run.', unit: 'seconds' },
  strain_run_start_timestamp_seconds: { type: 'gauge', help: 'When the run started, in Unix seconds.', unit: 'seconds' },
  strain_last_completion_timestamp_seconds: { type: 'gauge', help: 'When the run ended, pass or fail, in Unix seconds.', unit: 'seconds' },
  strain_last_success_timestamp_seconds: { type: 'gauge', help: 'When the run ended with its verdict passed, in Unix seconds (absent after a failure).', unit: 'seconds' },
} as const satisfies Record<string, Family>;

export type FamilyName = keyof typeof FAMILIES;
export type Labels = Record<string, string | number>;
/** Prometheus's text format 0.0.4 (textfile collector, Pushgateway, default scrape) or OpenMetrics 1.0 (a scraper that asks for it). */
export type Dialect = 'prometheus' | 'openmetrics';

/** Label values escaped per the text exposition format. */
const lv = (s: string | number): string => String(s).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const helpText = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const num = (x: number): string => (Number.isFinite(x) ? String(x) : x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN');

/** A label name Prometheus accepts, and none of the names strain sets itself or Prometheus reserves. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const RESERVED_LABELS = ['job', 'instance', 'profile', 'step', 'quantile', 'phase', 'executor', 'of', 'status', 'le', 'fn'];

class Exposition {
  private readonly samples = new Map<FamilyName, string[]>();
  constructor(private readonly base: Labels) {}
  sample(name: FamilyName, labels: Labels, value: number): void {
    const l = Object.entries({ ...this.base, ...labels }).map(([k, v]) => `${k}="${lv(v)}"`).join(',');
    const list = this.samples.get(name) ?? [];
    list.push(`${name}${l ? `{${l}}` : ''} ${num(value)}`);
    this.samples.set(name, list);
  }
  text(dialect: Dialect): string {
    const out: string[] = [];
    for (const [name, lines] of this.samples) {
      const f: Family = FAMILIES[name];
      // OpenMetrics names a counter's family without its _total suffix; the 0.0.4 format names it with it.
      const family = dialect === 'openmetrics' && f.type === 'counter' ? name.replace(/_total$/, '') : name;
      out.push(`# HELP ${family} ${helpText(f.help)}`, `# TYPE ${family} ${f.type}`);
      if (dialect === 'openmetrics' && f.unit && f.unit !== 'ratio') out.push(`# UNIT ${family} ${f.unit}`);
      out.push(...lines);
    }
    return `${out.join('\n')}\n${dialect === 'openmetrics' ? '# EOF\n' : ''}`;
  }
}

const QUANTILES: [string, 'p50' | 'p90' | 'p95' | 'p99' | 'p999' | 'max'][] = [['0.5', 'p50'], ['0.9', 'p90'], ['0.95', 'p95'], ['0.99', 'p99'], ['0.999', 'p999'], ['1', 'max']];
const STATUSES = ['completed', 'aborted', 'failed', 'interrupted'] as const;

interface Figures {
  count: number; errors: number; errorRate: number; throughput: number;
  latencyMs: Record<'p50' | 'p90' | 'p95' | 'p99' | 'p999' | 'max', number>;
}

function figures(e: Exposition, step: string, f: Figures): void {
  e.sample('strain_calls_total', { step }, f.count);
  e.sample('strain_errors_total', { step }, f.errors);
  e.sample('strain_error_ratio', { step }, f.errorRate);
  e.sample('strain_throughput_calls_per_second', { step }, f.throughput);
  for (const [q, k] of QUANTILES) e.sample('strain_latency_seconds', { step, quantile: q }, f.latencyMs[k] / 1000);
}

/** A mix's functions: their own families, so every series of a family keeps the same label names. */
function functionFigures(e: Exposition, step: string, fns: readonly (Figures & { name: string; share: number })[] | undefined): void {
  for (const f of fns ?? []) {
    const l = { step, fn: f.name };
    e.sample('strain_function_calls_total', l, f.count);
    e.sample('strain_function_errors_total', l, f.errors);
    e.sample('strain_function_share_ratio', l, f.share);
    e.sample('strain_function_throughput_calls_per_second', l, f.throughput);
    for (const [q, k] of QUANTILES) e.sample('strain_function_latency_seconds', { ...l, quantile: q }, f.latencyMs[k] / 1000);
  }
}

export interface MetricsOptions {
  /** Extra labels on every series (--label key=value). */
  labels?: Labels;
  dialect?: Dialect;
  /** For a Pushgateway: the grouping key adds profile and the labels to every series, so the body leaves them out. */
  grouped?: boolean;
}

const baseLabels = (name: string, o: MetricsOptions): Labels => (o.grouped ? {} : { profile: name, ...o.labels });

/** A finished run's metrics (metrics.prom, and the body pushed to a Pushgateway). */
export function openMetrics(r: StrainResult, opts: MetricsOptions = {}): string {
  const e = new Exposition(baseLabels(r.name, opts));
  e.sample('strain_up', {}, 0);
  for (const s of r.steps) e.sample('strain_step_info', { step: s.index + 1, phase: s.phase, executor: s.executor }, 1);
  figures(e, 'total', r.total);
  for (const s of r.steps) figures(e, String(s.index + 1), s);
  functionFigures(e, 'total', r.total.functions);
  for (const s of r.steps) functionFigures(e, String(s.index + 1), s.functions);
  for (const s of r.steps) e.sample('strain_concurrency', { step: s.index + 1 }, s.load.concurrency);
  for (const s of r.steps) if (s.openLoop) e.sample('strain_offered_rate_calls_per_second', { step: s.index + 1 }, s.openLoop.offered);
  e.sample('strain_knee_found', {}, r.knee.detected ? 1 : 0);
  e.sample('strain_knee_load', {}, r.knee.load ?? NaN);
  if (r.capacity) e.sample('strain_capacity_load', {}, r.capacity.capacity ?? NaN);
  // A verdict of insufficient data judged nothing: no 0 that reads as "no leak".
  const memory = [...(r.endurance?.heap.map((h) => h.trend) ?? []), ...(r.endurance?.rss ? [r.endurance.rss] : [])].filter((t) => t.verdict !== 'insufficient-data');
  if (memory.length) e.sample('strain_leak_detected', {}, memory.some((t) => t.verdict === 'leak') ? 1 : 0);
  const latency = r.endurance?.latency;
  if (latency && latency.verdict !== 'insufficient-data') e.sample('strain_latency_drift_detected', {}, latency.verdict === 'drift' ? 1 : 0);
  if (r.comparison) e.sample('strain_regressed', {}, r.comparison.regressed ? 1 : 0);
  e.sample('strain_peak_rss_bytes', {}, r.resources.peakRssBytes);
  e.sample('strain_faults_total', {}, r.faults.length);
  e.sample('strain_verdict_passed', {}, r.verdict.passed ? 1 : 0);
  for (const s of STATUSES) e.sample('strain_run_status', { status: s }, r.status === s ? 1 : 0);
  e.sample('strain_exit_code', {}, r.exitCode);
  e.sample('strain_run_duration_seconds', {}, r.meta.durationMs / 1000);
  e.sample('strain_run_start_timestamp_seconds', {}, Date.parse(r.meta.startedAt) / 1000);
  e.sample('strain_last_completion_timestamp_seconds', {}, Date.parse(r.meta.endedAt) / 1000);
  if (r.verdict.passed && r.status === 'completed') e.sample('strain_last_success_timestamp_seconds', {}, Date.parse(r.meta.endedAt) / 1000);
  return e.text(opts.dialect ?? 'prometheus');
}

/** The live metrics of a run in progress (served on --metrics-port, pushed every --push-interval). */
export function liveMetrics(name: string, p: Progress | undefined, opts: MetricsOptions = {}): string {
  const e = new Exposition(baseLabels(name, opts));
  e.sample('strain_up', {}, p ? 1 : 0);
  if (p) {
    const step = String(p.step);
    e.sample('strain_current_step', { phase: p.phase, of: p.steps }, p.step);
    e.sample('strain_concurrency', { step }, p.concurrency);
    e.sample('strain_throughput_calls_per_second', { step }, p.throughput);
    e.sample('strain_latency_seconds', { step, quantile: '0.5' }, p.p50Ms / 1000);
    e.sample('strain_latency_seconds', { step, quantile: '0.99' }, p.p99Ms / 1000);
    e.sample('strain_errors_total', { step: 'total' }, p.errors);
    e.sample('strain_elapsed_seconds', {}, p.elapsedMs / 1000);
    if (p.cpuPercent !== null) e.sample('strain_process_cpu_ratio', {}, p.cpuPercent / 100);
    if (p.rssBytes !== null) e.sample('strain_process_rss_bytes', {}, p.rssBytes);
  }
  return e.text(opts.dialect ?? 'prometheus');
}
