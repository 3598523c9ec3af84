/**
 * `npm run bench:ab`: how small a change paired A/B runs find on this
 * machine. For functions of about 1 µs, 20 µs and 1 ms (a fixed number of
 * hash rounds; B does a set share more), quiet and beside a neighbour
 * process that spins a core half of the time (1 s on, 1 s off), each change
 * is tried 10 times (each try at most 10 s, at least 2 s, one worker):
 * the smallest change found in 9 of 10 tries is printed, and for the ~20 µs
 * function the false alarms of 20 A/A tries (B the same function) per
 * condition (the other rows leave them out: the bench takes about 30 minutes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { runAB } from '../../src/ab/run-ab.js';
import { fixture } from '../helpers.js';

const WORK = fixture('work-scaled.mjs');
const FUNCTIONS = [{ label: '~1 µs', n: 1_000, aa: false }, { label: '~20 µs', n: 20_000, aa: true }, { label: '~1 ms', n: 1_000_000, aa: false }];
const CHANGES = [0.01, 0.02, 0.05, 0.1];
const TRIES = 10;
const AA_TRIES = 20;

/** A process that spins a core every other second, until stopped. */
function neighbour(): { stop: () => Promise<void> } {
  const p: ChildProcess = spawn(process.execPath, ['-e', 'for (;;) { if (Math.floor(Date.now() / 1000) % 2 === 0) { const e = Date.now() + 5; while (Date.now() < e); } else { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); } }'], { stdio: 'ignore' });
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  return { stop: async () => { if (p.pid !== undefined && p.exitCode === null) process.kill(p.pid, 'SIGKILL'); await gone; } };
}

async function once(n: number, change: number, candidate: string): Promise<{ verdict: string; rel: number; ms: number }> {
  const r = await runAB(
    { name: 'sens', extractor: `${WORK}#${candidate}`, extractorOptions: { n, change }, phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '2s' }] },
    { base: `${WORK}#base`, maxStepMs: 10_000 },
  );
  const m = r.comparison!.metrics.find((x) => x.metric === 'mean')!;
  return { verdict: m.verdict, rel: m.relChange, ms: r.steps[0]!.durationMs };
}

export async function sensitivity(log: (s: string) => void): Promise<void> {
  const rows: string[] = [];
  for (const cond of ['quiet', 'neighbour half the time'] as const) {
    const hog = cond === 'quiet' ? undefined : neighbour();
    try {
      for (const f of FUNCTIONS) {
        let smallest = 'none of 1-10%';
        let detail = '';
        for (const change of CHANGES) {
          let found = 0;
          let ms = 0;
          for (let i = 0; i < TRIES; i++) {
            const o = await once(f.n, change, 'more');
            if (o.verdict === 'regressed') found++;
            ms += o.ms;
          }
          detail += ` ${(change * 100).toFixed(0)}%: ${found}/${TRIES} (mean ${(ms / TRIES / 1000).toFixed(1)} s)`;
          if (found >= 9) {
            smallest = `${(change * 100).toFixed(0)}%`;
            break;
          }
        }
        let alarms = 0;
        let aaMs = 0;
        for (let i = 0; i < (f.aa ? AA_TRIES : 0); i++) {
          const o = await once(f.n, 0, 'same');
          if (o.verdict === 'regressed' || o.verdict === 'improved') alarms++;
          aaMs += o.ms;
        }
        const aa = f.aa ? `${alarms}/${AA_TRIES} (mean ${(aaMs / AA_TRIES / 1000).toFixed(1)} s)` : '—';
        const row = `| ${f.label} | ${cond} | ${smallest} | ${detail.trim()} | ${aa} |`;
        rows.push(row);
        log(row);
      }
    } finally {
      await hog?.stop();
    }
  }
  log('');
  log('| function | machine | smallest change found 9/10 within 10 s | tries per change | A/A false alarms |');
  log('| --- | --- | --- | --- | --- |');
  for (const r of rows) log(r);
}

if (import.meta.url === `file://${process.argv[1]}`) await sensitivity((s) => console.log(s));
