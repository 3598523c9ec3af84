import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CONDITIONS, generateCsv } from '../scenarios/data/generate.js';
import features, { computeFeatures, setup, type Bar } from '../scenarios/extractors/features.js';
import { readProfileFile } from '../src/profile/load.js';
import { prepareRun } from '../src/run.js';
import { ROOT } from './helpers.js';

const bar = (close: number, i = 0): Bar => ({ ts: i, open: close, high: close, low: close, close, volume: 100 });

describe('demo data', () => {
  for (const c of CONDITIONS) {
    it(`${c.name}.csv is exactly what the generator makes (not stale)`, () => {
      const committed = readFileSync(path.join(ROOT, 'scenarios', 'data', `${c.name}.csv`), 'utf8');
      assert.equal(committed, generateCsv(c));
    });
  }
  it('the conditions differ the way they should: high volatility > normal > overnight', () => {
    const vol = (name: string): number => {
      const text = generateCsv(CONDITIONS.find((c) => c.name === name)!);
      const closes = text.trim().split('\n').slice(1).map((l) => Number(l.split(',')[4]));
      const r = closes.slice(1).map((x, i) => Math.log(x / closes[i]!));
      const m = r.reduce((a, b) => a + b, 0) / r.length;
      return Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / r.length);
    };
    assert.ok(vol('high-volatility') > 2 * vol('normal-trading'));
    assert.ok(vol('normal-trading') > 2 * vol('overnight'));
  });
});

describe('demo extractor: features', () => {
  it('flat prices: averages equal the price, bands collapse, no volatility', () => {
    const f = computeFeatures(Array.from({ length: 100 }, (_, i) => bar(50, i)));
    assert.equal(f.sma20, 50);
    assert.equal(f.sma50, 50);
    assert.equal(f.ema12, 50);
    assert.equal(f.macd, 0);
    assert.equal(f.bollingerUpper, 50);
    assert.equal(f.volatility20, 0);
    assert.equal(f.vwap, 50);
  });

  it('rising prices: RSI 100, MACD positive, SMA20 is the mean of the last 20', () => {
    const bars = Array.from({ length: 60 }, (_, i) => bar(100 + i, i));
    const f = computeFeatures(bars);
    assert.equal(f.rsi14, 100);
    assert.ok(f.macd > 0);
    assert.equal(f.sma20, (140 + 159) / 2);
  });

  it('keeps a bounded window per worker', () => {
    const state = setup({ options: { window: 60 } });
    for (let i = 0; i < 500; i++) features(bar(100 + Math.sin(i), i), { state });
    assert.equal(state.bars.length, 60);
  });
});

describe('shipped scenarios', () => {
  const dir = path.join(ROOT, 'scenarios');
  // profile.schema.json is the schema the profiles name, not a profile.
  // A .suite.json lists profiles (test/suite.test.ts reads the shipped one).
  for (const f of readdirSync(dir).filter((x) => /\.(json|ts)$/.test(x) && x !== 'profile.schema.json' && !x.endsWith('.suite.json'))) {
    it(`${f} validates and plans`, async () => {
      const { profile, baseDir } = await readProfileFile(path.join(dir, f));
      const p = prepareRun(profile, { baseDir, source: f });
      assert.ok(p.plan.steps.length >= 1);
      assert.ok(p.rows.length > 0);
    });
  }
});

describe('the market scenarios', () => {
  const dir = path.join(ROOT, 'scenarios', 'market');
  const files = readdirSync(dir).filter((x) => x.endsWith('.json')).sort();
  it('all eight are shipped: four conditions, each full and short', () => {
    assert.equal(files.length, 8, files.join(', '));
    for (const f of files.filter((x) => !x.endsWith('-short.json'))) assert.ok(files.includes(f.replace('.json', '-short.json')), `${f} has a short version`);
  });
  for (const f of files) {
    it(`${f} loads, validates and plans an arrival-rate run with its data`, async () => {
      const { profile, baseDir } = await readProfileFile(path.join(dir, f));
      const p = prepareRun(profile, { baseDir, source: f });
      assert.ok(p.plan.steps.some((st) => st.open !== undefined), 'an arrival-rate step');
      assert.ok(p.rows.length > 0, 'rows from its data file');
      assert.ok(p.thresholds.length > 0, 'it states objectives');
    });
  }
});

describe('a short market scenario, end to end', () => {
  it('normal-trading-short holds 100 calls/s on the demo extractor and passes its thresholds', async () => {
    const { profile, baseDir } = await readProfileFile(path.join(ROOT, 'scenarios', 'market', 'normal-trading-short.json'));
    const { runStress } = await import('../src/run.js');
    const r = await runStress(profile, { baseDir });
    const o = r.steps[0]!.openLoop!;
    assert.ok(Math.abs(o.achieved - 100) / 100 < 0.02, `achieved ${o.achieved}`);
    assert.equal(r.verdict.passed, true, r.verdict.reasons.join('; '));
  });
});
