import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resultSchemaErrors } from '../src/result/write.js';
import { fixture, ROOT, tempDir } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'strain.js');

interface Child {
  proc: ChildProcess;
  stderr: string[];
  stdout: string[];
  exit: Promise<{ code: number | null; at: number }>;
}

function strain(args: string[], cwd: string): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  const stdout: string[] = [];
  proc.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  proc.stdout?.on('data', (d: Buffer) => stdout.push(d.toString()));
  const exit = new Promise<{ code: number | null; at: number }>((resolve) => proc.on('exit', (code) => resolve({ code, at: Date.now() })));
  return { proc, stderr, stdout, exit };
}

/** Resolve once the child has printed a progress line (it is driving a step). */
function driving(c: Child): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (c.stderr.join('').includes('step 1/')) resolve();
    };
    c.proc.stderr?.on('data', check);
    c.exit.then(() => reject(new Error(`exited before driving: ${c.stderr.join('')}`)), () => {});
  });
}

function profile(dir: string, duration: string): void {
  writeFileSync(path.join(dir, 'p.json'), JSON.stringify({
    extractor: fixture('cpu.mjs'),
    phases: [{ executor: 'ramping-concurrency', stages: [{ target: 1, duration: '1s' }, { target: 2, duration }] }],
  }));
}

describe('signals', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} mid-step: workers stop within 2 s, a valid partial result marked aborted, exit ${code}`, async () => {
      const dir = tempDir();
      profile(dir, '60s');
      const c = strain(['run', 'p.json', '--out', 'out'], dir);
      await driving(c);
      await new Promise((r) => setTimeout(r, 1500));
      const sent = Date.now();
      c.proc.kill(signal);
      const { code: exitCode, at } = await c.exit;
      assert.equal(exitCode, code, c.stderr.join(''));
      assert.ok(at - sent < 2500, `exited ${at - sent} ms after the signal`);
      const result = JSON.parse(readFileSync(path.join(dir, 'out', 'result.json'), 'utf8')) as { status: string; steps: { completed: boolean }[] };
      assert.deepEqual(resultSchemaErrors(result), []);
      assert.equal(result.status, 'aborted');
      assert.ok(result.steps.length >= 1);
      assert.equal(result.steps.at(-1)?.completed, false);
      assert.match(c.stderr.join(''), new RegExp(`${signal} received`));
    });
  }
});

describe('cron lock', () => {
  it('a second overlapping run exits at once with the lock code; the first is unharmed', async () => {
    const dir = tempDir();
    profile(dir, '2s');
    const first = strain(['run', 'p.json', '--out', 'first', '--quiet', '--history', 'hist'], dir);
    const lock = path.join(dir, 'hist', 'strain.lock');
    while (!existsSync(lock)) await new Promise((r) => setTimeout(r, 50));
    const second = strain(['run', 'p.json', '--out', 'second', '--quiet', '--history', 'hist'], dir);
    const s = await second.exit;
    assert.equal(s.code, 75);
    assert.match(second.stderr.join(''), /STRAIN_LOCKED.*another strain run holds the lock: process \d+/s);
    const f = await first.exit;
    assert.equal(f.code, 0, first.stderr.join(''));
    assert.ok(existsSync(path.join(dir, 'first', 'result.json')));
    assert.equal(existsSync(path.join(dir, 'second')), false, 'the second run wrote nothing');
    assert.equal(existsSync(lock), false, 'the lock is released');
    assert.equal(readFileSync(path.join(dir, 'hist', 'history.jsonl'), 'utf8').trim().split('\n').length, 1);
  });

  it('a lock left by a dead process is taken over', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.json'), JSON.stringify({ extractor: fixture('noop.mjs'), phases: [{ executor: 'iterations', iterations: 10 }] }));
    const dead = spawn(process.execPath, ['-e', '']);
    const pid = await new Promise<number>((r) => dead.on('exit', () => r(dead.pid as number)));
    const { hostname } = await import('node:os');
    writeFileSync(path.join(dir, 'run.lock'), JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00Z', what: 'old' }));
    const c = strain(['run', 'p.json', '--out', 'o', '--quiet', '--lock', 'run.lock'], dir);
    assert.equal((await c.exit).code, 0, c.stderr.join(''));
    assert.equal(existsSync(path.join(dir, 'run.lock')), false);
  });
});
