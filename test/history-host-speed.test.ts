import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { historyChangePoints } from '../src/history/change-points.js';
import { normalizeHistory } from '../src/history/host-speed.js';
import type { HistoryEntry } from '../src/history/store.js';
import { historyReport } from '../src/report/history.js';
import { captureIo, tempDir } from './helpers.js';

// Nightly runs with a known story: the throughput, the latencies and the
// machine's speed (host-speed reference) are set run by run; a little
// deterministic noise keeps every segment from being flat.
const noise = (i: number): number => 1 + 0.004 * Math.sin(i * 2.3);
function history(n: number, throughput: (i: number) => number, speed: (i: number) => number | undefined): HistoryEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const x = throughput(i) * noise(i);
    const s = speed(i);
    return {
      at: `2026-11-${String(i + 1).padStart(2, '0')}T02:00:00.000Z`, name: 'nightly', status: 'completed', exitCode: 0,
      throughput: x, p50: 1000 / x, p99: 3000 / x, errorRate: 0, kneeLoad: null, peakRssBytes: 1, result: null,
      ...(s === undefined ? {} : { hostSpeed: s * noise(i + 7) }),
    };
  });
}

describe('history against the machine: normalised series and labelled change points', () => {
  it('a machine that became 20% slower halfway: the raw change point is labelled the machine\'s; normalised, there is none', () => {
    const h = history(20, (i) => (i < 10 ? 1000 : 800), (i) => (i < 10 ? 100 : 80));
    const raw = historyChangePoints(h, ['throughput', 'p50']);
    assert.deepEqual(raw.map((c) => [c.metric, c.index, c.cause]), [['throughput', 10, 'machine'], ['p50', 10, 'machine']]);
    assert.ok(Math.abs(raw[0]!.hostSpeedChange! + 0.2) < 0.02, String(raw[0]!.hostSpeedChange));
    const norm = normalizeHistory(h);
    assert.equal(norm.leftOut, 0);
    assert.equal(norm.entries.length, 20);
    assert.deepEqual(historyChangePoints(norm.entries, ['throughput', 'p50']), []);
    // Scaled to the median speed: both halves land on the same figure.
    const t = norm.entries.map((e) => e.throughput);
    assert.ok(Math.max(...t) / Math.min(...t) < 1.03, t.map((x) => x.toFixed(0)).join(' '));
    assert.match(historyReport(h, ['throughput'], 5).text, /change at run 11 .*the machine's: host speed -20\.\d% across it/);
  });

  it('the code became 20% slower on a steady machine: the change point stands, not the machine\'s, and survives normalising', () => {
    const h = history(20, (i) => (i < 10 ? 1000 : 800), () => 100);
    const raw = historyChangePoints(h, ['throughput']);
    assert.equal(raw.length, 1);
    assert.equal(raw[0]!.cause, undefined);
    assert.ok(Math.abs(raw[0]!.hostSpeedChange!) < 0.01);
    assert.equal(historyChangePoints(normalizeHistory(h).entries, ['throughput']).length, 1);
  });

  it('a slowdown the machine moved the other way for, or too little for, is the code\'s', () => {
    const faster = historyChangePoints(history(20, (i) => (i < 10 ? 1000 : 800), (i) => (i < 10 ? 100 : 110)), ['throughput']);
    assert.equal(faster.length, 1);
    assert.equal(faster[0]!.cause, undefined, 'the machine got faster: it cannot explain a slowdown');
    const little = historyChangePoints(history(20, (i) => (i < 10 ? 1000 : 700), (i) => (i < 10 ? 100 : 93)), ['throughput']);
    assert.equal(little[0]!.cause, undefined, 'a 7% slower machine does not explain 30%');
  });

  it('runs from before the reference existed are left out of the normalised series, and counted', () => {
    const h = history(12, () => 1000, (i) => (i < 4 ? undefined : 100));
    const norm = normalizeHistory(h);
    assert.equal(norm.leftOut, 4);
    assert.equal(norm.entries.length, 8);
    assert.equal(normalizeHistory(history(3, () => 1, () => undefined)).referenceSpeed, null);
  });

  it('strain history --normalize says what it scaled to and what it left out', async () => {
    const dir = tempDir();
    const h = history(20, (i) => (i < 10 ? 1000 : 800), (i) => (i < 2 ? undefined : i < 10 ? 100 : 80));
    writeFileSync(path.join(dir, 'history.jsonl'), h.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const raw = captureIo(dir);
    assert.equal(await main(['history', '.', '--metric', 'throughput'], raw), 0);
    assert.match(raw.out.join(''), /change at run 11 .*the machine's/);
    const io = captureIo(dir);
    assert.equal(await main(['history', '.', '--normalize', '--metric', 'throughput'], io), 0);
    const out = io.out.join('');
    assert.match(out, /^normalized to the median host speed \d+\.\d bytes\/µs; 2 run\(s\) without a reading left out\n/);
    assert.match(out, /throughput .* 0 change point\(s\)/);
  });
});
