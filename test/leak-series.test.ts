import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussian, seededRandom } from '../src/analysis/random.js';
import { trendVerdict } from '../src/analysis/trend.js';

function heapSeries(seed: number, minutes: number, perMinute: (tMin: number) => number): { t: number[]; y: number[] } {
  const rand = seededRandom(seed);
  const t: number[] = [];
  const y: number[] = [];
  const MB = 1024 * 1024;
  for (let s = 0; s < minutes * 6; s++) {
    const tMin = s / 6;
    const sawtooth = ((s % 9) / 9) * 8 * MB; // garbage builds up, GC drops it
    const gcSpike = rand() < 0.03 ? 15 * MB * rand() : 0;
    t.push(tMin * 60_000);
    y.push(40 * MB + perMinute(tMin) + sawtooth + gcSpike + 0.3 * MB * gaussian(rand));
  }
  return { t, y };
}

describe('leak and drift verdicts on synthetic series', () => {
  const MB = 1024 * 1024;
  it('a steady 0.2 MB/min rise under noise and GC spikes is a leak', () => {
    let leaks = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const s = heapSeries(seed, 60, (m) => 0.2 * MB * m);
      if (trendVerdict(s.t, s.y, 'leak').verdict === 'leak') leaks++;
    }
    assert.ok(leaks >= 48, `${leaks} of 50`);
  });
  it('a flat series is a leak in at most 2% of seeds', () => {
    let leaks = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const s = heapSeries(seed, 60, () => 0);
      if (trendVerdict(s.t, s.y, 'leak').verdict === 'leak') leaks++;
    }
    assert.ok(leaks <= 2, `${leaks} of 100`);
  });
  it('a single step is a step, not a leak', () => {
    let steps = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const s = heapSeries(seed, 60, (m) => (m > 30 ? 12 * MB : 0));
      const v = trendVerdict(s.t, s.y, 'leak');
      assert.notEqual(v.verdict, 'leak', `seed ${seed}: ${v.reason}`);
      if (v.verdict === 'step') steps++;
    }
    assert.ok(steps >= 18, `${steps} of 20 called a step`);
  });
  it('a large sawtooth is not a leak', () => {
    const t: number[] = [];
    const y: number[] = [];
    for (let s = 0; s < 360; s++) {
      t.push(s * 10_000);
      y.push(40 * MB + ((s % 30) / 30) * 60 * MB);
    }
    assert.equal(trendVerdict(t, y, 'leak').verdict, 'none');
  });
  it('short series are judged insufficient, and thresholds are configurable for short tests', () => {
    const s = heapSeries(1, 2, (m) => 0.2 * MB * m);
    assert.equal(trendVerdict(s.t, s.y, 'leak').verdict, 'insufficient-data');
    const fast = heapSeries(2, 10, (m) => 3 * MB * m);
    assert.equal(trendVerdict(fast.t, fast.y, 'leak', { window: 3, minWindows: 6 }).verdict, 'leak');
  });
  it('latency drift: p99 creeping up is drift, flat p99 is not', () => {
    const rand = seededRandom(4);
    const t = Array.from({ length: 200 }, (_, i) => i * 1000);
    const flat = t.map(() => 5 + 0.2 * gaussian(rand));
    const creeping = t.map((_, i) => 5 + i * 0.02 + 0.2 * gaussian(rand));
    assert.equal(trendVerdict(t, creeping, 'drift', { window: 5 }).verdict, 'drift');
    assert.equal(trendVerdict(t, flat, 'drift', { window: 5 }).verdict, 'none');
  });
});
