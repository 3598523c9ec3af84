import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { decodeHistogram } from '../src/engine/histogram.js';
import { CHECKPOINT_FILE, type CheckpointState } from '../src/checkpoint/state.js';
import { resultSchemaErrors, serializeResult } from '../src/result/write.js';
import type { StrainResult } from '../src/result/schema.js';
import { runStress } from '../src/run.js';
import { fixture, spawnStrain, tempDir, waitFor } from './helpers.js';

/** Calls the tally fixture completed, summed over every thread it ran in. */
function tallied(dir: string): number {
  return readdirSync(dir).filter((f) => f.startsWith('gen-')).reduce((a, f) => a + Number(readFileSync(path.join(dir, f), 'utf8')), 0);
}

async function tallyRun(mode: string, at: number, extra: Record<string, unknown> = {}, phase: Record<string, unknown> = {}): Promise<{ r: StrainResult; seen: number }> {
  const dir = tempDir();
  const r = await runStress({
    extractor: fixture('tally.mjs'),
    extractorOptions: { dir, mode, at, ...(mode === 'timer' ? { async: true } : {}) },
    // Long intervals: a death loses everything since the last snapshot unless it is harvested.
    snapshotInterval: '1s',
    maxFaults: 1000,
    ...extra,
    phases: [{ executor: 'constant-concurrency', concurrency: 2, duration: '2s', ...phase }],
  });
  return { r, seen: tallied(dir) };
}

function assertAllCounted(r: StrainResult, seen: number, kind: string): void {
  assert.deepEqual(resultSchemaErrors(JSON.parse(serializeResult(r))), []);
  assert.ok(r.faults.some((f) => f.kind === kind), `a ${kind} fault: ${JSON.stringify(r.faults.map((f) => f.kind))}`);
  assert.ok(seen > 0);
  // Calls in flight at the step's nominal end complete outside its window: run and reported, not counted.
  assert.equal(r.total.count + r.total.overranCalls!, seen, `counted ${r.total.count} + ${r.total.overranCalls} past the end; the extractor completed ${seen} (harvested ${r.total.harvestedCalls})`);
  assert.ok(r.total.overranCalls! <= 2, 'at most the one call in flight per worker at the end');
  assert.ok((r.total.harvestedCalls ?? 0) > 0, 'some calls came from the shared memory of dead workers');
  assert.equal(decodeHistogram(r.total.histogram).totalCount, r.total.count - r.total.errors);
  assert.equal(r.workers.reduce((a, w) => a + w.count, 0), r.total.count);
}

describe('nothing measured is lost', () => {
  it('an extractor that exits on call N of every generation: every completed call is counted', async () => {
    const { r, seen } = await tallyRun('exit', 300);
    const exits = r.faults.filter((f) => f.kind === 'exit').length;
    assert.ok(exits >= 4, `the workers exited and were replaced several times (${exits})`);
    assertAllCounted(r, seen, 'exit');
    // Each generation that exited completed exactly N-1 calls; the survivors fewer.
    assert.ok(seen >= exits * 299, `${seen} calls ≥ ${exits} exits × 299`);
  });

  it('a hang, terminated after hangTimeout, loses none of the calls before it', async () => {
    const { r, seen } = await tallyRun('hang', 500, { hangTimeout: '600ms' });
    assertAllCounted(r, seen, 'hang');
  });

  it('an out-of-memory worker loses none of the calls before it', async () => {
    const { r, seen } = await tallyRun('oom', 500, { maxWorkerHeapMb: 64 }, { duration: '3s' });
    assertAllCounted(r, seen, 'oom');
  });

  it('an exception thrown from a timer loses none of the calls before it', async () => {
    const { r, seen } = await tallyRun('timer', 500);
    assertAllCounted(r, seen, 'crash');
  });

  it('an extractor that replaces performance.now, process.hrtime, Date.now and Math.round changes nothing measured', async () => {
    const r = await runStress({
      extractor: fixture('clock-patcher.mjs'),
      snapshotInterval: '200ms',
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '1500ms' }],
    });
    assert.equal(r.status, 'completed', r.verdict.reasons.join('; '));
    assert.ok(r.total.count > 2000, `calls kept being counted after the patch (${r.total.count})`);
    assert.ok(r.series.length >= 5, `snapshots kept flowing (${r.series.length} points)`);
    // ~40k loop iterations: tens of µs on any machine, never 0 and never seconds.
    assert.ok(r.total.latencyMs.p50 > 0.005 && r.total.latencyMs.p50 < 5, `p50 ${r.total.latencyMs.p50} ms is plausible`);
    assert.ok(r.total.latencyMs.min > 0.001, `min ${r.total.latencyMs.min} ms: no call timed as zero`);
    assert.equal(r.verdict.passed, true, r.verdict.reasons.join('; '));
  });

  it('a run whose extractor never completes a call fails its verdict, naming the step', async () => {
    const r = await runStress({
      extractor: fixture('slow-forever.mjs'),
      extractorOptions: { ms: 2500 },
      hangTimeout: '30s',
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '600ms', name: 'slow' }],
    });
    assert.equal(r.total.count, 0);
    assert.equal(r.verdict.passed, false);
    assert.equal(r.exitCode, 1);
    assert.match(r.verdict.reasons.join('; '), /step 1 \(slow\) measured no calls/);
    assert.match(r.verdict.reasons.join('; '), /the run measured no calls/);
  });
});

