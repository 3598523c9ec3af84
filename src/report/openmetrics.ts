import type { Progress } from '../run.js';
import type { StrainResult } from '../result/schema.js';

/** Label values escaped per the text exposition format. */
const lv = (s: string | number): string => String(s).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const num = (x: number): string => (Number.isFinite(x) ? String(x) : x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN');

class Exposition {
  private readonly lines: string[] = [];
  family(name: string, type: 'gauge' | 'counter', help: string, unit?: string): void {
    this.lines.push(`# TYPE ${name} ${type}`);
    if (unit) this.lines.push(`# UNIT ${name} ${unit}`);
    this.lines.push(`# HELP ${name} ${help}`);
  }
  sample(name: string, labels: Record<string, string | number>, value: number): void {
    const l = Object.entries(labels).map(([k, v]) => `${k}="${lv(v)}"`).join(',');
    this.lines.push(`${name}${l ? `{${l}}` : ''} ${num(value)}`);
  }
  text(): string {
    return `${this.lines.join('\n')}\n# EOF\n`;
  }
}

const QUANTILES: [string, 'p50' | 'p90' | 'p95' | 'p99' | 'p999' | 'max'][] = [['0.5', 'p50'], ['0.9', 'p90'], ['0.95', 'p95'], ['0.99', 'p99'], ['0.999', 'p999'], ['1', 'max']];

/** A finished run's metrics in the OpenMetrics text format (for a Pushgateway or a textfile collector). */
export function openMetrics(r: StrainResult): string {
  const e = new Exposition();
  const run = { run: r.name };
  e.family('strain_calls', 'counter', 'Measured calls of the extractor.');
  e.sample('strain_calls_total', run, r.total.count);
  e.family('strain_errors', 'counter', 'Calls that threw.');
  e.sample('strain_errors_total', run, r.total.errors);
  e.family('strain_throughput_calls_per_second', 'gauge', 'Calls per second over the whole run.');
  e.sample('strain_throughput_calls_per_second', run, r.total.throughput);
  e.family('strain_latency_seconds', 'gauge', 'Latency quantiles over the whole run.', 'seconds');
  for (const [q, k] of QUANTILES) e.sample('strain_latency_seconds', { ...run, quantile: q }, r.total.latencyMs[k] / 1000);
  e.family('strain_step_throughput_calls_per_second', 'gauge', 'Steady-state calls per second of each step.');
  for (const s of r.steps) e.sample('strain_step_throughput_calls_per_second', { ...run, step: s.index + 1, phase: s.phase, concurrency: s.load.concurrency }, s.throughput);
  e.family('strain_step_latency_seconds', 'gauge', 'Steady-state latency quantiles of each step.', 'seconds');
  for (const s of r.steps) for (const [q, k] of QUANTILES) e.sample('strain_step_latency_seconds', { ...run, step: s.index + 1, quantile: q }, s.latencyMs[k] / 1000);
  e.family('strain_knee_load', 'gauge', 'Load at the degradation knee (NaN when none was found).');
  e.sample('strain_knee_load', run, r.knee.load ?? NaN);
  e.family('strain_peak_rss_bytes', 'gauge', 'Peak resident set size of the process.', 'bytes');
  e.sample('strain_peak_rss_bytes', run, r.resources.peakRssBytes);
  e.family('strain_faults', 'counter', 'Worker faults (hangs, crashes, exits, out of memory).');
  e.sample('strain_faults_total', run, r.faults.length);
  e.family('strain_verdict_passed', 'gauge', '1 when every threshold and check passed.');
  e.sample('strain_verdict_passed', run, r.verdict.passed ? 1 : 0);
  e.family('strain_exit_code', 'gauge', 'The exit code strain run returned.');
  e.sample('strain_exit_code', run, r.exitCode);
  return e.text();
}

/** The live metrics of a run in progress (served on --metrics-port). */
export function liveMetrics(name: string, p: Progress | undefined): string {
  const e = new Exposition();
  const run = { run: name };
  e.family('strain_up', 'gauge', '1 while a run is in progress.');
  e.sample('strain_up', run, p ? 1 : 0);
  if (p) {
    e.family('strain_step', 'gauge', 'Current step (1-based) and how many there are.');
    e.sample('strain_step', { ...run, phase: p.phase, of: p.steps }, p.step);
    e.family('strain_concurrency', 'gauge', 'Concurrency of the current step.');
    e.sample('strain_concurrency', run, p.concurrency);
    e.family('strain_throughput_calls_per_second', 'gauge', 'Calls per second in the current step so far.');
    e.sample('strain_throughput_calls_per_second', run, p.throughput);
    e.family('strain_latency_seconds', 'gauge', 'Latency quantiles in the current step so far.', 'seconds');
    e.sample('strain_latency_seconds', { ...run, quantile: '0.5' }, p.p50Ms / 1000);
    e.sample('strain_latency_seconds', { ...run, quantile: '0.99' }, p.p99Ms / 1000);
    e.family('strain_errors', 'counter', 'Calls that threw so far.');
    e.sample('strain_errors_total', run, p.errors);
    e.family('strain_elapsed_seconds', 'gauge', 'Time since timing started.', 'seconds');
    e.sample('strain_elapsed_seconds', run, p.elapsedMs / 1000);
    if (p.cpuPercent !== null) {
      e.family('strain_process_cpu_percent', 'gauge', 'Process CPU, 100 = one core.');
      e.sample('strain_process_cpu_percent', run, p.cpuPercent);
    }
    if (p.rssBytes !== null) {
      e.family('strain_process_rss_bytes', 'gauge', 'Resident set size of the process.', 'bytes');
      e.sample('strain_process_rss_bytes', run, p.rssBytes);
    }
  }
  return e.text();
}
