/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The page-side callbacks below run in the browser, hence the DOM types.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { htmlReport } from '../src/report/html.js';
import { readResult } from '../src/result/write.js';
import { fixture, ROOT, tempDir } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
/** Flags for a headless, sandboxless, offline Chromium (see the machine notes). */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

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
      const charts = await page.evaluate(() =>
        [...document.querySelectorAll('.chart')].map((el) => {
          const canvas = el.querySelector('canvas');
          if (!canvas) return { id: el.id, painted: 0, legend: 0, labels: '' };
          const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
          const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          let painted = 0;
          for (let i = 3; i < px.length; i += 4) if ((px[i] as number) > 0) painted++;
          // Axis titles are painted on the canvas; the legend's labels are in the DOM.
          return { id: el.id, painted, legend: el.querySelectorAll('.u-legend .u-series').length, labels: [...el.querySelectorAll('.u-legend .u-label')].map((l) => l.textContent).join('|') };
        }),
      );
      assert.equal(Number(await page.evaluate(() => document.body.dataset['charts'])), 5);
      assert.deepEqual(charts.map((c) => c.id), ['chart-scaling', 'chart-timeline', 'chart-distribution', 'chart-comparison', 'chart-resources']);
      for (const c of charts) {
        assert.ok(c.painted > 2000, `${c.id} drew (${c.painted} painted pixels)`);
        assert.ok(c.legend >= 2, `${c.id} has a legend`);
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
});
