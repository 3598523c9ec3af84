/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The page-side callbacks below run in the browser, hence the DOM types.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { consoleSummary } from '../src/report/console.js';
import { htmlReport } from '../src/report/html.js';
import { historyHtml } from '../src/report/history-html.js';
import { historyChangePoints, HISTORY_METRICS } from '../src/history/change-points.js';
import type { HistoryEntry } from '../src/history/store.js';
import { seededRandom } from '../src/analysis/random.js';
import { markdownSummary } from '../src/report/markdown.js';
import { runStress } from '../src/run.js';
import { readResult } from '../src/result/write.js';
import { fixture, ROOT, tempDir } from './helpers.js';
import { onBusyHost } from './busy-host.js';

const CHROMIUM = '/usr/bin/chromium';
/** Flags for a headless, sandboxless, offline Chromium (see the machine notes). */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** False (and the test skipped, or failed under CI) when Chromium is missing. */
function haveChromium(t: { skip: (why: string) => void }): boolean {
  if (existsSync(CHROMIUM)) return true;
  // CI installs Chromium (.ci/run) and sets STRAIN_REQUIRE_BROWSER, so there this cannot skip.
  if (process.env['STRAIN_REQUIRE_BROWSER'] === '1') assert.fail(`${CHROMIUM} is missing; apt-get install chromium`);
  t.skip(`${CHROMIUM} not installed (apt-get install chromium)`);
  return false;
}

/** Open a report page offline and check it drew with no error and asked for nothing but itself. */
async function openReport(browser: Browser, html: string, name = 'report.html', ready = (): boolean => document.body.dataset['charts'] !== undefined && document.body.dataset['flames'] !== undefined): Promise<Page> {
  const file = path.join(tempDir(), name);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('request', (q) => requests.push(q.url()));
  await page.goto(url);
  await page.waitForFunction(ready, null, { timeout: 15_000 });
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, [url], 'the page asks for nothing but itself');
  return page;
}

