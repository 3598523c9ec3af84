import { StrainError } from '../errors.js';

/** Report formats by name: kept apart from the renderers so the CLI can check --format without loading them. */
export const REPORT_FORMATS = ['html', 'md', 'csv', 'junit', 'openmetrics', 'gab'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

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
