import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { historyChangePoints, newChangePoints } from '../src/history/change-points.js';
import type { HistoryEntry } from '../src/history/store.js';
import { redactUrl, sendWithRetries, warningOf } from '../src/monitoring/deliver.js';
import { LivePusher } from '../src/monitoring/live-push.js';
import { notification, slackMessage, triggersOf } from '../src/monitoring/notification.js';
import { groupUrl, parseLabels, push } from '../src/monitoring/pushgateway.js';
import type { Progress } from '../src/run.js';
import type { StrainResult } from '../src/result/schema.js';
import { readResult } from '../src/result/write.js';
import { fixture } from './helpers.js';

const saved = readResult(fixture('result.json'));
const passing = (edit: (r: StrainResult) => void = () => undefined): StrainResult => {
  const r = structuredClone(saved);
  r.status = 'completed';
  r.exitCode = 0;
  r.verdict = { passed: true, reasons: [] };
  delete r.comparison;
  delete r.endurance;
  edit(r);
  return r;
};

/** A loopback server answering each request with the next status of a script (the last repeats); 0 never answers. */
async function scripted(statuses: number[]): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = createServer((req, res) => {
    const status = statuses[Math.min(hits, statuses.length - 1)]!;
    hits++;
    req.resume();
    if (status === 0) return;
    res.writeHead(status).end(status >= 400 ? 'bad things' : '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, hits: () => hits,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('monitoring: Pushgateway grouping keys', () => {
  it('plain values stay plain; a slash, a space or nothing is base64url, as the Pushgateway reads it', () => {
    assert.equal(groupUrl({ url: 'http://pg:9091/', grouping: [['profile', 'nightly-1.2']] }), 'http://pg:9091/metrics/job/strain/profile/nightly-1.2');
    assert.equal(groupUrl({ url: 'http://pg:9091', grouping: [['profile', 'team/a b'], ['env', '']] }),
      `http://pg:9091/metrics/job/strain/profile@base64/${Buffer.from('team/a b').toString('base64url')}/env@base64/=`);
  });
  it('a push recorded in the result never carries the credentials of its URL', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const d = await push({ url: `http://user:s3cret@127.0.0.1:${port}`, grouping: [['profile', 'p']] }, 'x 1\n', 'PUT', { attempts: 1 });
    assert.equal(d.target, `http://127.0.0.1:${port}/metrics/job/strain/profile/p`);
    assert.equal(d.ok, false);
  });
  it('labels are key=value with Prometheus names, none strain sets, none twice', () => {
    assert.deepEqual(parseLabels(['env=ci', 'rack=a=b', 'empty=']), [['env', 'ci'], ['rack', 'a=b'], ['empty', '']]);
    assert.throws(() => parseLabels(['1x=a']), /key=value with a Prometheus label name/);
    assert.throws(() => parseLabels(['__name__=a']), /key=value/);
    assert.throws(() => parseLabels(['step=1']), /"step" is a label strain sets itself/);
    assert.throws(() => parseLabels(['a=1', 'a=2']), /"a" is given twice/);
  });
});

