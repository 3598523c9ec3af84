import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { main } from '../src/cli/main.js';
import { resourcesCsv, seriesCsv, stepsCsv } from '../src/report/csv.js';
import { junitXml } from '../src/report/junit.js';
import { markdownSummary } from '../src/report/markdown.js';
import { liveMetrics, openMetrics } from '../src/report/openmetrics.js';
import { readResult } from '../src/result/write.js';
import { captureIo, fixture, ROOT, tempDir, waitFor } from './helpers.js';

const result = readResult(fixture('result.json'));
const GOLDEN = path.join(ROOT, 'test', 'golden');

/** Compare with the committed golden file; UPDATE_GOLDEN=1 rewrites it. */
function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, actual);
  assert.ok(existsSync(file), `test/golden/${name} is missing (UPDATE_GOLDEN=1 writes it)`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from test/golden/${name} (UPDATE_GOLDEN=1 to accept)`);
}

describe('reports from a fixed result', () => {
  it('Markdown summary matches the golden file', () => {
    const md = markdownSummary(result);
    golden('summary.md', md);
    assert.match(md, /## ❌ strain: golden/);
    assert.match(md, /\| \*\*total\*\* \|/);
  });
  it('CSV (steps, series, resources) matches the golden files and is rectangular', () => {
    for (const [name, text] of [['steps.csv', stepsCsv(result)], ['series.csv', seriesCsv(result)], ['resources.csv', resourcesCsv(result)]] as const) {
      golden(name, text);
      const rows = text.trim().split('\n').map((l) => l.split(','));
      assert.ok(rows.every((r) => r.length === rows[0]!.length), `${name} rows have the header's width`);
    }
    assert.equal(stepsCsv(result).trim().split('\n').length, result.steps.length + 1);
  });
  it('JUnit XML of a run with a fault, a leak and drift: the cases and failures written out by hand', () => {
    const trend = (verdict: string, reason: string) => ({ verdict, slopePerMin: 1, growth: 1, pValue: 0.001, windows: 9, reason });
    const r = structuredClone(result) as typeof result;
    r.name = 'hand';
    r.thresholds = [
      { metric: 'latency', expression: 'p(95)<100', scope: 'run', passed: true, actual: 3, abortOnFail: false },
      { metric: 'errors', expression: 'rate<0.01', scope: 'phase:ramp', passed: false, actual: 0.5, abortOnFail: false },
      { metric: 'cpu', expression: 'max<50', scope: 'step:2', passed: false, actual: null, abortOnFail: false },
    ];
    r.comparison!.metrics = r.comparison!.metrics.map((m, i) => ({ ...m, verdict: i === 1 ? 'regressed' : 'unchanged' }));
    r.endurance = { ...r.endurance!, heap: [{ workerId: 0, trend: trend('none', 'flat') }, { workerId: 1, trend: trend('leak', 'rises 1 MiB/min') }], latency: trend('drift', 'p99 creeps') } as NonNullable<typeof r.endurance>;
    r.faults = [{ kind: 'crash', workerId: 1, message: 'boom', atMs: 10 }] as unknown as typeof r.faults;
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(junitXml(r)) as {
      testsuites: { '@_tests': string; '@_failures': string; testsuite: { '@_name': string; testcase: { '@_name': string; '@_classname': string; failure?: { '@_message': string } }[] } };
    };
    const got = doc.testsuites.testsuite.testcase.map((c) => [c['@_classname'], c['@_name'], c.failure?.['@_message'] ?? 'pass']);
    assert.deepEqual(got, [
      ['strain.hand.thresholds', 'latency p(95)<100 [run]', 'pass'],
      ['strain.hand.thresholds', 'errors rate<0.01 [phase:ramp]', 'actual 0.5'],
      ['strain.hand.thresholds', 'cpu max<50 [step:2]', 'actual no data'],
      ['strain.hand.baseline', 'throughput against baseline', 'pass'],
      ['strain.hand.baseline', 'p50 against baseline', `regressed: ${r.comparison!.metrics[1]!.reason}`],
      ['strain.hand.baseline', 'p99 against baseline', 'pass'],
      ['strain.hand.endurance', 'heap of worker 0 does not leak', 'pass'],
      ['strain.hand.endurance', 'heap of worker 1 does not leak', 'rises 1 MiB/min'],
      ['strain.hand.endurance', 'latency does not drift', 'p99 creeps'],
      ['strain.hand.run', 'run completes without worker faults', 'completed; 1 fault(s)'],
    ]);
    assert.equal(doc.testsuites['@_tests'], '10');
    assert.equal(doc.testsuites['@_failures'], '6');
    assert.equal(doc.testsuites.testsuite['@_name'], 'hand');
  });

  it('JUnit XML parses, with one case per threshold judgement and compared metric', () => {
    const xml = junitXml(result);
    assert.equal(XMLValidator.validate(xml), true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(xml) as {
      testsuites: { testsuite: { '@_tests': string; '@_failures': string; testcase: { '@_name': string; failure?: unknown }[] } };
    };
    const cases = doc.testsuites.testsuite.testcase;
    const thresholdCases = cases.filter((c) => / \[(run|step:\d+|phase:.+)\]$/.test(c['@_name']));
    assert.equal(thresholdCases.length, result.thresholds.length);
    assert.equal(cases.filter((c) => / against baseline$/.test(c['@_name'])).length, 3);
    const failing = cases.filter((c) => c.failure !== undefined).length;
    assert.equal(Number(doc.testsuites.testsuite['@_failures']), failing);
    const expected = result.thresholds.filter((t) => !t.passed).length
      + (result.comparison?.metrics.filter((m) => m.verdict === 'regressed').length ?? 0)
      + (result.endurance?.heap.filter((h) => h.trend.verdict === 'leak').length ?? 0)
      + (result.endurance?.latency.verdict === 'drift' ? 1 : 0)
      + (result.status !== 'completed' || result.faults.length ? 1 : 0);
    assert.ok(failing > 0);
    assert.equal(failing, expected);
  });
  it('metrics.prom parses with a Prometheus text-format parser: one family per quantity, steps as labels', () => {
    const text = openMetrics(result);
    const families = parsePrometheusTextFormat(text) as { name: string; type: string; metrics: { value?: string; labels?: Record<string, string> }[] }[];
    const byName = new Map(families.map((f) => [f.name, f]));
    assert.equal(byName.get('strain_calls_total')?.type, 'COUNTER');
    const calls = byName.get('strain_calls_total')?.metrics ?? [];
    assert.equal(Number(calls.find((m) => m.labels?.['step'] === 'total')?.value), result.total.count);
    assert.equal(byName.get('strain_throughput_calls_per_second')?.metrics.length, result.steps.length + 1);
    const p99 = byName.get('strain_latency_seconds')?.metrics.find((m) => m.labels?.['quantile'] === '0.99' && m.labels['step'] === 'total');
    assert.ok(Math.abs(Number(p99?.value) - result.total.latencyMs.p99 / 1000) < 1e-12);
    assert.equal(Number(byName.get('strain_verdict_passed')?.metrics[0]?.value), 0);
  });
  it('strain report re-renders every format from a saved result', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'result.json'), readFileSync(fixture('result.json')));
    const io = captureIo(dir);
    assert.equal(await main(['report', 'result.json', '--format', 'all'], io), 0, io.err.join(''));
    for (const f of ['report.html', 'summary.md', 'steps.csv', 'series.csv', 'resources.csv', 'junit.xml', 'metrics.prom']) assert.ok(existsSync(path.join(dir, f)), f);
    assert.equal(readFileSync(path.join(dir, 'summary.md'), 'utf8'), markdownSummary(result));
    const bad = captureIo(dir);
    assert.equal(await main(['report', 'result.json', '--format', 'pdf'], bad), 2);
    assert.match(bad.err.join(''), /--format: unknown format "pdf"/);
  });
});

