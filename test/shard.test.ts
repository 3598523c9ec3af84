import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { latencyStats } from '../src/analysis/stats.js';
import { main } from '../src/cli/main.js';
import { decodeHistogram, newHistogram } from '../src/engine/histogram.js';
import { scheduledCount, stepSeed } from '../src/engine/schedule.js';
import type { StrainResult } from '../src/result/schema.js';
import { captureIo, fixture, spawnStrain, tempDir } from './helpers.js';

const RATE = 400;
const profile = {
  name: 'sharded-known',
  extractor: fixture('spin-us.mjs'),
  extractorOptions: { us: 20 },
  stepWarmup: '500ms',
  snapshotInterval: '250ms',
  phases: [
    { name: 'uniform', executor: 'constant-arrival-rate', rate: RATE, duration: '2500ms', maxConcurrency: 2 },
    { name: 'poisson', executor: 'constant-arrival-rate', rate: RATE, duration: '2500ms', maxConcurrency: 2, arrival: 'poisson' },
  ],
  thresholds: { latency: ['p(99)<200'] },
};

const read = (dir: string): StrainResult => JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as StrainResult;

async function runShards(dir: string, file: string): Promise<[string, string]> {
  const outs: [string, string] = [path.join(dir, 'shard-1'), path.join(dir, 'shard-2')];
  // Two real processes, started as a scheduler would start them: at once, each told only its index.
  const kids = outs.map((out, i) => spawnStrain(['run', file, '--shard', `${i + 1}/2`, '--start-at', '+1s', '--shard-dir', path.join(dir, 'meet'), '--out', out, '--quiet', '--format', 'none'], dir));
  const exits = await Promise.all(kids.map((k) => k.exit));
  exits.forEach((e, i) => assert.equal(e.code, 0, `shard ${i + 1}: ${kids[i]!.stderr.join('')}`));
  return outs;
}