describe('liveness from progress, and limits refused up front', () => {
  it('concurrency 64 of a no-op on this machine completes with no fault (real process)', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.json'), JSON.stringify({
      extractor: fixture('noop.mjs'),
      hangTimeout: '2s',
      phases: [{ executor: 'constant-concurrency', concurrency: 64, duration: '3s' }],
    }));
    const c = spawnStrain(['run', 'p.json', '--out', 'o', '--quiet', '--format', 'none'], dir);
    const { code } = await c.exit;
    const r = JSON.parse(readFileSync(path.join(dir, 'o', 'result.json'), 'utf8')) as StrainResult;
    assert.deepEqual(r.faults, [], c.stderr.join(''));
    assert.equal(code, 0, r.verdict.reasons.join('; '));
    assert.equal(r.workers.length, 64);
    assert.ok(r.workers.every((w) => w.count > 0), 'every one of the 64 workers made calls');
  });

  it('a concurrency far beyond memory is refused before any worker starts: coded error, exit 2, nothing written', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.json'), JSON.stringify({
      extractor: fixture('noop.mjs'),
      phases: [{ executor: 'constant-concurrency', concurrency: 100_000, duration: '1s' }],
    }));
    const c = spawnStrain(['run', 'p.json', '--out', 'o'], dir);
    const { code } = await c.exit;
    assert.equal(code, 2);
    assert.match(c.stderr.join(''), /STRAIN_CAPACITY/);
    assert.match(c.stderr.join(''), /100000 worker threads/);
    assert.equal(existsSync(path.join(dir, 'o')), false, 'no output folder');
  });

  it('a profile saved with a UTF-8 byte-order mark loads', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.json'), `\uFEFF${JSON.stringify({
      extractor: fixture('noop.mjs'),
      phases: [{ executor: 'iterations', iterations: 100 }],
    })}`);
    const c = spawnStrain(['run', 'p.json', '--out', 'o', '--quiet', '--format', 'none'], dir);
    const { code } = await c.exit;
    assert.equal(code, 0, c.stderr.join(''));
    const r = JSON.parse(readFileSync(path.join(dir, 'o', 'result.json'), 'utf8')) as StrainResult;
    assert.equal(r.total.count, 100);
  });
});

describe('checkpoints', () => {
  it('SIGKILL at a random moment after the first checkpoint; recover writes an interrupted result with the checkpoint\'s counts', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.json'), JSON.stringify({
      extractor: fixture('counter.mjs'),
      extractorOptions: { dir: tempDir() },
      snapshotInterval: '200ms',
      phases: [{ executor: 'ramping-concurrency', from: 1, to: 2, step: 1, stepDuration: '1s' }, { executor: 'constant-concurrency', concurrency: 1, duration: '20s' }],
    }));
    const out = path.join(dir, 'o');
    const c = spawnStrain(['run', 'p.json', '--out', 'o', '--quiet'], dir);
    const cp = path.join(out, CHECKPOINT_FILE);
    // Past the first step ends: at least one checkpoint holds measured calls.
    await waitFor(() => existsSync(cp) && (JSON.parse(readFileSync(cp, 'utf8')) as CheckpointState).steps.some((s) => (s.counters.steadyCalls ?? 0) > 0), 20_000, 'a checkpoint with calls');
    await new Promise((r) => setTimeout(r, Math.random() * 2500));
    c.proc.kill('SIGKILL');
    await c.exit;
    assert.equal(existsSync(path.join(out, 'result.json')), false, 'the killed run wrote no result');
    const state = JSON.parse(readFileSync(cp, 'utf8')) as CheckpointState;
    const steady = state.steps.reduce((a, s) => a + (s.counters.steadyCalls ?? 0), 0);

    const rec = spawnStrain(['recover', 'o', '--quiet'], dir);
    const { code } = await rec.exit;
    assert.equal(code, 0, rec.stderr.join(''));
    const r = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as StrainResult;
    assert.deepEqual(resultSchemaErrors(r), []);
    assert.equal(r.status, 'interrupted');
    assert.equal(r.exitCode, 130);
    assert.equal(r.total.count, steady, 'the recovered counts are the checkpoint\'s');
    assert.equal(r.steps.length, state.started.length);
    assert.ok(existsSync(path.join(out, 'report.html')) && existsSync(path.join(out, 'summary.md')), 'the reports are written too');
    assert.equal(existsSync(cp), false, 'the checkpoint is gone once recovered');
    // Nothing to recover a second time: a coded error, exit 2.
    const again = spawnStrain(['recover', 'o', '--force'], dir);
    assert.equal((await again.exit).code, 2);
    assert.match(again.stderr.join(''), /STRAIN_CHECKPOINT_READ/);
  });

  it('a run that ends normally leaves no checkpoint, and the checkpoint does not grow with run length', async () => {
    const dir = tempDir();
    const sizes: number[] = [];
    const profile = {
      extractor: fixture('noop.mjs'),
      snapshotInterval: '100ms',
      phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '3s' }],
    };
    const cp = path.join(dir, CHECKPOINT_FILE);
    const timer = setInterval(() => {
      if (existsSync(cp)) sizes.push(readFileSync(cp).length);
    }, 100);
    const r = await runStress(profile, { checkpointDir: dir, checkpointMs: 200 });
    clearInterval(timer);
    assert.equal(r.status, 'completed');
    assert.equal(existsSync(cp), false, 'no checkpoint left behind');
    assert.ok(sizes.length >= 8, `checkpoints were written while it ran (${sizes.length} seen)`);
    // The series grows by a point per interval (bounded at 2000); nothing else grows.
    const early = sizes[2] as number;
    const late = sizes[sizes.length - 1] as number;
    assert.ok(late - early < 30 * 300, `checkpoint grew ${late - early} bytes over ~${sizes.length} checkpoints`);
  });
});
