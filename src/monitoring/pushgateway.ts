import { StrainError } from '../errors.js';
import { LABEL_NAME, openMetrics, RESERVED_LABELS } from '../report/openmetrics.js';
import type { StrainResult } from '../result/schema.js';
import { checkHttpUrl, sendWithRetries, type Delivery, type RetryOptions } from './deliver.js';

/** Where a run's metrics go: a Pushgateway and the grouping key of the run's group. */
export interface PushTarget {
  /** The Pushgateway's base URL, e.g. http://127.0.0.1:9091. */
  url: string;
  /** Grouping key after job="strain": the profile's name, then the --label pairs. */
  grouping: [string, string][];
}

/** A label value in a grouping-key path: plain when URL-safe, else base64url as the Pushgateway reads it (`name@base64/…`). */
function segment(name: string, value: string): string {
  if (/^[A-Za-z0-9_.~-]+$/.test(value)) return `${name}/${value}`;
  return `${name}@base64/${value === '' ? '=' : Buffer.from(value, 'utf8').toString('base64url')}`;
}

/** A URL as a result may record it: no user name or password (http://user:secret@host). */
function withoutCredentials(url: string): string {
  const u = new URL(url);
  if (!u.username && !u.password) return url;
  u.username = '';
  u.password = '';
  return u.href;
}

/** The URL of the run's group: /metrics/job/strain/profile/<name>[/<label>/<value>…]. */
export function groupUrl(t: PushTarget): string {
  const base = t.url.replace(/\/+$/, '');
  return [`${base}/metrics/job/strain`, ...t.grouping.map(([k, v]) => segment(k, v))].join('/');
}

/** Check a --push URL before the run: a typo found after an overnight run is found too late. */
export function checkPushUrl(url: string, where: string): string {
  const u = checkHttpUrl(url, where);
  if (/\/metrics(\/|$)/.test(u.pathname)) {
    throw new StrainError('STRAIN_USAGE', `${where} is the Pushgateway's base URL (e.g. http://host:9091); strain adds /metrics/job/strain/profile/<name> itself, found ${JSON.stringify(url)}`);
  }
  return url;
}

/** --label key=value pairs, checked: Prometheus label names, none that strain sets itself. */
export function parseLabels(pairs: readonly string[], where = '--label'): [string, string][] {
  const out: [string, string][] = [];
  for (const p of pairs) {
    const eq = p.indexOf('=');
    const key = eq < 0 ? p : p.slice(0, eq);
    if (eq < 0 || !LABEL_NAME.test(key) || key.startsWith('__')) {
      throw new StrainError('STRAIN_USAGE', `${where} takes key=value with a Prometheus label name (letters, digits, _), found ${JSON.stringify(p)}`);
    }
    if (RESERVED_LABELS.includes(key)) throw new StrainError('STRAIN_USAGE', `${where}: ${JSON.stringify(key)} is a label strain sets itself; choose another name`);
    if (out.some(([k]) => k === key)) throw new StrainError('STRAIN_USAGE', `${where}: ${JSON.stringify(key)} is given twice`);
    out.push([key, p.slice(eq + 1)]);
  }
  return out;
}

/**
 * Push a body to the run's group. A run that passed PUTs, replacing the whole
 * group (nothing left over from an earlier run or from the live pushes); a
 * failed run and the live pushes POST, which replaces only the families
 * they carry, so a failure leaves the last success's
 * strain_last_success_timestamp_seconds in place, the Pushgateway's
 * convention for batch jobs.
 */
export function push(t: PushTarget, body: string, method: 'PUT' | 'POST', opts?: RetryOptions): Promise<Delivery> {
  const url = groupUrl(t);
  return sendWithRetries('push', withoutCredentials(url), { url, method, contentType: 'text/plain; version=0.0.4; charset=utf-8', body }, opts);
}

/**
 * Push a finished run's metrics to its group (job "strain", its profile's
 * name, then the labels): what `strain run --push` does, for library users.
 * Never throws; the delivery says how it went.
 */
export function pushResult(r: StrainResult, url: string, labels: [string, string][] = [], opts?: RetryOptions): Promise<Delivery> {
  const passed = r.verdict.passed && r.status === 'completed';
  return push({ url, grouping: [['profile', r.name], ...labels] }, openMetrics(r, { grouped: true }), passed ? 'PUT' : 'POST', opts);
}
