import { readFileSync } from 'node:fs';
import { compareMetric, type Direction } from '../analysis/compare.js';
import { judgeDisturbed, judgeHostSpeed } from './machine.js';
import { StrainError } from '../errors.js';
import { DEFAULT_NOISE, type NoiseThresholds } from './noise.js';
import { resultSchemaErrors, writeFileAtomic } from '../result/write.js';
import type { Comparison, RunSummary, StrainResult } from '../result/schema.js';

/** The per-run figures a baseline keeps: one value per metric per run. */
export function summarizeRun(r: StrainResult): RunSummary {
  const fns = r.total.functions;
  const bad = r.steps.filter((s) => s.environment?.disturbed);
  // The share of the machine something else held, at the worst step: what it could have cost the figures.
  const share = Math.max(0, ...bad.map((s) => {
    const e = s.environment!;
    return Math.min(1, e.otherCpuPercent / (100 * Math.max(1, e.cores)) + e.stealPercent / 100 + (e.throttledPercent ?? 0) / 100);
  }));
  const disturbed = bad.length ? { share, reasons: bad.map((s) => `step ${s.index + 1}: ${s.environment!.reasons.join('; ')}`) } : undefined;
  return {
    throughput: r.total.throughput, p50: r.total.latencyMs.p50, p99: r.total.latencyMs.p99, errorRate: r.total.errorRate,
    ...(disturbed ? { disturbed } : {}),
    ...(r.meta.hostSpeed ? { hostSpeed: r.meta.hostSpeed.bytesPerUs } : {}),
    ...(fns?.length ? { functions: Object.fromEntries(fns.map((f) => [f.name, { throughput: f.throughput, p50: f.latencyMs.p50, p99: f.latencyMs.p99, errorRate: f.errorRate }])) } : {}),
  };
}

export { DEFAULT_NOISE, type NoiseThresholds } from './noise.js';

const METRICS: { key: keyof NoiseThresholds; direction: Direction }[] = [
  { key: 'throughput', direction: 'higher-is-better' },
  { key: 'p50', direction: 'lower-is-better' },
  { key: 'p99', direction: 'lower-is-better' },
];

/** Each side's runs against the other's, then the machine's part in any change (machine.ts). */
export function compareRuns(base: readonly RunSummary[], cur: readonly RunSummary[], noise: NoiseThresholds = DEFAULT_NOISE): Comparison {
  return judgeHostSpeed(judgeDisturbed(base, cur, (b, c) => compareQuiet(b, c, noise)), base, cur);
}

function compareQuiet(base: readonly RunSummary[], cur: readonly RunSummary[], noise: NoiseThresholds): Comparison {
  const metrics = METRICS.map(({ key, direction }) =>
    compareMetric(key, base.map((r) => r[key]), cur.map((r) => r[key]), direction, noise[key]),
  );
  // A mix: each function compared with itself, named as thresholds name it (p99{fn:deep}).
  for (const name of functionsInAll([...base, ...cur])) {
    for (const { key, direction } of METRICS) {
      const of = (runs: readonly RunSummary[]): number[] => runs.map((r) => r.functions?.[name]?.[key] as number);
      metrics.push(compareMetric(`${key}{fn:${name}}`, of(base), of(cur), direction, noise[key]));
    }
  }
  return { baseRuns: base.length, currentRuns: cur.length, metrics, regressed: metrics.some((m) => m.verdict === 'regressed') };
}

/** The functions every run has figures of (a mix's, on both sides). */
function functionsInAll(runs: readonly RunSummary[]): string[] {
  const first = Object.keys(runs[0]?.functions ?? {});
  return first.filter((n) => runs.every((r) => r.functions?.[n] !== undefined));
}

export interface BaselineFile {
  kind: 'strain-baseline';
  schemaVersion: 1;
  name: string;
  createdAt: string;
  host: StrainResult['meta']['host'];
  runs: RunSummary[];
}

export function saveBaseline(file: string, result: StrainResult, runs: RunSummary[]): void {
  const b: BaselineFile = { kind: 'strain-baseline', schemaVersion: 1, name: result.name, createdAt: new Date().toISOString(), host: result.meta.host, runs };
  writeFileAtomic(file, `${JSON.stringify(b, null, 2)}\n`);
}

function isRunSummary(x: unknown): x is RunSummary {
  const r = x as Record<string, unknown>;
  return !!r && ['throughput', 'p50', 'p99', 'errorRate'].every((k) => typeof r[k] === 'number' && Number.isFinite(r[k]));
}

/** Runs from a baseline file, or from a result.json (its --repeat runs, or the one run it is). */
export function readRunSet(file: string): { name: string; runs: RunSummary[] } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new StrainError('STRAIN_RESULT_READ', `cannot read: ${(e as Error).message}`, { where: file });
  }
  const d = data as Partial<BaselineFile>;
  if (d && d.kind === 'strain-baseline') {
    if (!Array.isArray(d.runs) || d.runs.length === 0 || !d.runs.every(isRunSummary)) {
      throw new StrainError('STRAIN_RESULT_READ', 'a baseline needs "runs": a non-empty array of { throughput, p50, p99, errorRate } numbers', { where: `${file} $.runs` });
    }
    return { name: String(d.name ?? ''), runs: d.runs };
  }
  const errors = resultSchemaErrors(data);
  if (errors.length) throw new StrainError('STRAIN_RESULT_READ', `neither a strain baseline nor a strain result: ${errors.slice(0, 3).join('; ')}`, { where: file });
  const r = data as StrainResult;
  return { name: r.name, runs: r.runs && r.runs.length ? r.runs : [summarizeRun(r)] };
}
