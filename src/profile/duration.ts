import { StrainError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

/**
 * Parse a duration like `500ms`, `30s`, `5m`, `2h` or `1m30s` into milliseconds.
 * A bare number is taken as milliseconds. Parsed, never evaluated.
 */
export function parseDuration(text: string | number, where: string): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text <= 0) {
      throw new StrainError('STRAIN_DURATION', `expected a positive duration, found ${text}`, { where });
    }
    return text;
  }
  const s = text.trim();
  let ms = 0;
  PART.lastIndex = 0;
  let matched = 0;
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s);
    if (!m) break;
    ms += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    matched = PART.lastIndex;
  }
  if (s.length === 0 || matched !== s.length) {
    throw new StrainError(
      'STRAIN_DURATION',
      `expected a duration such as "500ms", "30s", "5m", "2h" or "1m30s", found ${JSON.stringify(text)}`,
      { where },
    );
  }
  if (ms <= 0) {
    throw new StrainError('STRAIN_DURATION', `expected a positive duration, found ${JSON.stringify(text)}`, { where });
  }
  return ms;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${Number(s.toFixed(1))}s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return rest ? `${m}m${rest}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
}
