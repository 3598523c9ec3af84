import path from 'node:path';
import type { StrainResult } from '../result/schema.js';
import { writeFileAtomic } from '../result/write.js';
import { resourcesCsv, seriesCsv, stepsCsv } from './csv.js';
import { gabJson } from './gab.js';
import { htmlReport } from './html.js';
import { junitXml } from './junit.js';
import { markdownSummary } from './markdown.js';
import { openMetrics, type Labels } from './openmetrics.js';
import { REPORT_FORMATS, type ReportFormat } from './formats.js';

export { parseFormats, REPORT_FORMATS, type ReportFormat } from './formats.js';

/** Which files each format writes, and how. */
const WRITERS: Record<ReportFormat, [string, (r: StrainResult, o: ReportOptions) => string][]> = {
  html: [['report.html', htmlReport]],
  md: [['summary.md', markdownSummary]],
  csv: [['steps.csv', stepsCsv], ['series.csv', seriesCsv], ['resources.csv', resourcesCsv]],
  junit: [['junit.xml', junitXml]],
  openmetrics: [['metrics.prom', (r, o) => openMetrics(r, { labels: o.metricLabels ?? {} })]],
  gab: [['gab.json', gabJson]],
};

export interface ReportOptions {
  /** Labels on every series of metrics.prom (the run's --label pairs). */
  metricLabels?: Labels;
}

/** Render the reports into `dir`, each file written atomically. Returns the paths written. */
export function writeReports(dir: string, r: StrainResult, formats: readonly ReportFormat[] = REPORT_FORMATS, opts: ReportOptions = {}): string[] {
  const written: string[] = [];
  for (const f of formats) {
    for (const [name, render] of WRITERS[f]) {
      const file = path.join(dir, name);
      writeFileAtomic(file, render(r, opts));
      written.push(file);
    }
  }
  return written;
}
