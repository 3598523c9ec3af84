import path from 'node:path';
import { StrainError } from '../errors.js';
import type { StrainResult } from '../result/schema.js';
import { writeFileAtomic } from '../result/write.js';
import { resourcesCsv, seriesCsv, stepsCsv } from './csv.js';
import { htmlReport } from './html.js';
import { junitXml } from './junit.js';
import { markdownSummary } from './markdown.js';
import { openMetrics } from './openmetrics.js';

export const REPORT_FORMATS = ['html', 'md', 'csv', 'junit', 'openmetrics'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Which files each format writes, and how. */
const WRITERS: Record<ReportFormat, [string, (r: StrainResult) => string][]> = {
  html: [['report.html', htmlReport]],
  md: [['summary.md', markdownSummary]],
  csv: [['steps.csv', stepsCsv], ['series.csv', seriesCsv], ['resources.csv', resourcesCsv]],
  junit: [['junit.xml', junitXml]],
  openmetrics: [['metrics.prom', openMetrics]],
};

export function parseFormats(list: string): ReportFormat[] {
  const out: ReportFormat[] = [];
  for (const f of list.split(',').map((x) => x.trim()).filter(Boolean)) {
    if (f === 'all') return [...REPORT_FORMATS];
    if (!(REPORT_FORMATS as readonly string[]).includes(f)) {
      throw new StrainError('STRAIN_USAGE', `--format: unknown format ${JSON.stringify(f)}; expected ${REPORT_FORMATS.join(', ')} or all`);
    }
    out.push(f as ReportFormat);
  }
  return out;
}

/** Render the reports into `dir`, each file written atomically. Returns the paths written. */
export function writeReports(dir: string, r: StrainResult, formats: readonly ReportFormat[] = REPORT_FORMATS): string[] {
  const written: string[] = [];
  for (const f of formats) {
    for (const [name, render] of WRITERS[f]) {
      const file = path.join(dir, name);
      writeFileAtomic(file, render(r));
      written.push(file);
    }
  }
  return written;
}
