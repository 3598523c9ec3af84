import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resultSchemaErrors } from '../src/result/write.js';
import { BIN, fixture, ROOT, spawnStrain as strain, tempDir, waitFor, type Child } from './helpers.js';


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
    await waitFor(() => existsSync(lock), 20_000, 'the first run to take the lock');
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

describe('a real pseudo-terminal', () => {
  it('progress is redrawn in place when stderr is a TTY (util-linux script)', async (t) => {
    const which = spawn('sh', ['-c', 'command -v script']);
    if ((await new Promise<number | null>((r) => which.on('exit', r))) !== 0) {
      // .ci/run installs util-linux's script; under CI a missing one is a failure, not a skip.
      if (process.env['CI']) assert.fail('script (util-linux) is not installed: apt-get install bsdutils');
      return t.skip('script (util-linux) not installed');
    }
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.json'), JSON.stringify({ extractor: fixture('cpu.mjs'), phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '2500ms' }] }));
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run p.json --out o --format none`;
    const c = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    c.stdout.on('data', (d: Buffer) => out.push(d.toString()));
    const code = await new Promise<number | null>((r) => c.on('exit', r));
    const text = out.join('');
    assert.equal(code, 0, text);
    assert.match(text, /\r[^\n]*step 1\/1 \| conc 1[^\n]*\r[^\n]*step 1\/1 \| conc 1/, 'two redraws on one line');
    assert.match(text, /verdict: PASSED/);
  });
});

describe('history survives a crash mid-append', () => {
  it('appends killed at random moments never leave a partial line', async () => {
    const dir = tempDir();
    const store = path.join(ROOT, 'dist', 'src', 'history', 'store.js');
    const script = `import { appendHistory } from ${JSON.stringify(store)};
      const e = { at: 'x', name: 'n', status: 'completed', exitCode: 0, throughput: 1, p50: 1, p99: 1, errorRate: 0, kneeLoad: null, peakRssBytes: 0, result: 'r'.repeat(2000) };
      for (;;) appendHistory(${JSON.stringify(dir)}, e);`;
    let last = 0;
    for (let i = 0; i < 8; i++) {
      const c = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
      // Let it start appending, then kill it at a different moment each time.
      await waitFor(() => existsSync(path.join(dir, 'history.jsonl')), 20_000, 'the first history append');
      await new Promise((r) => setTimeout(r, 20 + 37 * i));
      c.kill('SIGKILL');
      await new Promise((r) => c.on('exit', r));
      const { readHistory } = await import('../src/history/store.js');
      const entries = readHistory(dir);
      assert.ok(entries.length >= last, 'nothing already written was lost');
      assert.ok(entries.every((e) => e.result?.length === 2000), 'every line whole');
      last = entries.length;
    }
    assert.ok(last > 0);
  });
});