describe('shards: two real processes of one constant-arrival-rate profile, merged exactly', () => {
  it('the merged offered rate is the profile\'s, counts add, and the merged percentiles are those of the union of the shards\' histograms', async () => {
    const dir = tempDir('strain-shards-');
    const file = path.join(dir, 'profile.json');
    writeFileSync(file, JSON.stringify(profile));
    const [s1, s2] = await runShards(dir, file);
    const a = read(s1);
    const b = read(s2);
    for (const [r, i] of [[a, 1], [b, 2]] as const) {
      assert.equal(r.meta.shard?.index, i);
      assert.equal(r.meta.shard?.count, 2);
      assert.equal(r.meta.shard?.fingerprint, a.meta.shard?.fingerprint);
      assert.ok(r.meta.shard?.startAt, 'aligned to an agreed start');
      // The skew each shard observed: generous bounds, a loaded 2-core machine runs both.
      assert.ok(r.meta.shard!.skewMs! >= 0 && r.meta.shard!.skewMs! < 1000, `skew ${r.meta.shard?.skewMs}`);
      assert.ok(r.steps.every((s) => s.openLoop!.offered === RATE / 2), 'each shard offers half');
    }
    assert.equal(a.meta.seed, b.meta.seed, 'one schedule, one seed');
    // Step k of both shards covers the same seconds on the wall clock (a generous bound: both share 2 cores).
    a.steps.forEach((s, k) => {
      const at = (r: StrainResult): number => Date.parse(r.meta.startedAt) + r.steps[k]!.startMs;
      assert.ok(Math.abs(at(a) - at(b)) < 250, `step ${k}: ${at(a)} vs ${at(b)}`);
    });

    const io = captureIo(dir);
    const merged = path.join(dir, 'merged');
    assert.equal(await main(['merge', s1, s2, '--out', merged, '--quiet'], io), 0, io.err.join(""));
    const m = read(merged);
    assert.deepEqual(m.meta.shards?.held, [1, 2]);
    assert.deepEqual(m.meta.shards?.missing, []);
    assert.equal(m.meta.shards?.pieces.length, 2);
    assert.equal(m.steps.length, 2);
    assert.equal(m.workers.length, a.workers.length + b.workers.length);
    assert.deepEqual(new Set(m.workers.map((w) => w.shard)), new Set([1, 2]));
    m.steps.forEach((step, k) => {
      const [x, y] = [a.steps[k]!, b.steps[k]!];
      assert.equal(step.openLoop!.offered, RATE, 'the merged offered rate is the profile\'s');
      // The shards' schedules are the whole schedule's arrivals, split: their counts add up to it exactly.
      const whole = scheduledCount({ arrival: step.openLoop!.arrival as 'uniform' | 'poisson', rate: RATE }, stepSeed(m.meta.seed!, k), 2500);
      assert.equal(x.openLoop!.scheduled + y.openLoop!.scheduled, whole, step.phase);
      assert.equal(step.openLoop!.scheduled, whole);
      assert.equal(step.count, x.count + y.count);
      assert.equal(step.warmupCount, x.warmupCount! + y.warmupCount!);
      assert.equal(step.errors, x.errors + y.errors);
      assert.equal(step.openLoop!.late, x.openLoop!.late + y.openLoop!.late);
      assert.equal(step.openLoop!.dropped, x.openLoop!.dropped + y.openLoop!.dropped);
      assert.ok(Math.abs(step.throughput - (x.throughput + y.throughput)) < 1e-9 * step.throughput);
      assert.ok(Math.abs(step.openLoop!.achieved - (x.openLoop!.achieved + y.openLoop!.achieved)) < 1e-9 * step.openLoop!.achieved);
      // Every arrival of the whole schedule was served once by one shard.
      assert.equal(x.count + x.warmupCount! + x.openLoop!.dropped, x.openLoop!.scheduled, `shard 1 ${step.phase}`);
      assert.equal(y.count + y.warmupCount! + y.openLoop!.dropped, y.openLoop!.scheduled, `shard 2 ${step.phase}`);
      // The union, computed here from the two shard results alone.
      const union = newHistogram();
      union.add(decodeHistogram(x.histogram));
      union.add(decodeHistogram(y.histogram));
      assert.equal(union.totalCount, step.count - step.errors);
      const expected = latencyStats(union);
      for (const q of ['p50', 'p90', 'p99', 'p999', 'max', 'min', 'mean'] as const) assert.equal(step.latencyMs[q], expected[q], `${step.phase} ${q}`);
    });
    assert.equal(m.total.count, a.total.count + b.total.count);
    const total = newHistogram();
    total.add(decodeHistogram(a.total.histogram));
    total.add(decodeHistogram(b.total.histogram));
    assert.deepEqual(m.total.latencyMs, latencyStats(total));
    assert.equal(m.verdict.passed, true);
    assert.ok(existsSync(path.join(merged, 'report.html')), 'every report is written');
    assert.match(readFileSync(path.join(merged, 'report.html'), 'utf8'), /merged from shards 1, 2 of 2/);

    // Refusals: nothing is written, and the exit code is 2.
    const refused = async (args: string[], pattern: RegExp): Promise<void> => {
      const out = path.join(dir, `refused-${Math.random().toString(36).slice(2)}`);
      const e = captureIo(dir);
      assert.equal(await main(['merge', ...args, '--out', out], e), 2, e.err.join(""));
      assert.match(e.err.join(""), /STRAIN_MERGE/);
      assert.match(e.err.join(""), pattern);
      assert.equal(existsSync(out), false, 'nothing half-written');
    };
    await refused([s1], /shard 2 of 2 is missing/);
    await refused([s1, s1], /shard 1 is given twice/);
    const other = path.join(dir, 'other');
    cpSync(s2, other, { recursive: true });
    const st = JSON.parse(readFileSync(path.join(other, 'shard-state.json'), 'utf8')) as { shard: { fingerprint: string } };
    st.shard.fingerprint = 'sha256:0000';
    writeFileSync(path.join(other, 'shard-state.json'), JSON.stringify(st));
    await refused([s1, path.join(other, 'result.json')], /another profile/);

    // Shards aligned to different start times cover different seconds: the merge says so.
    const shifted = path.join(dir, 'shifted');
    cpSync(s2, shifted, { recursive: true });
    const st2 = JSON.parse(readFileSync(path.join(shifted, 'shard-state.json'), 'utf8')) as { shard: { startAt: string | null } };
    st2.shard.startAt = null;
    writeFileSync(path.join(shifted, 'shard-state.json'), JSON.stringify(st2));
    assert.equal(await main(['merge', s1, shifted, '--out', path.join(dir, 'shifted-merged'), '--quiet', '--format', 'none'], captureIo(dir)), 0);
    assert.ok((read(path.join(dir, 'shifted-merged')).warnings ?? []).some((w) => /not aligned to one start/.test(w)));
    assert.equal((m.warnings ?? []).some((w) => /start/.test(w)), false, 'aligned shards: nothing to say');

    // An explicitly partial merge holds what is there and says what is missing.
    const partial = path.join(dir, 'partial');
    assert.equal(await main(['merge', s1, '--partial', '--out', partial, '--quiet', '--format', 'md'], captureIo(dir)), 0);
    const p = read(partial);
    assert.deepEqual(p.meta.shards?.missing, [2]);
    assert.equal(p.steps[0]!.openLoop!.offered, RATE / 2);
    assert.equal(p.steps[0]!.openLoop!.scheduled, a.steps[0]!.openLoop!.scheduled);
    assert.equal(p.steps[0]!.openLoop!.dropped, a.steps[0]!.openLoop!.dropped);
    assert.match(readFileSync(path.join(partial, 'summary.md'), 'utf8'), /PARTIAL: shard 2 missing/);

    // A folder of shard folders is the set inside it.
    assert.equal(await main(['merge', dir, '--out', path.join(dir, 'from-folder'), '--quiet', '--format', 'none'], captureIo(dir)), 2, 'the copy of shard 2 is in there too');
  });

  it('a shard split that cannot be made is refused before anything is written', async () => {
    const dir = tempDir('strain-shards-');
    const file = path.join(dir, 'profile.json');
    writeFileSync(file, JSON.stringify(profile));
    for (const [args, c] of [[['--shard', '3/2'], 'STRAIN_SHARD'], [['--shard', '1/3'], 'STRAIN_SHARD'], [['--shard', 'auto'], 'STRAIN_SHARD_ENV'], [['--start-at', '+5s'], 'STRAIN_USAGE'], [['--shard', '1/2', '--start-at', '+5s'], 'STRAIN_USAGE']] as const) {
      const io = captureIo(dir);
      io.env = {};
      const out = path.join(dir, 'out');
      assert.equal(await main(['run', file, ...args, '--out', out], io), 2, args.join(' '));
      assert.match(io.err.join(""), new RegExp(c));
      assert.equal(existsSync(out), false);
    }
  });
});
