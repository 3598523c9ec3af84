import type { Progress } from '../run.js';
import { liveMetrics } from '../report/openmetrics.js';
import type { Delivery } from './deliver.js';
import { push, type PushTarget } from './pushgateway.js';

/**
 * Pushes a long run's live metrics every interval from its progress
 * callbacks: one try each (the next interval is the retry), never two in
 * flight, and nothing that can slow the run.
 */
export class LivePusher {
  private last = -Infinity;
  private inflight: Promise<void> | undefined;
  private sent = 0;
  private failed: Delivery[] = [];

  constructor(private readonly target: PushTarget, private readonly name: string, private readonly intervalMs: number, private readonly now: () => number = Date.now) {}

  update(p: Progress): void {
    const t = this.now();
    if (this.inflight || t - this.last < this.intervalMs) return;
    this.last = t;
    this.inflight = push(this.target, liveMetrics(this.name, p, { grouped: true }), 'POST', { attempts: 1, timeoutMs: Math.min(5000, this.intervalMs) })
      .then((d) => {
        this.sent++;
        if (!d.ok) this.failed.push(d);
      })
      .finally(() => {
        this.inflight = undefined;
      });
  }

  /** Wait for a push in flight; a warning when any of the live pushes failed. */
  async finish(): Promise<string | null> {
    await this.inflight;
    const f = this.failed[this.failed.length - 1];
    return f ? `${this.failed.length} of ${this.sent} live push(es) to ${f.target} failed; the last: ${f.error ?? 'unknown error'}` : null;
  }
}
