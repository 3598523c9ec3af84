import type { StrainResult } from '../result/schema.js';

function csvCell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? String(Number(v.toPrecision(10))) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(header: string[], rows: (string | number | boolean | null | undefined)[][]): string {
  return `${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

/** Every CSV numbers steps the same way: steps[].index + 1, empty outside a measured step. */
const stepNo = (index: number): number | null => (index >= 0 ? index + 1 : null);

/** One row per step; latency in milliseconds. */
export function stepsCsv(r: StrainResult): string {
  return csv(
    ['step', 'phase', 'executor', 'concurrency', 'rate', 'start_ms', 'duration_ms', 'count', 'errors', 'error_rate', 'throughput',
      'min_ms', 'mean_ms', 'stddev_ms', 'p50_ms', 'p75_ms', 'p90_ms', 'p95_ms', 'p99_ms', 'p999_ms', 'max_ms', 'cpu_mean_pct', 'cpu_peak_pct',
      'peak_rss_bytes', 'saturated', 'achieved', 'late', 'dropped', 'service_p99_ms', 'fn'],
    r.steps.flatMap((s) => [
      [
        stepNo(s.index), s.phase, s.executor, s.load.concurrency, s.load.rate, s.startMs, s.durationMs, s.count, s.errors, s.errorRate, s.throughput,
        s.latencyMs.min, s.latencyMs.mean, s.latencyMs.stddev, s.latencyMs.p50, s.latencyMs.p75, s.latencyMs.p90, s.latencyMs.p95, s.latencyMs.p99,
        s.latencyMs.p999, s.latencyMs.max, s.cpu.meanPercent, s.cpu.peakPercent, s.peakRssBytes, s.saturated,
        s.openLoop?.achieved, s.openLoop?.late, s.openLoop?.dropped, s.openLoop?.serviceMs.p99, '',
      ],
      // A mix: a row per function under its step's (the blend's) row, named in the fn column.
      ...(s.functions ?? []).map((f) => [
        stepNo(s.index), s.phase, s.executor, s.load.concurrency, s.load.rate, s.startMs, s.durationMs, f.count, f.errors, f.errorRate, f.throughput,
        f.latencyMs.min, f.latencyMs.mean, f.latencyMs.stddev, f.latencyMs.p50, f.latencyMs.p75, f.latencyMs.p90, f.latencyMs.p95, f.latencyMs.p99,
        f.latencyMs.p999, f.latencyMs.max, null, null, null, null, null, null, null, null, f.name,
      ]),
    ]),
  );
}

/** The per-interval time series over all workers, joined with the resource samples by time. */
export function seriesCsv(r: StrainResult): string {
  return csv(
    ['t_ms', 'step', 'count', 'errors', 'throughput', 'p50_ms', 'p99_ms', 'max_ms'],
    r.series.map((p) => [p.tMs, stepNo(p.step), p.count, p.errors, p.throughput, p.p50Ms, p.p99Ms, p.maxMs]),
  );
}

export function resourcesCsv(r: StrainResult): string {
  return csv(
    ['t_ms', 'step', 'cpu_pct', 'rss_bytes', 'system_cpu_pct', 'system_mem_used_bytes', 'disk_read_bytes_per_s', 'disk_write_bytes_per_s'],
    r.resources.series.map((s) => [s.tMs, stepNo(s.step), s.cpuPercent, s.rssBytes, s.systemCpuPercent, s.systemMemUsedBytes, s.diskReadBytesPerSec, s.diskWriteBytesPerSec]),
  );
}
