import { StrainError } from '../errors.js';

/** One thing sent to monitoring at the end of a run, and how it went. */
export interface Delivery {
  kind: 'push' | 'webhook' | 'command';
  target: string;
  ok: boolean;
  attempts: number;
  error: string | null;
}

export interface HttpRequest {
  url: string;
  method: 'POST' | 'PUT';
  contentType: string;
  body: string;
}

export interface RetryOptions {
  /** Tries in all (default 3). */
  attempts?: number;
  /** Each try's deadline (default 5 s): a monitoring server that hangs cannot hold the run's end. */
  timeoutMs?: number;
  /** Pause before the second try, doubled before each later one (default 500 ms). */
  backoffMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Send one HTTP request, retrying a bounded number of times when the server
 * cannot be reached or answers 5xx/429 (a 4xx is the request's fault: trying
 * again sends the same mistake). Never throws: the outcome is the answer.
 */
export async function sendWithRetries(kind: Delivery['kind'], target: string, req: HttpRequest, opts: RetryOptions = {}): Promise<Delivery> {
  const attempts = opts.attempts ?? 3;
  let backoff = opts.backoffMs ?? 500;
  let error = 'not sent';
  for (let i = 1; i <= attempts; i++) {
    try {
      const res = await fetch(req.url, {
        method: req.method, headers: { 'content-type': req.contentType }, body: req.body, signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
      });
      const text = await res.text().catch(() => '');
      if (res.ok) return { kind, target, ok: true, attempts: i, error: null };
      error = `HTTP ${res.status}${text.trim() ? `: ${text.trim().slice(0, 200)}` : ''}`;
      if (res.status < 500 && res.status !== 429) return { kind, target, ok: false, attempts: i, error };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      error = err.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs ?? 5000} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
    }
    if (i < attempts) {
      await sleep(backoff);
      backoff *= 2;
    }
  }
  return { kind, target, ok: false, attempts, error };
}

/** A webhook's URL without its path and query, which often carry a token: what a result may record. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '/' : '/…'}`;
  } catch {
    return '(invalid URL)';
  }
}

export function warningOf(d: Delivery): string | null {
  if (d.ok) return null;
  const what = d.kind === 'push' ? 'push to the Pushgateway' : d.kind === 'webhook' ? 'notification webhook' : 'notify command';
  return `${what} ${d.target} failed after ${d.attempts} attempt(s): ${d.error ?? 'unknown error'}`;
}

/** An http(s) URL, or a usage error that names the option. */
export function checkHttpUrl(url: string, where: string): URL {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) throw new StrainError('STRAIN_USAGE', `${where} must be an http(s) URL, found ${JSON.stringify(url)}`);
  return u;
}