function profileIn(dir: string, duration = '2500ms'): void {
  writeFileSync(path.join(dir, 'p.json'), JSON.stringify({ extractor: fixture('cpu.mjs'), phases: [{ executor: 'constant-concurrency', concurrency: 1, duration }] }));
}

describe('live progress and metrics', () => {
  it('on a TTY the progress line is redrawn in place; on a pipe it is plain lines; --quiet prints nothing', async () => {
    const dir = tempDir();
    profileIn(dir);
    const tty = captureIo(dir, true);
    assert.equal(await main(['run', 'p.json', '--out', 'a', '--format', 'none'], tty), 0);
    const ttyErr = tty.err.join('');
    assert.match(ttyErr, /\r.*step 1\/1 \| conc 1 \| .* elapsed, .* left \| .*\/s \| p50 .* p99 .* \| errors 0/);
    assert.ok(tty.err.filter((c) => c.startsWith('\r')).length >= 2, 'redrawn at least twice');
    assert.ok(!/step 1\/1[^\r]*\n.*step 1\/1/.test(ttyErr), 'no newline between progress updates');
    const pipe = captureIo(dir, false);
    assert.equal(await main(['run', 'p.json', '--out', 'b', '--format', 'none'], pipe), 0);
    const lines = pipe.err.join('').split('\n').filter((l) => l.includes('step 1/1'));
    assert.ok(lines.length >= 2 && !pipe.err.join('').includes('\r'), 'plain lines, no carriage returns');
    assert.match(pipe.out.join(''), /verdict: PASSED/);
    const quiet = captureIo(dir, true);
    assert.equal(await main(['run', 'p.json', '--out', 'c', '--quiet', '--format', 'none'], quiet), 0);
    assert.equal(quiet.err.join('') + quiet.out.join(''), '');
  });

  it('--metrics-port serves live metrics on loopback while the run goes on', async () => {
    const dir = tempDir();
    profileIn(dir, '4s');
    const io = captureIo(dir, false);
    const running = main(['run', 'p.json', '--out', 'o', '--metrics-port', '0', '--format', 'none'], io);
    const urlOf = (): string | undefined => /live metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(io.err.join(''))?.[1];
    await waitFor(() => urlOf() !== undefined, 20_000, 'the live metrics address');
    const url = urlOf() as string;
    await new Promise((r) => setTimeout(r, 2500));
    // Prometheus asks for OpenMetrics and gets it; a plain client gets the 0.0.4 text format; the names are the same.
    const om = await fetch(url, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
    assert.equal(om.status, 200);
    assert.match(om.headers.get('content-type') ?? '', /openmetrics-text/);
    assert.match(await om.text(), /# TYPE strain_errors counter\n[^]*# EOF\n$/);
    const res = await fetch(url);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const families = parsePrometheusTextFormat(text) as { name: string; metrics: { value?: string }[] }[];
    const get = (n: string): number => Number(families.find((f) => f.name === n)?.metrics[0]?.value);
    assert.equal(get('strain_up'), 1);
    assert.ok(get('strain_throughput_calls_per_second') > 0);
    assert.equal((await fetch(url.replace('/metrics', '/other'))).status, 404);
    assert.equal(await running, 0);
    await assert.rejects(fetch(url), 'the endpoint closes with the run');
  });

  it('live metrics before the first progress say the run is not up yet', () => {
    assert.match(liveMetrics('x', undefined), /strain_up\{profile="x"\} 0/);
  });
});
