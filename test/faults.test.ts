import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resultSchemaErrors, serializeResult } from '../src/result/write.js';
import { runStress } from '../src/run.js';
import type { StrainResult } from '../src/result/schema.js';
import { fixture, tempDir } from './helpers.js';

async function faultRun(name: string, extra: Record<string, unknown> = {}, phase: Record<string, unknown> = {}): Promise<StrainResult> {
  return runStress({
    extractor: fixture(name),
    extractorOptions: { dir: tempDir() },
    snapshotInterval: '200ms',
    ...extra,
    phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '2500ms', ...phase }],
  });
}

function assertSurvived(r: StrainResult, kind: string): void {
  assert.deepEqual(resultSchemaErrors(JSON.parse(serializeResult(r))), []);
  assert.equal(r.status, 'completed', r.verdict.reasons.join('; '));
  const f = r.faults.filter((x) => x.kind === kind);
  assert.equal(f.length, 1, JSON.stringify(r.faults));
  assert.equal(f[0]!.workerId, 0);
  assert.equal(f[0]!.step, 0);
  assert.ok(f[0]!.atMs >= 0);
  assert.equal(r.exitCode, 1, 'a fault fails the verdict');
  assert.match(r.verdict.reasons.join(' '), /worker fault/);
}

describe('faults in the extractor are data, not the end of the run', () => {
  it('a synchronous endless loop: declared hung after hangTimeout, terminated, replaced; data before it kept', async () => {
    const r = await faultRun('hang-once.mjs', { hangTimeout: '800ms' });
    assertSurvived(r, 'hang');
    assert.match(r.faults[0]!.message, /made no progress \(its call in flight started [\d.]+ s ago; hangTimeout 0.8 s\)/);
    assert.ok(r.total.count > 1000, `the replacement went on calling (${r.total.count} calls)`);
    assert.ok(r.faults[0]!.atMs >= 700 && r.faults[0]!.atMs < 2500, `declared at ${r.faults[0]!.atMs} ms`);
  });

  it('a promise that never settles is a hang too', async () => {
    const r = await faultRun('never-settles.mjs', { hangTimeout: '800ms' });
    assertSurvived(r, 'hang');
    assert.ok(r.total.count > 1000, `the replacement went on (${r.total.count})`);
  });

  it('process.exit() inside the extractor: a fault and a replacement worker', async () => {
    const r = await faultRun('exits.mjs');
    assertSurvived(r, 'exit');
    assert.match(r.faults[0]!.message, /exited with code: 7/);
    assert.ok(r.total.count > 100_000, `the replacement went on (${r.total.count})`);
  });

  it('an exception thrown from a timer: a crash fault and a replacement', async () => {
    const r = await faultRun('timer-throw.mjs');
    assertSurvived(r, 'crash');
    assert.match(r.faults[0]!.message, /thrown from a timer/);
  });

  it('running out of heap under resourceLimits: an oom fault and a replacement', async () => {
    const r = await faultRun('oom.mjs', { maxWorkerHeapMb: 64 });
    assertSurvived(r, 'oom');
    assert.match(r.faults[0]!.message, /memory limit|out of memory/i);
    assert.ok(r.total.count > 1000, `the replacement went on (${r.total.count})`);
  });

  it('the fault budget ends the run as failed with a partial result', async () => {
    const r = await faultRun('always-exits.mjs', { maxFaults: 3 });
    assert.equal(r.status, 'failed');
    assert.equal(r.exitCode, 3);
    assert.equal(r.faults.length, 4);
    assert.match(r.verdict.reasons[0] ?? '', /fault budget \(maxFaults 3\) ran out/);
    assert.equal(r.steps[0]?.completed, false);
    assert.deepEqual(resultSchemaErrors(JSON.parse(serializeResult(r))), []);
  });

  it('a replacement that cannot load is one load fault per attempt, until the budget runs out', async () => {
    const r = await faultRun('broken-replacement.mjs', { maxFaults: 3 });
    const kinds = r.faults.map((f) => f.kind);
    assert.equal(kinds[0], 'exit');
    assert.ok(kinds.slice(1).every((k) => k === 'load'), `no second fault for the same failed start: ${kinds.join(', ')}`);
    // The budget (3) runs out at the fourth; a restart already in flight may add one more.
    assert.ok(kinds.length === 4 || kinds.length === 5, kinds.join(', '));
    assert.match(r.faults[1]!.message, /replacement worker could not start: setup threw: setup broken now/);
    assert.equal(r.status, 'failed');
  });
});
