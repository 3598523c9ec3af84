import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import type { HistoryEntry } from '../src/history/store.js';
import type { Notification } from '../src/monitoring/notification.js';
import { readResult } from '../src/result/write.js';
import { captureIo, fixture, tempDir, waitFor } from './helpers.js';

/** A free loopback port: bound, read and released. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A loopback HTTP receiver that keeps every request body (a webhook, as Slack or a chat bot would take it). */
async function receiver(status = 200): Promise<{ url: string; bodies: { path: string; body: string }[]; close: () => Promise<void> }> {
  const bodies: { path: string; body: string }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push({ path: req.url ?? '', body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

function profile(dir: string, name: string, extra: Record<string, unknown> = {}, file = 'p.json'): string {
  writeFileSync(path.join(dir, file), JSON.stringify({ name, extractor: fixture('cpu.mjs'), phases: [{ executor: 'iterations', iterations: 200, concurrency: 1 }], ...extra }));
  return file;
}

describe('monitoring: failures to deliver never change the run', () => {
  it('an unreachable Pushgateway and webhook leave the result and exit code as they were, and are recorded as warnings', async () => {
    const dir = tempDir();
    const p = profile(dir, 'quiet-night');
    const closed = await freePort();
    const plain = captureIo(dir);
    assert.equal(await main(['run', p, '--out', 'a', '--quiet', '--format', 'none'], plain), 0);
    const io = captureIo(dir);
    const code = await main(['run', p, '--out', 'b', '--quiet', '--format', 'none', '--push', `http://127.0.0.1:${closed}`,
      '--notify', `http://127.0.0.1:${closed}/hooks/T0K3N`, '--notify-always'], io);
    assert.equal(code, 0, io.err.join(''));
    const a = readResult(path.join(dir, 'a', 'result.json'));
    const b = readResult(path.join(dir, 'b', 'result.json'));
    assert.deepEqual([b.status, b.exitCode, b.verdict], [a.status, a.exitCode, a.verdict]);
    assert.equal(b.deliveries?.length, 2);
    for (const d of b.deliveries ?? []) assert.deepEqual([d.ok, d.attempts], [false, 3], JSON.stringify(d));
    assert.equal(b.warnings?.length, 2);
    assert.match(b.warnings![0]!, /push to the Pushgateway http:\/\/127\.0\.0\.1:\d+\/metrics\/job\/strain\/profile\/quiet-night failed after 3 attempt\(s\): ECONNREFUSED/);
    assert.match(b.warnings![1]!, /notification webhook http:\/\/127\.0\.0\.1:\d+\/… failed/);
    assert.ok(!JSON.stringify(b).includes('T0K3N'), "a webhook's token never lands in the result");
    // --quiet silences progress and the summary, not a warning.
    assert.equal(io.err.join('').match(/strain: warning: /g)?.length, 2);
    assert.equal(a.warnings, undefined);
  });

  it('bad monitoring options are refused before the run, naming the option', async () => {
    const dir = tempDir();
    const p = profile(dir, 'x');
    const cases: [string[], RegExp][] = [
      [['--push', 'ftp://host'], /--push must be an http\(s\) URL/],
      [['--push', 'http://h:9091/metrics/job/x'], /--push is the Pushgateway's base URL/],
      [['--push-interval', '10s'], /--push-interval needs --push/],
      [['--push', 'http://h:9091', '--push-interval', '10ms'], /at least 1s/],
      [['--label', 'env'], /--label takes key=value/],
      [['--label', 'job=x'], /"job" is a label strain sets itself/],
      [['--notify', 'not a url'], /--notify must be an http\(s\) URL/],
    ];
    for (const [args, re] of cases) {
      const io = captureIo(dir);
      assert.equal(await main(['run', p, '--out', 'o', ...args], io), 2, args.join(' '));
      assert.match(io.err.join(''), re);
    }
    assert.ok(!existsSync(path.join(dir, 'o')), 'nothing written');
  });
});

describe('monitoring: notifications', () => {
  it('a failing threshold sends exactly one notification carrying the reasons; a passing run sends none unless asked', async () => {
    const dir = tempDir();
    const hook = await receiver();
    try {
      const failing = profile(dir, 'fails', { thresholds: { latency: ['p(99)<0.000001'] } }, 'fail.json');
      const passing = profile(dir, 'passes', {}, 'pass.json');
      const io = captureIo(dir);
      assert.equal(await main(['run', failing, '--out', 'f', '--quiet', '--notify', `${hook.url}/hook`], io), 1);
      assert.equal(hook.bodies.length, 1);
      const n = JSON.parse(hook.bodies[0]!.body) as Notification;
      assert.equal(hook.bodies[0]!.path, '/hook');
      assert.deepEqual([n.source, n.profile, n.passed, n.exitCode, n.triggers], ['strain', 'fails', false, 1, ['failed']]);
      assert.ok(n.reasons.some((r) => /p\(99\)<0\.000001/.test(r)), n.reasons.join('; '));
      const r = readResult(path.join(dir, 'f', 'result.json'));
      assert.equal(n.figures.p99Ms, r.total.latencyMs.p99);
      assert.equal(n.figures.throughputPerSec, r.total.throughput);
      assert.equal(n.report, path.join(dir, 'f', 'report.html'));
      assert.deepEqual(r.deliveries?.map((d) => d.ok), [true]);

      assert.equal(await main(['run', passing, '--out', 'p', '--quiet', '--notify', `${hook.url}/hook`], captureIo(dir)), 0);
      assert.equal(hook.bodies.length, 1, 'a passing run sends nothing');
      assert.equal(readResult(path.join(dir, 'p', 'result.json')).deliveries, undefined);

      assert.equal(await main(['run', passing, '--out', 's', '--quiet', '--notify', `${hook.url}/slack`, '--notify-always', '--notify-format', 'slack',
        '--report-url', 'https://ci.example/runs/42'], captureIo(dir)), 0);
      assert.equal(hook.bodies.length, 2);
      const slack = JSON.parse(hook.bodies[1]!.body) as { text: string };
      assert.deepEqual(Object.keys(slack), ['text']);
      assert.match(slack.text, /^strain: \*passes\* passed\n/);
      assert.match(slack.text, /report: https:\/\/ci\.example\/runs\/42\/report\.html/);
    } finally {
      await hook.close();
    }
  });

  it('--notify-command gets the same JSON on stdin; a failing command is a warning, never the exit code', async () => {
    const dir = tempDir();
    const p = profile(dir, 'fails', { thresholds: { errors: ['rate<0'] } });
    const io = captureIo(dir);
    assert.equal(await main(['run', p, '--out', 'o', '--quiet', '--notify-command', 'cat > got.json'], io), 1, io.err.join(''));
    const n = JSON.parse(readFileSync(path.join(dir, 'got.json'), 'utf8')) as Notification;
    assert.deepEqual([n.profile, n.triggers], ['fails', ['failed']]);
    const bad = captureIo(dir);
    assert.equal(await main(['run', p, '--out', 'o2', '--quiet', '--notify-command', 'echo nope >&2; exit 7'], bad), 1);
    assert.match(bad.err.join(''), /strain: warning: notify command command failed after 1 attempt\(s\): exit status 7: nope/);
  });

  it('a run that opens a change point in its history notifies, and history.html is rewritten with each run linked', async () => {
    const dir = tempDir();
    const p = profile(dir, 'drifting');
    // A first run measures this machine's figures; the history before it is built around them.
    assert.equal(await main(['run', p, '--out', 'cal', '--quiet', '--format', 'none'], captureIo(dir)), 0);
    const cal = readResult(path.join(dir, 'cal', 'result.json'));
    const hist = path.join(dir, 'hist');
    mkdirSync(hist);
    // 40 runs ten times faster than this machine, then 1 at its speed: one run after a change is no change point yet.
    const entry = (i: number, throughput: number): HistoryEntry => ({
      at: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(), name: 'drifting', status: 'completed', exitCode: 0, throughput,
      // Latency spread as wide as this machine's run-to-run noise, so only throughput changes.
      p50: cal.total.latencyMs.p50 * (1 + ((i * 13) % 7 - 3) / 20), p99: cal.total.latencyMs.p99 * (1 + ((i * 11) % 7 - 3) / 20), errorRate: 0, kneeLoad: null, peakRssBytes: 1e8, result: null,
    });
    const old = Array.from({ length: 41 }, (_, i) => entry(i, (i < 40 ? 10 : 1) * cal.total.throughput * (1 + ((i * 7) % 5 - 2) / 200)));
    writeFileSync(path.join(hist, 'history.jsonl'), old.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const before = captureIo(dir);
    assert.equal(await main(['history', 'hist', '--json'], before), 0);
    assert.deepEqual(JSON.parse(before.out.join('')), [], 'no change point before the run');

    const hook = await receiver();
    try {
      assert.equal(await main(['run', p, '--out', 'run42', '--quiet', '--history', 'hist', '--notify', hook.url], captureIo(dir)), 0);
      assert.equal(hook.bodies.length, 1);
      const n = JSON.parse(hook.bodies[0]!.body) as Notification;
      assert.deepEqual(n.triggers, ['change-point']);
      const throughputCps = (x: Notification): [string, number][] => x.changePoints.filter((c) => c.metric === 'throughput').map((c) => [c.metric, c.index + 1]);
      // Two runs after the change: E-divisive sees it, placed as early as its five-run segments allow, and says so.
      assert.deepEqual(throughputCps(n), [['throughput', 38]]);
      assert.match(n.reasons.join('\n'), /throughput changed at run 38 .* \(provisional: 5 run\(s\) after it so far\)/);
      // The next runs move the change towards run 41 and open nothing new: no second message.
      for (const out of ['run43', 'run44', 'run45']) assert.equal(await main(['run', p, '--out', out, '--quiet', '--history', 'hist', '--notify', hook.url], captureIo(dir)), 0);
      assert.deepEqual(hook.bodies.slice(1).flatMap((b) => throughputCps(JSON.parse(b.body) as Notification)), []);
    } finally {
      await hook.close();
    }
    const page = readFileSync(path.join(hist, 'history.html'), 'utf8');
    assert.match(page, /<a href="\.\.\/run45\/report\.html">/);
    assert.match(page, /throughput<\/b> changed at run 41/);
    // strain history --html writes the same page on demand.
    const io = captureIo(dir);
    assert.equal(await main(['history', 'hist', '--html'], io), 0);
    assert.match(io.out.join(''), /history page: .*history\.html/);
    assert.equal(readFileSync(path.join(hist, 'history.html'), 'utf8'), page);
  });
});

describe('monitoring: a history that cannot be read back', () => {
  it('a malformed older line makes the page a warning: the run appends its line and keeps its exit code', async () => {
    const dir = tempDir();
    const p = profile(dir, 'x');
    mkdirSync(path.join(dir, 'hist'));
    writeFileSync(path.join(dir, 'hist', 'history.jsonl'), '{"broken":\n');
    const io = captureIo(dir);
    assert.equal(await main(['run', p, '--out', 'o', '--quiet', '--format', 'none', '--history', 'hist'], io), 0);
    assert.match(io.err.join(''), /strain: warning: history page and change points not updated: .*history\.jsonl:1: malformed history line/);
    assert.equal(readFileSync(path.join(dir, 'hist', 'history.jsonl'), 'utf8').split('\n').filter(Boolean).length, 2, 'the run\'s line is appended');
    assert.match(readResult(path.join(dir, 'o', 'result.json')).warnings?.[0] ?? '', /history page/);
  });
});

describe('monitoring: CI job summaries', () => {
  it('run and compare append their Markdown to GITHUB_STEP_SUMMARY', async () => {
    const dir = tempDir();
    const p = profile(dir, 'summarised');
    const summary = path.join(dir, 'step-summary.md');
    writeFileSync(summary, '# earlier step\n');
    const io = { ...captureIo(dir), env: { GITHUB_STEP_SUMMARY: summary } };
    assert.equal(await main(['run', p, '--out', 'a', '--quiet', '--format', 'none'], io), 0);
    assert.equal(await main(['run', p, '--out', 'b', '--quiet', '--format', 'none'], captureIo(dir)), 0);
    assert.equal(await main(['compare', 'a/result.json', 'b/result.json'], io), 0);
    const text = readFileSync(summary, 'utf8');
    assert.ok(text.startsWith('# earlier step\n'), 'appended, not replaced');
    assert.match(text, /## ✅ strain: summarised \(completed\)/);
    assert.match(text, /## ✅ strain compare: no regression\n\na\/result\.json \(1 run\(s\)\) → b\/result\.json/);
    assert.equal(text.match(/## /g)?.length, 2, 'the run without the variable appended nothing');
  });
});

/** A Debian binary the test needs: missing, it skips, or under CI fails (.ci/run installs it). */
function need(bin: string, pkg: string, t: { skip: (why: string) => void }): boolean {
  if (existsSync(bin)) return true;
  if (process.env['CI']) assert.fail(`${bin} is missing; apt-get install ${pkg}`);
  t.skip(`${bin} not installed (apt-get install ${pkg})`);
  return false;
}

const daemons: ChildProcess[] = [];
after(async () => {
  for (const d of daemons) if (d.exitCode === null && d.pid) process.kill(d.pid, 'SIGTERM');
  await Promise.all(daemons.map((d) => (d.exitCode === null ? new Promise((r) => d.once('exit', r)) : undefined)));
});

/** Start a server by its binary, kept to be stopped by its process id; resolves once `ready` answers 200. */
async function daemon(bin: string, args: string[], ready: string, log: string[]): Promise<ChildProcess> {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  daemons.push(proc);
  proc.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
  proc.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  const end = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${bin} exited with ${proc.exitCode}: ${log.join('')}`);
    const ok = await fetch(ready).then((r) => r.ok, () => false);
    if (ok) return proc;
    if (Date.now() > end) throw new Error(`${bin} not ready at ${ready} within 30 s: ${log.join('').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type Sample = { metric: Record<string, string>; value: [number, string] };
async function query(prom: string, q: string): Promise<Sample[]> {
  const res = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { status: string; data: { result: Sample[] } };
  assert.equal(body.status, 'success', JSON.stringify(body));
  return body.data.result;
}

describe('monitoring: a real Prometheus and Pushgateway on loopback', () => {
  it('strain run --push lands in Prometheus through the Pushgateway with the result\'s values; the live endpoint is scraped during the run', async (t) => {
    if (!need('/usr/bin/prometheus-pushgateway', 'prometheus-pushgateway', t) || !need('/usr/bin/prometheus', 'prometheus', t)) return;
    const dir = tempDir();
    const [pg, prom, live] = [await freePort(), await freePort(), await freePort()];
    const log: string[] = [];
    const pgw = await daemon('/usr/bin/prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${pg}`, `--persistence.file=${path.join(dir, 'pg.db')}`], `http://127.0.0.1:${pg}/-/ready`, log);
    writeFileSync(path.join(dir, 'prometheus.yml'), [
      'global:', '  scrape_interval: 1s', '  scrape_timeout: 900ms',
      'scrape_configs:',
      '  - job_name: pushgateway', '    honor_labels: true', '    static_configs:', `      - targets: ['127.0.0.1:${pg}']`,
      '  - job_name: strain-live', '    static_configs:', `      - targets: ['127.0.0.1:${live}']`,
      '',
    ].join('\n'));
    const promProc = await daemon('/usr/bin/prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${prom}`], `http://127.0.0.1:${prom}/-/ready`, log);
    const PROM = `http://127.0.0.1:${prom}`;
    // Prometheus hands targets to its scrapers a few seconds after it is ready: wait until it scrapes the Pushgateway.
    for (const end = Date.now() + 30_000; ;) {
      const targets = (await (await fetch(`${PROM}/api/v1/targets`)).json()) as { data: { activeTargets: { labels: { job: string }; health: string }[] } };
      if (targets.data.activeTargets.some((x) => x.labels.job === 'pushgateway' && x.health === 'up')) break;
      if (Date.now() > end) assert.fail(`Prometheus never scraped the Pushgateway: ${JSON.stringify(targets)}`);
      await new Promise((res) => setTimeout(res, 250));
    }

    // A slash in the name: the grouping key carries it base64-encoded, as the Pushgateway reads it.
    writeFileSync(path.join(dir, 'p.json'), JSON.stringify({
      name: 'team/nightly', extractor: fixture('cpu.mjs'), phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '5s' }],
      push: { url: `http://127.0.0.1:${pg}`, interval: '1s', labels: { env: 'ci' } },
    }));
    const io = captureIo(dir);
    // --label before the profile path: repeated, never greedy.
    assert.equal(await main(['run', '--label', 'host_group=loopback', 'p.json', '--out', 'o', '--quiet', '--metrics-port', String(live)], io), 0, io.err.join(''));
    const r = readResult(path.join(dir, 'o', 'result.json'));
    assert.deepEqual(r.deliveries?.map((d) => [d.kind, d.ok]), [['push', true]]);
    assert.equal(r.warnings, undefined, io.err.join(''));

    // Prometheus scraped the live endpoint while the run went on.
    const up = await query(PROM, 'max_over_time(strain_up{job="strain-live"}[10m])');
    assert.equal(up.length, 1, 'one live series');
    assert.deepEqual([up[0]!.metric['profile'], up[0]!.metric['env'], up[0]!.metric['host_group'], up[0]!.value[1]], ['team/nightly', 'ci', 'loopback', '1']);
    const liveRate = await query(PROM, 'max_over_time(strain_throughput_calls_per_second{job="strain-live",step="1"}[10m])');
    assert.ok(Number(liveRate[0]?.value[1]) > 0, JSON.stringify(liveRate));

    // And the pushed final metrics, once a scrape of the Pushgateway has them.
    const sel = '{job="strain",profile="team/nightly",env="ci",host_group="loopback",step="total"}';
    let rate: Sample[] = [];
    await (async () => {
      const end = Date.now() + 20_000;
      for (;;) {
        rate = await query(PROM, `strain_throughput_calls_per_second${sel} and on() strain_up{job="strain",profile="team/nightly"} == 0`);
        if (rate.length || Date.now() > end) return;
        await new Promise((res) => setTimeout(res, 250));
      }
    })();
    assert.equal(rate.length, 1, 'the pushed throughput is in Prometheus');
    assert.equal(Number(rate[0]!.value[1]), r.total.throughput);
    const p99 = await query(PROM, `strain_latency_seconds{job="strain",profile="team/nightly",step="total",quantile="0.99"}`);
    assert.equal(Number(p99[0]!.value[1]), r.total.latencyMs.p99 / 1000);
    const calls = await query(PROM, `strain_calls_total${sel}`);
    assert.equal(Number(calls[0]!.value[1]), r.total.count);
    const success = await query(PROM, 'strain_last_success_timestamp_seconds{job="strain",profile="team/nightly"}');
    assert.equal(Number(success[0]!.value[1]), Date.parse(r.meta.endedAt) / 1000);
    // The passing run PUT its group: nothing left of the live pushes.
    assert.deepEqual(await query(PROM, 'strain_elapsed_seconds{job="strain"}'), []);

    for (const d of [promProc, pgw]) process.kill(d.pid!, 'SIGTERM');
    await Promise.all([promProc, pgw].map((d) => (d.exitCode === null ? new Promise((res) => d.once('exit', res)) : undefined)));
    await waitFor(() => promProc.exitCode !== null || promProc.signalCode !== null, 5000, 'prometheus to stop');
  });
});
