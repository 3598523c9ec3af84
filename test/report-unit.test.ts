// The text formatters as pure units: number formats at their boundaries,
// CSV quoting read back by an RFC 4180 reader written here, JUnit escaping
// read back by an XML parser, and each conditional line of the Markdown and
// console summaries, on variants of one saved result set by hand.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { comparisonTable } from '../src/report/comparison.js';
import { consoleSummary } from '../src/report/console.js';
import { resourcesCsv, seriesCsv, stepsCsv } from '../src/report/csv.js';
import { enduranceLines } from '../src/report/endurance-lines.js';
import { fmtBytes, fmtMs, fmtPct, fmtRate, table } from '../src/report/format.js';
import { junitXml } from '../src/report/junit.js';
import { markdownSummary } from '../src/report/markdown.js';
import { FAMILIES, liveMetrics, openMetrics } from '../src/report/openmetrics.js';
import { readResult } from '../src/result/write.js';
import type { StrainResult } from '../src/result/schema.js';
import { fixture, ROOT } from './helpers.js';

/** The committed rendering of the saved result (test/golden; UPDATE_GOLDEN=1 rewrites), read and checked by eye once. */
function golden(name: string, actual: string): void {
  const file = path.join(ROOT, 'test', 'golden', name);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, actual);
  assert.ok(existsSync(file), `test/golden/${name} is missing (UPDATE_GOLDEN=1 writes it)`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from test/golden/${name}`);
}

const saved = readResult(fixture('result.json'));
const variant = (edit: (r: StrainResult) => void): StrainResult => {
  const r = structuredClone(saved);
  edit(r);
  return r;
};

/** RFC 4180: quoted fields may hold commas, doubled quotes and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  return rows;
}

const trend = (verdict: string, reason: string, part?: string) => ({ verdict, slopePerMin: 2 * 1024 * 1024, growth: 0.5, pValue: 0.00123, windows: 9, reason, ...(part ? { part } : {}) });

describe('report: number formats', () => {
  it('fmtMs picks ns, µs, ms or s at the boundaries', () => {
    assert.equal(fmtMs(0), '0');
    assert.equal(fmtMs(0.0005), '500ns');
    assert.equal(fmtMs(0.000999), '999ns');
    assert.equal(fmtMs(0.001), '1.00µs');
    assert.equal(fmtMs(0.005), '5.00µs');
    assert.equal(fmtMs(0.01), '10.0µs');
    assert.equal(fmtMs(0.5), '500.0µs');
    assert.equal(fmtMs(1), '1.00ms');
    assert.equal(fmtMs(9.994), '9.99ms');
    assert.equal(fmtMs(10), '10.0ms');
    assert.equal(fmtMs(999.9), '999.9ms');
    assert.equal(fmtMs(1000), '1.00s');
    assert.equal(fmtMs(61_234), '61.23s');
  });
  it('fmtRate, fmtBytes and fmtPct', () => {
    assert.equal(fmtRate(0), '0.00/s');
    assert.equal(fmtRate(9.5), '9.50/s');
    assert.equal(fmtRate(10), '10/s');
    assert.equal(fmtRate(9999), '9999/s');
    assert.equal(fmtRate(10_000), '10.0k/s');
    assert.equal(fmtRate(999_999), '1000.0k/s');
    assert.equal(fmtRate(1e6), '1.00M/s');
    assert.equal(fmtRate(2.5e6), '2.50M/s');
    assert.equal(fmtBytes(0), '0.0 MiB');
    assert.equal(fmtBytes(1.5 * 1024 ** 2), '1.5 MiB');
    assert.equal(fmtBytes(1024 ** 3 - 1), '1024.0 MiB');
    assert.equal(fmtBytes(1024 ** 3), '1.00 GiB');
    assert.equal(fmtBytes(2.5 * 1024 ** 3), '2.50 GiB');
    assert.equal(fmtPct(0), '0.00%');
    assert.equal(fmtPct(0.5), '50.00%');
    assert.equal(fmtPct(0.001), '0.10%');
    assert.equal(fmtPct(0.0005), '0.050%');
  });
  it('table: first column left-aligned, the rest right-aligned, a rule under the header, no trailing spaces', () => {
    assert.equal(table(['name', 'n'], [['a', '1'], ['bbbbbb', '22']]), 'name     n\n------  --\na        1\nbbbbbb  22');
    assert.equal(table(['x', 'y'], [['', '']]), 'x  y\n-  -\n');
    assert.equal(table(['a'], []), 'a\n-');
  });
});

describe('report: the saved result, rendered', () => {
  // Layout (headers, blank lines, column order) has no oracle but a reviewed rendering.
  it('each format matches its golden file', () => {
    golden('summary.md', markdownSummary(saved));
    golden('steps.csv', stepsCsv(saved));
    golden('series.csv', seriesCsv(saved));
    golden('resources.csv', resourcesCsv(saved));
    golden('console.txt', `${consoleSummary(saved)}\n`);
    golden('metrics.txt', openMetrics(saved));
    golden('comparison.txt', `${comparisonTable(saved.comparison!)}\n`);
  });
});

describe('report: CSV', () => {
  it('cells with commas, quotes and newlines are quoted and read back whole; numbers keep 10 significant digits', () => {
    const r = variant((x) => {
      x.steps[0]!.phase = 'ramp, "fast"\nup';
      x.steps[0]!.throughput = 1 / 3;
      x.steps[0]!.cpu.meanPercent = null;
    });
    const rows = parseCsv(stepsCsv(r));
    assert.equal(rows.length, r.steps.length + 1);
    const h = rows[0]!;
    const first = rows[1]!;
    assert.equal(first[h.indexOf('phase')], 'ramp, "fast"\nup');
    assert.equal(first[h.indexOf('throughput')], '0.3333333333');
    assert.equal(first[h.indexOf('cpu_mean_pct')], '', 'null is an empty cell');
    assert.equal(first[h.indexOf('saturated')], 'false');
    assert.ok(rows.every((row) => row.length === h.length));
    for (const [i, s] of r.steps.entries()) {
      assert.equal(rows[i + 1]![h.indexOf('step')], String(s.index + 1));
      assert.equal(Number(rows[i + 1]![h.indexOf('count')]), s.count);
      assert.equal(Number(rows[i + 1]![h.indexOf('p99_ms')]), Number(s.latencyMs.p99.toPrecision(10)));
    }
  });
  it('every CSV numbers steps from 1 and leaves time outside a step empty', () => {
    const r = variant((x) => {
      x.series[0]!.step = -1;
      x.resources.series[0]!.step = -1;
    });
    const series = parseCsv(seriesCsv(r));
    const res = parseCsv(resourcesCsv(r));
    assert.equal(series[1]![1], '');
    assert.equal(res[1]![1], '');
    for (const [i, p] of r.series.entries()) if (p.step >= 0) assert.equal(series[i + 1]![1], String(p.step + 1));
    for (const [i, p] of r.resources.series.entries()) if (p.step >= 0) assert.equal(res[i + 1]![1], String(p.step + 1));
    assert.deepEqual(series[0], ['t_ms', 'step', 'count', 'errors', 'throughput', 'p50_ms', 'p99_ms', 'max_ms']);
    assert.equal(series.length, r.series.length + 1);
    assert.equal(res.length, r.resources.series.length + 1);
  });
  it('open-loop columns are filled only for open-loop steps', () => {
    const r = variant((x) => {
      x.steps[1]!.openLoop = { arrival: 'poisson', offered: 100, achieved: 98.5, scheduled: 197, late: 3, dropped: 1, serviceMs: { ...x.steps[1]!.latencyMs, p99: 0.25 }, lagMs: x.steps[1]!.latencyMs, serviceHistogram: '' };
    });
    const rows = parseCsv(stepsCsv(r));
    const h = rows[0]!;
    assert.deepEqual(['achieved', 'late', 'dropped', 'service_p99_ms'].map((c) => rows[2]![h.indexOf(c)]), ['98.5', '3', '1', '0.25']);
    assert.deepEqual(['achieved', 'late', 'dropped', 'service_p99_ms'].map((c) => rows[1]![h.indexOf(c)]), ['', '', '', '']);
  });
});

describe('report: JUnit', () => {
  it('names and messages are escaped; counts, time and timestamp are the run\'s', () => {
    const r = variant((x) => {
      x.name = 'a&b <c> "d"\u0001';
      x.thresholds = [{ metric: 'latency', expression: 'p(99)<5', scope: 'step:1', passed: false, actual: 7, abortOnFail: false }];
      delete x.comparison;
      delete x.endurance;
      x.status = 'aborted';
      x.faults = [];
      x.meta.durationMs = 1234;
    });
    const xml = junitXml(r);
    assert.equal(XMLValidator.validate(xml), true);
    assert.ok(!xml.includes('\u0001'), 'control characters are dropped');
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (n) => n === 'testcase' }).parse(xml) as {
      testsuites: { '@_tests': string; '@_failures': string; '@_time': string; testsuite: { '@_name': string; '@_timestamp': string; '@_errors': string; testcase: { '@_classname': string; '@_name': string; failure?: { '@_message': string } }[] } };
    };
    const s = doc.testsuites.testsuite;
    assert.equal(s['@_name'], 'a&b <c> "d"', 'read back whole');
    assert.ok(xml.includes('name="a&amp;b &lt;c&gt; &quot;d&quot;"'));
    assert.equal(doc.testsuites['@_tests'], '2');
    assert.equal(doc.testsuites['@_failures'], '2');
    assert.equal(doc.testsuites['@_time'], '1.234');
    assert.equal(s['@_timestamp'], r.meta.startedAt);
    assert.equal(s['@_errors'], '0');
    assert.equal(s.testcase[0]!.failure!['@_message'], 'actual 7');
    assert.equal(s.testcase[1]!['@_name'], 'run completes without worker faults');
    assert.equal(s.testcase[1]!.failure!['@_message'], 'aborted; 0 fault(s)');
  });
  it('comparison and endurance cases: regressed metrics, leaking workers and drift fail; the rest pass', () => {
    const r = variant((x) => {
      x.name = 'j';
      x.thresholds = [{ metric: 'errors', expression: 'rate<0.5', scope: 'run', passed: true, actual: 0.1, abortOnFail: false }];
      x.comparison!.metrics = x.comparison!.metrics.map((m, i) => ({ ...m, verdict: i === 0 ? 'regressed' : i === 1 ? 'improved' : 'unchanged', reason: `r${i}` }));
      x.endurance = { ...x.endurance!, heap: [{ workerId: 0, trend: trend('leak', 'grows') }, { workerId: 1, trend: trend('none', 'flat') }], latency: trend('none', 'steady') } as NonNullable<StrainResult['endurance']>;
      x.status = 'completed';
      x.faults = [];
    });
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (n) => n === 'testcase' }).parse(junitXml(r)) as {
      testsuites: { '@_failures': string; testsuite: { testcase: { '@_classname': string; '@_name': string; failure?: { '@_message': string } }[] } };
    };
    assert.deepEqual(doc.testsuites.testsuite.testcase.map((c) => [c['@_classname'], c['@_name'], c.failure?.['@_message'] ?? 'pass']), [
      ['strain.j.thresholds', 'errors rate<0.5 [run]', 'pass'],
      ['strain.j.baseline', 'throughput against baseline', 'regressed: r0'],
      ['strain.j.baseline', 'p50 against baseline', 'pass'],
      ['strain.j.baseline', 'p99 against baseline', 'pass'],
      ['strain.j.endurance', 'heap of worker 0 does not leak', 'grows'],
      ['strain.j.endurance', 'heap of worker 1 does not leak', 'pass'],
      ['strain.j.endurance', 'latency does not drift', 'pass'],
      ['strain.j.run', 'run completes without worker faults', 'pass'],
    ]);
    assert.equal(doc.testsuites['@_failures'], '2');
    const drift = junitXml(variant((x) => { x.endurance = { ...x.endurance!, latency: trend('drift', 'creeps') } as NonNullable<StrainResult['endurance']>; }));
    assert.match(drift, /name="latency does not drift" time="0">\n {6}<failure message="creeps">creeps<\/failure>/);
    const faulty = junitXml(variant((x) => { x.faults = [{ kind: 'crash', workerId: 0, message: 'm', atMs: 1 }] as unknown as StrainResult['faults']; }));
    assert.match(faulty, /<failure message="completed; 1 fault\(s\)">/);
  });
  it('a clean run: one passing case, no failure elements', () => {
    const r = variant((x) => {
      x.thresholds = [];
      delete x.comparison;
      delete x.endurance;
      x.status = 'completed';
      x.faults = [];
    });
    const xml = junitXml(r);
    assert.match(xml, /tests="1" failures="0"/);
    assert.ok(!xml.includes('<failure'));
    assert.match(xml, /<testcase classname="strain\.golden\.run" name="run completes without worker faults" time="0"><\/testcase>/);
  });
});

describe('report: comparison table and endurance lines', () => {
  it('one row per metric with change, interval, p and noise; the verdict at the foot', () => {
    const c = saved.comparison!;
    const text = comparisonTable(c);
    const lines = text.split('\n');
    assert.equal(lines[0], `comparison: ${c.currentRuns} current run(s) against ${c.baseRuns} baseline run(s) (medians; latency in ms, throughput in calls/s)`);
    assert.equal(lines.at(-1), c.regressed ? 'verdict: REGRESSED' : 'verdict: no regression');
    const thr = lines.find((l) => l.startsWith('throughput'))!;
    assert.deepEqual(thr.split(/\s{2,}/), ['throughput', '1002', '802', '-20.0%', '-20.2%..-19.7%', '0.0079', '±2%', 'REGRESSED']);
    const p50 = lines.find((l) => l.startsWith('p50'))!;
    assert.deepEqual(p50.split(/\s{2,}/).slice(1, 5), ['1.002', '1.252', '+25.0%', '+24.6%..+25.3%']);
    const edge = comparisonTable({ ...c, metrics: [{ ...c.metrics[0]!, baseMedian: 100, currentMedian: 99.99 }] });
    assert.deepEqual(edge.split('\n')[3]!.split(/\s{2,}/).slice(1, 3), ['100', '99.99']);
    const calm = comparisonTable({ ...c, regressed: false, metrics: [{ ...c.metrics[0]!, relChange: 0, interval: [], verdict: 'unchanged' }] });
    assert.match(calm, /\+0\.0%\.\.\+0\.0%/);
    assert.match(calm, /UNCHANGED/);
    assert.equal(calm.split('\n').at(-1), 'verdict: no regression');
  });
  it('endurance: judged verdicts with slope and p; unjudged workers share a line per reason; RSS and drift always said', () => {
    assert.deepEqual(enduranceLines(variant((x) => { delete x.endurance; })), []);
    const r = variant((x) => {
      x.endurance = {
        ...x.endurance!,
        heap: [
          { workerId: 0, trend: trend('leak', 'rises', 'external') },
          { workerId: 1, trend: trend('insufficient-data', 'not judged: 2 windows') },
          { workerId: 2, trend: trend('insufficient-data', '2 windows') },
          { workerId: 3, trend: trend('insufficient-data', 'short run') },
          { workerId: 4, trend: trend('none', 'flat') },
        ],
        rss: trend('none', 'flat rss'),
        latency: trend('insufficient-data', 'not judged: too short'),
      } as NonNullable<StrainResult['endurance']>;
    });
    assert.deepEqual(enduranceLines(r), [
      'leak, worker 0 memory: leak (2.0 MiB/min, external, p=0.0012; rises)',
      'leak, worker 4 memory: none (2.0 MiB/min, p=0.0012; flat)',
      // Reasons are grouped as written: "not judged: 2 windows" and "2 windows" are two groups.
      'leak, worker 1 memory: not judged (2 windows)',
      'leak, worker 2 memory: not judged (2 windows)',
      'leak, worker 3 memory: not judged (short run)',
      'leak, process RSS: none (2.0 MiB/min, p=0.0012; flat rss)',
      'drift, latency p99: not judged (too short)',
    ]);
    const shared = variant((x) => {
      const { rss: _rss, ...rest } = x.endurance!;
      x.endurance = { ...rest, heap: [0, 1, 2].map((w) => ({ workerId: w, trend: trend('insufficient-data', 'same') })), latency: trend('drift', 'creeps') } as unknown as NonNullable<StrainResult['endurance']>;
    });
    const inner = variant((x) => {
      x.endurance = { ...x.endurance!, heap: [{ workerId: 0, trend: trend('insufficient-data', 'so not judged: yet') }], latency: trend('insufficient-data', 'a not judged: b') } as NonNullable<StrainResult['endurance']>;
    });
    assert.deepEqual(enduranceLines(inner).filter((l) => !l.includes('RSS')), ['leak, worker 0 memory: not judged (so not judged: yet)', 'drift, latency p99: not judged (a not judged: b)']);
    assert.deepEqual(enduranceLines(shared), ['leak, workers 0, 1, 2 memory: not judged (same)', `drift, latency p99: drift (${fmtMs(2 * 1024 * 1024)}/min, p=0.0012; creeps)`]);
  });
});

describe('report: Markdown summary', () => {
  it('a passing run: the tick, no verdict list, loads as offered rates or concurrency, partial steps marked', () => {
    const r = variant((x) => {
      x.verdict = { passed: true, reasons: [] };
      x.steps[0]!.load = { concurrency: 2, rate: 500 };
      x.steps[1]!.completed = false;
      x.thresholds = [];
      delete x.comparison;
      delete x.endurance;
      x.errors = [];
      x.faults = [];
      x.knee = { ...x.knee, detected: false, reason: 'no step lost throughput' };
    });
    const md = markdownSummary(r);
    assert.match(md, /^## ✅ strain: golden \(completed\)\n/);
    assert.ok(!md.includes('**Verdict: failed**'));
    assert.match(md, /\| 1 ramp \| 500\/s offered \|/);
    assert.match(md, /\| 2 ramp \(partial\) \| 2 concurrent \|/);
    assert.match(md, /\*\*Knee:\*\* none found: no step lost throughput/);
    assert.ok(!md.includes('| threshold |'));
    assert.ok(!/^- /m.test(md), 'no notes');
    assert.match(md, /Peak RSS 175\.6 MiB, peak CPU 198%\.\n$/);
  });
  it('a failing run lists its reasons, thresholds (no data), the comparison and every note; pipes are escaped', () => {
    const r = variant((x) => {
      x.verdict = { passed: false, reasons: ['a | b', 'c'] };
      x.thresholds = [{ metric: 'cpu', expression: 'max<50', scope: 'run', passed: false, actual: null, abortOnFail: false },
        { metric: 'latency', expression: 'p(99)<5', scope: 'run', passed: true, actual: 1.234567, abortOnFail: false }];
      x.spike = { steps: [1], baselineP99Ms: 1, peakP99Ms: 9, peakAtMs: 100, recoveryMs: null, resolutionMs: 100 };
      x.breakpoint = { step: 2, phase: 'ramp', reason: 'p99 over 5 ms', lastGoodLoad: 3 };
      x.faults = [{ kind: 'hang', workerId: 1, message: 'm', atMs: 5 }, { kind: 'crash', workerId: 0, message: 'n', atMs: 6 }] as unknown as StrainResult['faults'];
      x.errors = [1, 2, 3, 4].map((i) => ({ message: `e${i}`, count: i, stack: undefined, step: 0 })) as unknown as StrainResult['errors'];
    });
    const md = markdownSummary(r);
    assert.match(md, /\*\*Verdict: failed\*\*\n- a \| b\n- c\n/);
    assert.match(md, /\| cpu max<50 \| run \| no data \| \*\*FAIL\*\* \|/);
    assert.match(md, /\| latency p\(99\)<5 \| run \| 1\.235 \| pass \|/);
    assert.match(md, /\| throughput \| 1002 \| 802\.0 \| -20\.0% \| -20\.2%\.\.-19\.7% \| 0\.0079 \| \*\*regressed\*\* \|/);
    assert.match(md, /- spike: p99 1\.00ms → peak 9\.00ms, recovery not within the run/);
    assert.match(md, /- breakpoint: stopped at step 3 \(p99 over 5 ms\)/);
    assert.match(md, /- 2 fault\(s\): hang \(worker 1\), crash \(worker 0\)/);
    assert.match(md, /- errors: 1× e1; 2× e2; 3× e3\n/);
    const noCi = markdownSummary(variant((x) => { x.comparison!.metrics = [{ ...x.comparison!.metrics[0]!, interval: [] }]; }));
    assert.match(noCi, /\| throughput \| 1002 \| 802\.0 \| -20\.0% \| 0\.0%\.\.0\.0% \|/);
    const rec = markdownSummary(variant((x) => { x.spike = { steps: [1], baselineP99Ms: 1, peakP99Ms: 9, peakAtMs: 100, recoveryMs: 250, resolutionMs: 100 }; }));
    assert.match(rec, /recovery 250\.0ms/);
  });
});

describe('report: console summary', () => {
  it('the open-loop table, lag-dominated steps, placement, breakpoint, timing note and verdict', () => {
    const r = variant((x) => {
      const lat = x.steps[0]!.latencyMs;
      x.steps[0]!.openLoop = { arrival: 'uniform', offered: 1000, achieved: 990, scheduled: 1000, late: 4, dropped: 2, serviceMs: { ...lat, p50: 0.002, p99: 0.004 }, lagMs: { ...lat, p99: 3 }, lagDominated: true, serviceHistogram: '' };
      x.steps[0]!.saturated = true;
      x.steps[1]!.cpu.meanPercent = null;
      x.steps[1]!.peakRssBytes = null;
      x.placement = { ...x.placement!, requested: true, pinned: false, note: 'taskset missing' };
      x.breakpoint = { step: 1, phase: 'ramp', reason: 'errors', lastGoodLoad: null };
      x.meta.timing.note = 'batched';
      x.verdict = { passed: false, reasons: ['x', 'y'] };
      x.faults = [{ kind: 'exit', workerId: 3, message: 'code 1', atMs: 1 }] as unknown as StrainResult['faults'];
    });
    const text = consoleSummary(r);
    const lines = text.split('\n');
    assert.equal(lines[0], `strain golden: ${r.status}, ${r.steps.length} step(s) in 5.09s on 2 CPU(s) (AMD EPYC), Node v20.20.2`);
    assert.ok(lines.includes('open loop: latency above is from each call\'s intended start; service time and dispatch lag are beside it'));
    const open = lines.find((l) => l.startsWith('1 ramp') && l.includes('YES'))!;
    assert.deepEqual(open.split(/\s{2,}/), ['1 ramp', '1000/s', '990/s', '2.00µs', '4.00µs', '3.00ms', '4', '2', 'YES']);
    const step2 = lines.find((l) => l.startsWith('2 ramp'))!;
    assert.deepEqual(step2.split(/\s{2,}/).slice(-2), ['n/a', 'n/a']);
    assert.ok(lines.includes('step 1: dispatch lag p99 3.00ms makes the latency tail (service p99 4.00µs): the generator fell behind, not the function'));
    assert.ok(lines.includes('breakpoint: stopped at step 2 (errors); last good load none'));
    assert.ok(lines.includes('placement: NOT pinned: taskset missing'));
    assert.ok(lines.includes('fault: exit worker 3: code 1'));
    assert.ok(lines.includes('timing: batched'));
    assert.equal(lines.at(-1), 'verdict: FAILED: x; y');
    assert.ok(lines.some((l) => /^threshold FAIL latency p\(99\)<0\.0001 \(actual 0\.005711, scope /.test(l)));
    assert.ok(lines.some((l) => l.startsWith('knee: at 2 (max throughput 1.09M/s; method rule, confidence medium): ')));
  });
  it('a quiet passing run: no open-loop table, the knee not found, errors listed five at most', () => {
    const r = variant((x) => {
      x.verdict = { passed: true, reasons: [] };
      for (const st of x.steps) delete st.openLoop;
      x.knee = { ...x.knee, detected: false, reason: 'flat' };
      x.errors = [1, 2, 3, 4, 5, 6].map((i) => ({ message: `e${i}`, count: i, stack: undefined, step: 0 })) as unknown as StrainResult['errors'];
      x.placement = { ...x.placement!, requested: true, pinned: true, note: 'each on its own' };
      x.spike = { steps: [1, 2], baselineP99Ms: 1, peakP99Ms: 2, peakAtMs: 1, recoveryMs: 300, resolutionMs: 100 };
    });
    const lines = consoleSummary(r).split('\n');
    assert.ok(!lines.some((l) => l.startsWith('open loop')));
    assert.ok(lines.includes('knee: none found (method rule): flat'));
    assert.ok(lines.includes('errors (6 distinct):'));
    assert.ok(lines.includes('  5× e5'));
    assert.ok(!lines.includes('  6× e6'));
    assert.ok(lines.includes('placement: pinned: each on its own'));
    assert.ok(lines.includes('spike: steps 2, 3: p99 1.00ms before, peak 2.00ms, back within the baseline\'s spread 300.0ms after the spike (to 100.0ms)'));
    assert.equal(lines.at(-1), 'verdict: PASSED');
    const bare = consoleSummary(variant((x) => {
      delete x.placement;
      delete x.meta.timing.note;
      x.errors = [];
      x.thresholds = [{ metric: 'latency', expression: 'p(50)<9', scope: 'run', passed: true, actual: 2, abortOnFail: false }];
    })).split('\n');
    assert.ok(!bare.some((l) => l.startsWith('placement') || l.startsWith('timing') || l.startsWith('errors')));
    assert.ok(bare.includes('threshold PASS latency p(50)<9 (actual 2, scope run)'));
    assert.ok(bare.includes('drift, latency p99: not judged (1 windows of 10 points after the warm-up; need 8)'), 'the endurance lines are in it');
    const unrec = consoleSummary(variant((x) => { x.spike = { steps: [1], baselineP99Ms: 1, peakP99Ms: 2, peakAtMs: 1, recoveryMs: null, resolutionMs: 100 }; }));
    assert.match(unrec, /peak 2\.00ms, not recovered by the end/);
  });
});

describe('report: Prometheus metrics', () => {
  it('label values are escaped; a missing knee is NaN; infinities are +Inf', () => {
    const r = variant((x) => {
      x.name = 'a\\b\n"c"';
      x.knee = { ...x.knee, load: null };
      x.total.throughput = Infinity;
    });
    const text = openMetrics(r);
    assert.ok(text.includes('strain_calls_total{profile="a\\\\b\\n\\"c\\"",step="total"} '), text.slice(0, 600));
    assert.match(text, /strain_knee_load\{profile="[^}]*"\} NaN\n/);
    assert.match(text, /strain_throughput_calls_per_second\{profile="[^}]*",step="total"\} \+Inf\n/);
    assert.match(openMetrics(variant((x) => { x.total.throughput = -Infinity; })), /strain_throughput_calls_per_second\{profile="[^}]*",step="total"\} -Inf\n/);
    assert.match(openMetrics(variant((x) => { x.total.throughput = NaN; })), /strain_throughput_calls_per_second\{profile="[^}]*",step="total"\} NaN\n/);
    assert.match(openMetrics(variant((x) => { x.knee = { ...x.knee, load: 0 }; })), /strain_knee_load\{profile="[^}]*"\} 0\n/);
    // The 0.0.4 text format (textfile collector, Pushgateway): a counter's TYPE names its _total sample, no UNIT, no EOF.
    assert.match(text, /# HELP strain_calls_total [^\n]+\n# TYPE strain_calls_total counter\n/);
    assert.ok(!text.includes('# UNIT') && !text.includes('# EOF'));
    const om = openMetrics(r, { dialect: 'openmetrics' });
    assert.match(om, /# HELP strain_calls [^\n]+\n# TYPE strain_calls counter\nstrain_calls_total\{/);
    assert.match(om, /# TYPE strain_latency_seconds gauge\n# UNIT strain_latency_seconds seconds\n/);
    assert.ok(om.endsWith('\n# EOF\n'));
    const q = text.split('\n').filter((l) => l.startsWith('strain_latency_seconds{') && l.includes('step="total"'));
    assert.deepEqual(q.map((l) => /quantile="([^"]+)"/.exec(l)![1]), ['0.5', '0.9', '0.95', '0.99', '0.999', '1']);
    assert.equal(Number(q[3]!.split(' ')[1]), r.total.latencyMs.p99 / 1000);
    assert.match(text, new RegExp(`strain_exit_code\\{profile="[^}]*"\\} ${r.exitCode}\\n`));
    assert.match(text, /strain_verdict_passed\{profile="[^}]*"\} 0\n/);
    // One family per quantity: every step's latency in strain_latency_seconds, labelled by step.
    assert.equal(text.split('\n').filter((l) => l.startsWith('strain_latency_seconds{') && !l.includes('step="total"')).length, r.steps.length * 6);
    assert.ok(!/strain_step_(latency|throughput)/.test(text));
  });
  it('every series of a family carries the same label names, with --label pairs on all of them', () => {
    const text = openMetrics(saved, { labels: { env: 'ci' } });
    const names = new Map<string, string>();
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      const m = /^(\w+)\{([^}]*)\} /.exec(line);
      assert.ok(m, line);
      const keys = [...m[2]!.matchAll(/(\w+)="/g)].map((k) => k[1]).sort().join(',');
      assert.ok(keys.split(',').includes('env') && keys.split(',').includes('profile'), line);
      const seen = names.get(m[1]!);
      if (seen !== undefined) assert.equal(keys, seen, `${m[1]}: ${line}`);
      names.set(m[1]!, keys);
    }
    // For a Pushgateway the grouping key supplies profile and the labels.
    assert.ok(!openMetrics(saved, { labels: { env: 'ci' }, grouped: true }).includes('profile='));
  });
  it('names a Prometheus user expects: base units, _total counters, every family from one table', () => {
    const p = { phase: 'ramp', step: 2, steps: 5, concurrency: 3, elapsedMs: 1500, throughput: 10, p50Ms: 2, p99Ms: 4, errors: 1, cpuPercent: 50, rssBytes: 1000 } as unknown as Parameters<typeof liveMetrics>[1];
    for (const text of [openMetrics(saved), liveMetrics('x', p)]) {
      for (const m of text.matchAll(/^# TYPE (\w+) (\w+)$/gm)) {
        const [, name, type] = m;
        assert.ok(name! in FAMILIES, `${name} is in FAMILIES`);
        assert.equal(type === 'counter', name!.endsWith('_total'), `${name}: counters and only counters end in _total`);
        assert.ok(!/_(ms|milliseconds|percent|kb|mb)(_|$)/.test(name!), `${name}: base units`);
      }
    }
  });
  it('live metrics: down before progress; CPU and RSS only when read', () => {
    assert.equal(liveMetrics('x', undefined), '# HELP strain_up 1 while a run is in progress, 0 once it has ended.\n# TYPE strain_up gauge\nstrain_up{profile="x"} 0\n');
    const p = { phase: 'ramp', step: 2, steps: 5, concurrency: 3, elapsedMs: 1500, throughput: 10, p50Ms: 2, p99Ms: 4, errors: 1, cpuPercent: null, rssBytes: null } as unknown as Parameters<typeof liveMetrics>[1];
    const t = liveMetrics('x', p);
    assert.match(t, /strain_up\{profile="x"\} 1\n/);
    assert.match(t, /strain_current_step\{profile="x",phase="ramp",of="5"\} 2\n/);
    assert.match(t, /strain_latency_seconds\{profile="x",step="2",quantile="0.99"\} 0.004\n/);
    assert.match(t, /strain_elapsed_seconds\{profile="x"\} 1.5\n/);
    assert.ok(!t.includes('cpu_ratio') && !t.includes('rss_bytes'));
    const t2 = liveMetrics('x', { ...(p as object), cpuPercent: 50, rssBytes: 1000 } as typeof p);
    golden('live-metrics.txt', t2);
    assert.match(t2, /strain_process_cpu_ratio\{profile="x"\} 0.5\n/);
    assert.match(t2, /strain_process_rss_bytes\{profile="x"\} 1000\n/);
  });
});

describe('reports of a mix', () => {
  const fnFigures = (name: string, weight: number, share: number, count: number, p50: number): NonNullable<StrainResult['total']['functions']>[number] => ({
    name, weight, share, count, errors: 1, errorRate: 1 / count, throughput: count * 10,
    latencyMs: { min: p50 / 2, mean: p50, stddev: 0.1, p50, p75: p50 * 1.1, p90: p50 * 1.2, p95: p50 * 1.3, p99: p50 * 2, p999: p50 * 3, max: p50 * 4 },
    histogram: saved.total.histogram,
  });
  const r = variant((x) => {
    x.total.functions = [fnFigures('quote', 0.8, 0.79, 800, 0.5), fnFigures('deep', 0.2, 0.21, 210, 4)];
    (x.steps[1] as StrainResult['steps'][number]).functions = [fnFigures('quote', 0.8, 0.8, 400, 0.25), fnFigures('deep', 0.2, 0.2, 100, 2)];
  });

  it('OpenMetrics: strain_function_* families per step and total, labelled fn, in base units', () => {
    const text = openMetrics(r);
    assert.match(text, /^strain_function_calls_total\{profile="[^"]+",step="total",fn="deep"\} 210$/m);
    assert.match(text, /^strain_function_calls_total\{profile="[^"]+",step="2",fn="quote"\} 400$/m);
    assert.match(text, /^strain_function_errors_total\{profile="[^"]+",step="total",fn="quote"\} 1$/m);
    assert.match(text, /^strain_function_share_ratio\{profile="[^"]+",step="total",fn="deep"\} 0\.21$/m);
    assert.match(text, /^strain_function_throughput_calls_per_second\{profile="[^"]+",step="2",fn="deep"\} 1000$/m);
    assert.match(text, /^strain_function_latency_seconds\{profile="[^"]+",step="total",fn="deep",quantile="0\.99"\} 0\.008$/m);
    assert.match(text, /^strain_function_latency_seconds\{profile="[^"]+",step="2",fn="quote",quantile="0\.5"\} 0\.00025$/m);
    assert.equal((text.match(/^strain_function_latency_seconds\{/gm) ?? []).length, 4 * 6, 'six quantiles for each function of the total and of step 2');
    assert.doesNotMatch(openMetrics(saved), /strain_function_/, 'not a mix: no function families');
  });

  it('steps.csv: a row per function under its step, named in the fn column; console and Markdown: the per-function table', () => {
    const rows = parseCsv(stepsCsv(r));
    const header = rows[0] as string[];
    const fn = header.indexOf('fn');
    const count = header.indexOf('count');
    const step2 = rows.filter((row) => row[0] === '2');
    assert.deepEqual(step2.map((row) => [row[fn], row[count]]), [['', String(r.steps[1]!.count)], ['quote', '400'], ['deep', '100']]);
    assert.equal(step2[2]![header.indexOf('p99_ms')], '4');
    assert.equal(step2[2]![header.indexOf('cpu_mean_pct')], '', 'machine figures are the step\'s, not a function\'s');
    const text = consoleSummary(r);
    assert.match(text, /^quote\s+80\.00%\s+79\.00%\s+800\s+8000\/s\s+500\.0µs/m);
    assert.match(text, /^deep\s+20\.00%\s+21\.00%\s+210\s+2100\/s\s+4\.00ms/m);
    assert.match(markdownSummary(r), /\| deep \| 20\.00% \| 21\.00% \| 210 \| 2100\/s \| 4\.00ms \| 5\.20ms \| 8\.00ms \| 16\.0ms \| 0\.48% \|/);
    assert.doesNotMatch(consoleSummary(saved), /^mix:/m);
  });
});

describe('reports of a disturbed machine', () => {
  const env = (disturbed: boolean) => ({
    otherCpuPercent: disturbed ? 87 : 1, otherCpuPeakPercent: 95, stealPercent: 0, runnable: 3, cores: 2, quotaCores: null, throttledPercent: null, cpuMHz: null,
    disturbed, reasons: disturbed ? ['other processes used 87% of a core (limit 20%)'] : [],
  });
  const r = variant((x) => {
    x.steps.forEach((s, i) => { s.environment = env(i === 1); });
  });

  it('each disturbed step, and only it, is said in the console and in Markdown, with its reason', () => {
    const line = 'step 2 disturbed: other processes used 87% of a core (limit 20%); its figures describe a busy machine as much as the code';
    const text = consoleSummary(r).split('\n');
    assert.deepEqual(text.filter((l) => l.includes('disturbed')), [line]);
    const md = markdownSummary(r).split('\n');
    assert.deepEqual(md.filter((l) => l.includes('disturbed')), [`- ⚠️ ${line}`]);
    assert.ok(!consoleSummary(variant((x) => x.steps.forEach((s) => { s.environment = env(false); }))).includes('disturbed'), 'a quiet machine is not mentioned');
    assert.ok(!markdownSummary(saved).includes('disturbed'), 'no environment figures: nothing said');
  });

  it('a comparison says what it did with disturbed runs: left out, or verdicts limited to what the machine cannot explain', () => {
    const c = saved.comparison!;
    const out = comparisonTable({ ...c, disturbedRuns: { base: 1, current: 4, excluded: false } }).split('\n');
    assert.equal(out[1], 'disturbed: 1 baseline and 4 current run(s) measured on a busy machine; too few quiet runs to leave them out: a verdict stands only where the change is larger than the machine could cause, the rest are inconclusive');
    const left = comparisonTable({ ...c, disturbedRuns: { base: 0, current: 2, excluded: true } }).split('\n');
    assert.equal(left[1], 'disturbed: 0 baseline and 2 current run(s) measured on a busy machine; left out, the quiet runs compared');
    assert.ok(!comparisonTable(c).includes('disturbed'));
    const slower = comparisonTable({ ...c, hostSpeedChange: -0.18 }).split('\n');
    assert.equal(slower[1], "host speed: the current side's machine read -18.0% on the host-speed reference against the baseline's");
    assert.ok(!comparisonTable(c).includes('host speed'), 'no line without the reference');
    const md = markdownSummary(variant((x) => { x.comparison = { ...c, disturbedRuns: { base: 0, current: 2, excluded: true } }; }));
    assert.match(md, /\n⚠️ disturbed: 0 baseline and 2 current run\(s\) measured on a busy machine; left out, the quiet runs compared\n\n\| metric/);
  });
});

describe('reports of shards and merges', () => {
  const shardMeta = { index: 2, count: 4, fingerprint: 'sha256:abc', source: 'slurm' as const, startAt: '2026-12-04T03:00:00.000Z', skewMs: 3, maxStepSkewMs: 7 };
  const piece = (index: number, status: string) => ({
    index, from: `/r/shard-${index}/shard-state.json`, status, host: { cpus: 8, model: 'Box', speedMHz: 3000, memoryBytes: 2 ** 34, os: 'Linux', node: 'v20' },
    startedAt: '2026-12-04T03:00:00.000Z', endedAt: '2026-12-04T03:01:00.000Z', startAt: null, skewMs: null, maxStepSkewMs: null,
    workers: 8, count: 1000 * index, errors: index - 1, peakRssBytes: 2 ** 28, meanCpuPercent: 512.4, peakCpuPercent: 700,
  });

  it('a shard says which it is and how late it started; an ordinary run says nothing of shards', () => {
    const r = variant((x) => { x.meta.shard = shardMeta; });
    for (const text of [consoleSummary(r), markdownSummary(r)]) {
      assert.match(text, /shard 2 of 4 \(profile sha256:abc, index from slurm\); first step 3.00ms late after the agreed 2026-12-04T03:00:00.000Z \(at most 7.00ms late\)/);
      assert.doesNotMatch(text, /merged from/);
    }
    const loose = variant((x) => { x.meta.shard = { ...shardMeta, startAt: null, skewMs: null, maxStepSkewMs: null }; });
    assert.match(consoleSummary(loose), /shard 2 of 4 .*; steps not aligned to a start time/);
    for (const text of [consoleSummary(saved), markdownSummary(saved)]) assert.doesNotMatch(text, /shard/);
  });

  it('a merge names the shards it holds, the missing ones, and a table of each shard\'s own facts', () => {
    const r = variant((x) => { x.meta.shards = { count: 3, fingerprint: 'sha256:abc', held: [1, 3], missing: [2], partial: true, pieces: [piece(1, 'completed'), piece(3, 'interrupted')] }; });
    for (const text of [consoleSummary(r), markdownSummary(r)]) {
      assert.match(text, /merged from shards 1, 3 of 3 \(profile sha256:abc\); PARTIAL: shard 2 missing/);
      assert.match(text, /interrupted/);
      assert.match(text, /8 × Box/);
      assert.match(text, /3000/);
      assert.match(text, /not aligned/);
      assert.match(text, /512%/);
    }
    const whole = variant((x) => { x.meta.shards = { count: 2, fingerprint: 'f', held: [1, 2], missing: [], partial: false, pieces: [piece(1, 'completed'), piece(2, 'completed')] }; });
    assert.match(consoleSummary(whole), /merged from shards 1, 2 of 2 \(profile f\); host/);
    assert.doesNotMatch(markdownSummary(whole), /PARTIAL/);
  });
});