describe('HTML report in a real browser', () => {
  it('opens offline: no console errors, no network requests, every chart drew; screenshot saved', async (t) => {
    if (!existsSync(CHROMIUM)) {
      // CI installs Chromium (.ci/run) and sets STRAIN_REQUIRE_BROWSER, so there this cannot skip.
      if (process.env['STRAIN_REQUIRE_BROWSER'] === '1') assert.fail(`${CHROMIUM} is missing; apt-get install chromium`);
      t.skip(`${CHROMIUM} not installed (apt-get install chromium)`);
      return;
    }
    const result = readResult(fixture('result.json'));
    const file = path.join(tempDir(), 'report.html');
    writeFileSync(file, htmlReport(result));
    const url = pathToFileURL(file).href;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(url);
      await page.waitForFunction(() => document.body.dataset['charts'] !== undefined, null, { timeout: 15_000 });
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [url], 'the page asks for nothing but itself');
      // Per series: pixels of the series' own colour (its legend marker's), so
      // grid lines and axes (grey) never count as data.
      const charts = await page.evaluate(() =>
        [...document.querySelectorAll('.chart')].map((el) => {
          const canvas = el.querySelector('canvas');
          const legend = [...el.querySelectorAll('.u-legend .u-series')];
          const labels = legend.map((l) => l.querySelector('.u-label')?.textContent ?? '').join('|');
          if (!canvas) return { id: el.id, painted: 0, legend: 0, labels, series: {} as Record<string, number> };
          const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
          const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          let painted = 0;
          for (let i = 3; i < px.length; i += 4) if ((px[i] as number) > 0) painted++;
          const series: Record<string, number> = {};
          for (const entry of legend.slice(1)) {
            const marker = entry.querySelector('.u-marker') as HTMLElement | null;
            const rgb = /rgba?\((\d+), (\d+), (\d+)/.exec(marker ? getComputedStyle(marker).borderLeftColor : '');
            if (!rgb) continue;
            const [r, g, b] = [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
            let n = 0;
            for (let i = 0; i < px.length; i += 4) {
              if ((px[i + 3] as number) > 200 && Math.abs((px[i] as number) - r) + Math.abs((px[i + 1] as number) - g) + Math.abs((px[i + 2] as number) - b) < 24) n++;
            }
            series[entry.querySelector('.u-label')?.textContent ?? '?'] = n;
          }
          return { id: el.id, painted, legend: legend.length, labels, series };
        }),
      );
      console.log(`# series pixels: ${JSON.stringify(charts.map((c) => [c.id, c.series]))}`);
      assert.equal(Number(await page.evaluate(() => document.body.dataset['charts'])), 5);
      assert.deepEqual(charts.map((c) => c.id), ['chart-scaling', 'chart-timeline', 'chart-distribution', 'chart-comparison', 'chart-resources']);
      for (const c of charts) {
        assert.ok(c.painted > 2000, `${c.id} drew (${c.painted} painted pixels)`);
        assert.ok(c.legend >= 2, `${c.id} has a legend`);
        // Every series is drawn: at least 100 pixels in its own colour (the thinnest, a dashed fit line, paints over 300).
        assert.equal(Object.keys(c.series).length, c.legend - 1, `${c.id}: a colour per series`);
        for (const [label, n] of Object.entries(c.series)) assert.ok(n >= 100, `${c.id}: ${label} painted ${n} pixels of its colour`);
      }
      assert.equal(charts[0]!.labels, 'concurrency|throughput (calls/s)|p50 (ms)|p99 (ms)|USL fit (calls/s)');
      assert.equal(charts[1]!.labels, 'time (s)|p50 (ms)|p99 (ms)|max (ms)');
      const out = path.join(ROOT, 'test-output');
      mkdirSync(out, { recursive: true });
      await page.screenshot({ path: path.join(out, 'report.png'), fullPage: true });
      assert.ok(existsSync(path.join(out, 'report.png')));
    } finally {
      await browser.close();
    }
  });

  it('an endurance run: verdicts said in console, Markdown and HTML (judged or not, and why), worker memory charted, no scaling chart for one load', async (t) => {
    if (!existsSync(CHROMIUM)) {
      if (process.env['STRAIN_REQUIRE_BROWSER'] === '1') assert.fail(`${CHROMIUM} is missing; apt-get install chromium`);
      t.skip(`${CHROMIUM} not installed (apt-get install chromium)`);
      return;
    }
    const judged = await runStress({
      // 50 ms snapshots: 30 two-snapshot windows in 3 s, so the second half's own trend test has the points to be significant
      extractor: fixture('offheap.mjs'), extractorOptions: { kind: 'typed' }, snapshotInterval: '50ms',
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '3s' }],
      analysis: { leak: { window: 2, minWindows: 8, minRelGrowth: 0.1, minAbsGrowth: 4_000_000 }, failOn: ['leak'] },
    });
    const short = await runStress({
      extractor: fixture('noop.mjs'), snapshotInterval: '200ms',
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '1s' }],
    });
    // Not judged: each report says so, with what was missing.
    for (const text of [consoleSummary(short), markdownSummary(short), htmlReport(short)]) {
      assert.match(text, /leak, worker 0 memory: not judged \(the longest plateau \(step 1\) gave \d+ of 8 windows; about [\d.]+ more minutes at constant load needed\)/);
      assert.match(text, /drift, latency p99: not judged/);
    }
    // Judged: the verdict with its slope, part and p-value.
    for (const text of [consoleSummary(judged), markdownSummary(judged)]) {
      assert.match(text, /leak, worker 0 memory: leak \([\d.]+ [KMG]iB\/min, external, p=[\d.e-]+; step 1: rising/);
    }
    const file = path.join(tempDir(), 'report.html');
    writeFileSync(file, htmlReport(judged));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(() => document.body.dataset['charts'] !== undefined, null, { timeout: 15_000 });
      assert.deepEqual(errors, []);
      const ids = await page.evaluate(() => [...document.querySelectorAll('.chart')].map((el) => `${el.id}:${el.querySelector('canvas') ? 'drawn' : 'empty'}`));
      assert.ok(!ids.some((i) => i.startsWith('chart-scaling')), `one load level, no scaling chart: ${ids.join(', ')}`);
      assert.ok(ids.includes('chart-memory:drawn'), ids.join(', '));
      const legend = await page.evaluate(() => [...document.querySelectorAll('#chart-memory .u-legend .u-label')].map((l) => l.textContent).join('|'));
      assert.equal(legend, 'time (s)|worker 0 heap (MiB)|worker 0 external (MiB)');
      assert.match(await page.evaluate(() => document.body.innerText), /Endurance\s+leak, worker 0 memory: leak/);
    } finally {
      await browser.close();
    }
  });
  it('a capacity search: the answer in one line, the probes drawn against the objective, the capacity marked', async (t) => onBusyHost(t, async () => {
    if (!haveChromium(t)) return;
    // 1 ms calls on 2 workers: 500, 1000 and 2000/s pass, 4000/s fails; eight short probes leave passes and fails to draw.
    const r = await runStress({
      extractor: fixture('busy.mjs'), extractorOptions: { ms: 1 },
      phases: [{ executor: 'capacity-search', from: 500, probeDuration: '300ms', maxConcurrency: 2, arrival: 'uniform', maxProbes: 8 }],
      thresholds: { latency: ['p(99)<20'] },
    });
    assert.ok(r.capacity && r.capacity.probes.some((p) => p.passed) && r.capacity.probes.some((p) => !p.passed), 'passes and fails to draw');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    try {
      const page = await openReport(browser, htmlReport(r));
      const chart = await page.evaluate(() => {
        const el = document.getElementById('chart-capacity');
        const canvas = el?.querySelector('canvas');
        const labels = [...(el?.querySelectorAll('.u-legend .u-label') ?? [])].map((l) => l.textContent).join('|');
        if (!canvas) return { painted: 0, labels, title: '' };
        const px = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < px.length; i += 4) if ((px[i] as number) > 0) painted++;
        return { painted, labels, title: el?.querySelector('.u-title')?.textContent ?? '' };
      });
      assert.equal(chart.labels, 'offered rate (calls/s)|passed|failed|objective');
      assert.match(chart.title, /latency p\(99\)<20 by load/);
      assert.ok(chart.painted > 2000, `the capacity chart drew (${chart.painted} pixels)`);
      const line = await page.evaluate(() => document.getElementById('capacity-line')?.textContent ?? '');
      assert.match(line, /^capacity .*\(passed [\d,.]+\/s, failed [\d,.]+\/s.*\) for latency p\(99\)<20 & achieved>=0\.97; 8 probes in [\d.]+ s$/);
      const rows = await page.evaluate(() => document.querySelectorAll('#capacity-probes tr').length);
      assert.equal(rows, 1 + 8, 'a row per probe');
    } finally {
      await browser.close();
    }
  }));
  it('a mix: the per-function table lists each function, and the scaling chart draws each one\'s p99 against load', async (t) => {
    if (!haveChromium(t)) return;
    const r = await runStress({
      mix: [
        { name: 'cheap', extractor: fixture('busy.mjs'), weight: 9, extractorOptions: { ms: 0.2 } },
        { name: 'dear', extractor: fixture('busy.mjs'), weight: 1, extractorOptions: { ms: 2 } },
      ],
      phases: [{ executor: 'ramping-concurrency', from: 1, to: 2, step: 1, stepDuration: '600ms' }],
    });
    assert.ok(new Set(r.steps.map((s) => s.load.concurrency)).size >= 2, 'two load levels to chart');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    try {
      const page = await openReport(browser, htmlReport(r));
      const table = await page.evaluate(() => [...document.querySelectorAll('table.functions tbody tr')].map((tr) => tr.querySelector('td')?.textContent));
      assert.deepEqual(table, ['cheap', 'dear']);
      const chart = await page.evaluate(() => {
        const el = document.getElementById('chart-scaling');
        const labels = [...(el?.querySelectorAll('.u-legend .u-label') ?? [])].map((l) => l.textContent);
        const canvas = el?.querySelector('canvas');
        let painted = 0;
        if (canvas) {
          const px = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 3; i < px.length; i += 4) if ((px[i] as number) > 0) painted++;
        }
        return { labels, painted };
      });
      assert.ok(chart.labels.includes('cheap p99 (ms)') && chart.labels.includes('dear p99 (ms)'), chart.labels.join('|'));
      assert.ok(chart.painted > 2000, `the scaling chart drew (${chart.painted} pixels)`);
    } finally {
      await browser.close();
    }
  });

  it('a CPU profile: its flame graph paints and its top-functions table lists the hot function', async (t) => {
    if (!haveChromium(t)) return;
    const r = await runStress({
      extractor: fixture('two-functions.mjs'), profile: { cpu: true },
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '800ms' }],
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    try {
      const page = await openReport(browser, htmlReport(r));
      assert.equal(await page.evaluate(() => document.body.dataset['flames']), '1');
      const paint = await page.evaluate(() => {
        const canvas = document.querySelector('#flame-0 canvas') as HTMLCanvasElement | null;
        if (!canvas) return { painted: 0, rows: 0 };
        const px = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < px.length; i += 4) if ((px[i] as number) > 0) painted++;
        return { painted, rows: canvas.height };
      });
      assert.ok(paint.painted > 10_000, `the flame graph painted ${paint.painted} pixels`);
      const first = await page.evaluate(() => document.querySelector('.profile-top tr:nth-child(2) td code')?.textContent);
      assert.equal(first, 'hot');
    } finally {
      await browser.close();
    }
  });

  it('the history page: a chart per metric, the change point of a synthetic history marked at run 41, runs linked, nothing fetched', async (t) => {
    if (!haveChromium(t)) return;
    // 40 runs around 1000/s, then 20 around 1100/s (+10%), with ±1% noise: the change is at run 41.
    const rnd = seededRandom(7);
    const entries: HistoryEntry[] = Array.from({ length: 60 }, (_, i) => {
      const level = i < 40 ? 1000 : 1100;
      return {
        at: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(), name: 'nightly', status: 'completed', exitCode: 0,
        throughput: level * (1 + (rnd() - 0.5) * 0.02), p50: 1 + (rnd() - 0.5) * 0.02, p99: 2 + (rnd() - 0.5) * 0.04, errorRate: 0, kneeLoad: null, peakRssBytes: 1e8,
        result: `/runs/${i + 1}/result.json`,
      };
    });
    const changePoints = historyChangePoints(entries, HISTORY_METRICS);
    assert.deepEqual(changePoints.filter((c) => c.metric === 'throughput').map((c) => c.index + 1), [41]);
    const links = entries.map((_, i) => `runs/${i + 1}/report.html`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    try {
      const page = await openReport(browser, historyHtml({ entries, links, changePoints }), 'history.html', () => document.body.dataset['charts'] !== undefined);
      assert.equal(await page.evaluate(() => document.body.dataset['charts']), String(HISTORY_METRICS.length));
      const marked = (await page.evaluate(() => document.body.getAttribute('data-marked') ?? '')).split(' ');
      assert.ok(marked.includes('throughput@41'), `marked: ${marked.join(' ')}`);
      // Every chart painted its line: pixels of the series colour on each canvas.
      const painted = await page.evaluate(() => [...document.querySelectorAll('.chart canvas')].map((c) => {
        const canvas = c as HTMLCanvasElement;
        const d = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] === 0x1f && d[i + 1] === 0x77 && d[i + 2] === 0xb4) n++;
        return n;
      }));
      assert.equal(painted.length, HISTORY_METRICS.length);
      for (const n of painted.slice(0, 3)) assert.ok(n > 50, `series pixels per chart: ${painted.join(', ')}`);
      const rows = await page.evaluate(() => [...document.querySelectorAll('table.runs tbody tr')].map((tr) => tr.querySelector('a')?.getAttribute('href')));
      assert.equal(rows.length, 30, 'the last 30 runs in the table');
      assert.equal(rows[0], 'runs/60/report.html', 'newest first, linked to its report');
      assert.match(await page.locator('body').innerText(), /throughput changed at run 41/);
    } finally {
      await browser.close();
    }
  });
});