describe('monitoring: delivery with bounded retries', () => {
  it('retries 5xx until it passes; a 4xx is not retried; a server that never answers is cut at the deadline', async () => {
    const flaky = await scripted([503, 500, 200]);
    try {
      const d = await sendWithRetries('push', 'pg', { url: flaky.url, method: 'PUT', contentType: 'text/plain', body: 'x 1\n' }, { backoffMs: 1 });
      assert.deepEqual([d.ok, d.attempts, d.error, flaky.hits()], [true, 3, null, 3]);
    } finally {
      await flaky.close();
    }
    const wrong = await scripted([400]);
    try {
      const d = await sendWithRetries('push', 'pg', { url: wrong.url, method: 'PUT', contentType: 'text/plain', body: '' }, { backoffMs: 1 });
      assert.deepEqual([d.ok, d.attempts, d.error, wrong.hits()], [false, 1, 'HTTP 400: bad things', 1]);
      assert.equal(warningOf(d), 'push to the Pushgateway pg failed after 1 attempt(s): HTTP 400: bad things');
    } finally {
      await wrong.close();
    }
    const silent = await scripted([0]);
    try {
      const t0 = Date.now();
      const d = await sendWithRetries('webhook', 'hook', { url: silent.url, method: 'POST', contentType: 'application/json', body: '{}' }, { attempts: 2, timeoutMs: 200, backoffMs: 1 });
      assert.deepEqual([d.ok, d.attempts, d.error], [false, 2, 'no answer within 200 ms']);
      assert.ok(Date.now() - t0 < 5000, 'bounded by the deadlines');
      assert.equal(warningOf({ ...d, ok: true }), null);
    } finally {
      await silent.close();
    }
  });
  it("a webhook's path and query never appear where it is recorded", () => {
    assert.equal(redactUrl('https://hooks.slack.com/services/T0/B0/SECRET?x=1'), 'https://hooks.slack.com/…');
    assert.equal(redactUrl('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080/');
    assert.equal(redactUrl('nope'), '(invalid URL)');
  });
  it('live pushes: one per interval by the injected clock, never two in flight', async () => {
    const gw = await scripted([200]);
    try {
      let now = 0;
      const pusher = new LivePusher({ url: gw.url.replace('/x', ''), grouping: [['profile', 'p']] }, 'p', 1000, () => now);
      const p = { phase: 'ramp', step: 1, steps: 2, concurrency: 1, elapsedMs: 0, remainingMs: 0, throughput: 1, p50Ms: 1, p99Ms: 1, errors: 0, cpuPercent: null, rssBytes: null } as Progress;
      pusher.update(p);
      pusher.update(p); // in flight, and inside the interval
      assert.equal(await pusher.finish(), null);
      now = 500;
      pusher.update(p); // inside the interval
      now = 1000;
      pusher.update(p);
      assert.equal(await pusher.finish(), null);
      assert.equal(gw.hits(), 2);
    } finally {
      await gw.close();
    }
  });
});

describe('monitoring: what deserves a notification', () => {
  it('a passing run triggers nothing; a failed verdict, a regression, a leak and a new change point each trigger, with reasons', () => {
    assert.deepEqual(triggersOf(passing(), []), { triggers: [], reasons: [] });
    const failed = triggersOf(passing((r) => { r.exitCode = 1; r.verdict = { passed: false, reasons: ['threshold latency p(99)<5 failed'] }; }), []);
    assert.deepEqual(failed, { triggers: ['failed'], reasons: ['threshold latency p(99)<5 failed'] });
    assert.deepEqual(triggersOf(passing((r) => { r.status = 'aborted'; }), []).reasons, ['the run aborted']);
    const regressed = triggersOf(passing((r) => {
      r.comparison = { ...saved.comparison!, regressed: true };
      r.verdict = { passed: false, reasons: ['p99 regressed against the baseline: +20%'] };
      r.exitCode = 1;
    }), []);
    assert.deepEqual(regressed.triggers, ['failed', 'regressed']);
    const trend = { verdict: 'leak' as const, slopePerMin: 1e6, growth: 0.5, pValue: 0.001, windows: 10, reason: 'heap grows 1 MiB/min' };
    const leak = triggersOf(passing((r) => { r.endurance = { heap: [{ workerId: 2, trend }], latency: { ...trend, verdict: 'none' } }; }), []);
    assert.deepEqual(leak, { triggers: ['leak'], reasons: ['worker 2 leaks: heap grows 1 MiB/min'] });
    const cp = { metric: 'p99' as const, index: 40, at: '2026-02-10T00:00:00.000Z', before: 2, after: 2.2, pValue: 0.005 };
    const changed = triggersOf(passing(), [cp], 60);
    assert.deepEqual(changed.triggers, ['change-point']);
    assert.equal(changed.reasons[0], 'p99 changed at run 41 (2026-02-10T00:00:00.000Z): 2.00ms → 2.20ms (+10.0%)');
    assert.match(triggersOf(passing(), [cp], 43).reasons[0]!, /\(provisional: 3 run\(s\) after it so far\)$/);
  });
  it('the message carries the figures and links; the Slack form is one text', () => {
    const r = passing();
    const n = notification(r, { report: '/out/report.html', result: '/out/result.json', labels: { env: 'ci' }, changePoints: [] });
    assert.deepEqual([n.source, n.version, n.profile, n.passed, n.figures.p99Ms, n.figures.throughputPerSec, n.labels], ['strain', 1, r.name, true, r.total.latencyMs.p99, r.total.throughput, { env: 'ci' }]);
    const s = slackMessage({ ...n, passed: false, triggers: ['failed'], reasons: ['x failed'] });
    assert.match(s.text, new RegExp(`^strain: \\*${r.name}\\* failed\\n.*p99 .*\\n• x failed\\nreport: /out/report.html$`));
  });
});

describe('monitoring: change points a run opens', () => {
  const entries = (xs: number[], statusAt?: number): HistoryEntry[] => xs.map((x, i) => ({
    at: `2026-01-${String(1 + (i % 28)).padStart(2, '0')}`, name: 'h', status: i === statusAt ? 'failed' : 'completed', exitCode: 0,
    throughput: x, p50: 1, p99: 2, errorRate: 0, kneeLoad: null, peakRssBytes: 0, result: null,
  }));
  const level = (n: number, v: number, from = 0): number[] => Array.from({ length: n }, (_, i) => v * (1 + (((i + from) * 7) % 5 - 2) / 200));
  it('announced once, when it first shows, not again as it moves to its true run', () => {
    const high = level(40, 1000);
    const seen: number[][] = [];
    for (let k = 1; k <= 8; k++) seen.push(newChangePoints(entries([...high, ...level(k, 1100, 40)]), ['throughput']).map((c) => c.index + 1));
    assert.deepEqual(seen.filter((s) => s.length).length, 1, JSON.stringify(seen));
    assert.deepEqual(historyChangePoints(entries([...high, ...level(8, 1100, 40)]), ['throughput']).map((c) => c.index + 1), [41]);
  });
  it('runs that did not complete are no trend point, but keep their place in the numbering', () => {
    const xs = [...level(20, 1000), 5, ...level(20, 1100, 20)];
    const cps = historyChangePoints(entries(xs, 20), ['throughput']);
    assert.deepEqual(cps.map((c) => c.index + 1), [22], 'the failed run 21 (throughput 5) is skipped, the change is at run 22');
  });
});
