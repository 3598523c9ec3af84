import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { compareRuns } from '../src/baseline/runs.js';
import { main } from '../src/cli/main.js';
import { environmentOver } from '../src/environment/disturbance.js';
import { measureHostSpeed } from '../src/environment/host-speed.js';
import { cgroupDir, parseCpuMax, parseProcStat, parseThrottledUs } from '../src/environment/machine.js';
import type { ResourceSample } from '../src/engine/sampler.js';
import { consoleSummary } from '../src/report/console.js';
import { markdownSummary } from '../src/report/markdown.js';
import { runStress } from '../src/run.js';
import type { RunSummary, StrainResult } from '../src/result/schema.js';
import { captureIo, fixture, tempDir } from './helpers.js';

const sample = (tMs: number, other: number, extra: Partial<ResourceSample> = {}): ResourceSample => ({
  tMs, step: 0, cpuPercent: 100, rssBytes: 1, systemCpuPercent: 50, systemMemUsedBytes: 1, diskReadBytesPerSec: null, diskWriteBytesPerSec: null,
  otherCpuPercent: other, stealPercent: 0, runnable: 3, quotaCores: null, throttledPercent: null, cpuMHz: null, ...extra,
});

describe('machine readings: /proc and cgroup text parsed', () => {
  it('/proc/stat: busy without steal, steal, the CPUs and runnable threads', () => {
    const t = parseProcStat('cpu  100 5 20 800 10 1 2 30 0 0\ncpu0 50 2 10 400 5 0 1 15 0 0\ncpu1 50 3 10 400 5 1 1 15 0 0\nintr 1\nprocs_running 4\nprocs_blocked 0\n');
    assert.deepEqual(t, { busy: 128, steal: 30, total: 968, cpus: 2, runnable: 4 });
  });

  it('cgroup v2: the directory, a quota in cores or none, throttled time', () => {
    assert.equal(cgroupDir('0::/user.slice/x.scope\n'), '/sys/fs/cgroup/user.slice/x.scope');
    assert.equal(cgroupDir('0::/\n'), '/sys/fs/cgroup');
    assert.equal(cgroupDir('4:memory:/a\n1:cpu:/\n'), null, 'cgroup v1 only: no figures');
    assert.equal(parseCpuMax('150000 100000\n'), 1.5);
    assert.equal(parseCpuMax('max 100000\n'), null);
    assert.equal(parseCpuMax(null), null);
    assert.equal(parseThrottledUs('usage_usec 9\nnr_throttled 3\nthrottled_usec 4500\n'), 4500);
    assert.equal(parseThrottledUs('usage_usec 9\n'), null);
  });
});

describe('a step knows when the machine was busy', () => {
  it('other processes\' CPU averaged by time over the window: half the window at 60% is 30%, disturbed; at 30% for half, 15%, not', () => {
    // Samples every 500 ms over a window [0, 2000]: each stands for the 500 ms before it.
    const busy = [500, 1000, 1500, 2000].map((t) => sample(t, t > 1000 ? 60 : 0));
    const e = environmentOver(busy, 0, 2000, 500, 2)!;
    assert.equal(e.otherCpuPercent, 30);
    assert.equal(e.otherCpuPeakPercent, 60);
    assert.equal(e.disturbed, true);
    assert.match(e.reasons[0]!, /other processes used 30% of a core \(limit 20%\)/);
    const light = environmentOver([500, 1000, 1500, 2000].map((t) => sample(t, t > 1000 ? 30 : 0)), 0, 2000, 500, 2)!;
    assert.equal(light.otherCpuPercent, 15);
    assert.equal(light.disturbed, false);
    assert.deepEqual(light.reasons, []);
  });

  it('only the samples over the window count, in proportion to their overlap', () => {
    // The neighbour ran before the window: the step is clean.
    const e = environmentOver([sample(500, 100), sample(1000, 100), sample(1500, 0), sample(2000, 0)], 1000, 2000, 500, 2)!;
    assert.equal(e.otherCpuPercent, 0);
    assert.equal(e.disturbed, false);
    // A sample straddling the window's start counts for its half inside.
    const half = environmentOver([sample(1000, 0), sample(2000, 80)], 1500, 2500, 1000, 2)!;
    assert.equal(half.otherCpuPercent, 80);
  });

  it('steal and throttling are reasons of their own; a figure that cannot be read is null, and no machine figures at all is no environment', () => {
    const e = environmentOver([sample(1000, 0, { stealPercent: 12, throttledPercent: 30, quotaCores: 1 })], 0, 1000, 1000, 2)!;
    assert.equal(e.disturbed, true);
    assert.equal(e.reasons.length, 2);
    assert.match(e.reasons.join(' | '), /the hypervisor stole 12% of the CPU time \(limit 5%\) \| the cgroup was throttled 30% of the time \(quota 1 cores, limit 5%\)/);
    const none = environmentOver([sample(1000, 0)], 0, 1000, 1000, 2)!;
    assert.equal(none.throttledPercent, null);
    assert.equal(none.cpuMHz, null);
    const notLinux: ResourceSample = { tMs: 1000, step: 0, cpuPercent: 1, rssBytes: 1, systemCpuPercent: 1, systemMemUsedBytes: 1, diskReadBytesPerSec: null, diskWriteBytesPerSec: null };
    assert.equal(environmentOver([notLinux], 0, 1000, 1000, 2), null);
  });
});

const run = (throughput: number, p50: number, p99: number, share = 0): RunSummary => ({
  throughput, p50, p99, errorRate: 0, ...(share > 0 ? { disturbed: { share, reasons: [`step 1: other processes used ${200 * share}% of a core`] } } : {}),
});
const verdicts = (c: ReturnType<typeof compareRuns>): Record<string, string> => Object.fromEntries(c.metrics.map((m) => [m.metric, m.verdict]));
const wobble = (i: number): number => 1 + ((i % 3) - 1) * 0.002;

describe('a baseline comparison with a disturbed side', () => {
  const base = Array.from({ length: 6 }, (_, i) => run(1000 * wobble(i), 1 * wobble(i + 1), 2 * wobble(i + 2)));

  it('a neighbour that took a third of the machine during every current run: a 30% slowdown is inconclusive, not regressed, with the reason', () => {
    const cur = Array.from({ length: 6 }, (_, i) => run(700 * wobble(i), 1.4 * wobble(i + 1), 30 * wobble(i + 2), 0.33));
    const quiet = compareRuns(base, cur.map(({ disturbed: _, ...r }) => r));
    assert.deepEqual(verdicts(quiet), { throughput: 'regressed', p50: 'regressed', p99: 'regressed' }, 'the same figures from a quiet machine are a regression');
    const c = compareRuns(base, cur);
    assert.deepEqual(verdicts(c), { throughput: 'inconclusive', p50: 'inconclusive', p99: 'inconclusive' });
    assert.equal(c.regressed, false);
    assert.deepEqual(c.disturbedRuns, { base: 0, current: 6, excluded: false });
    assert.match(c.metrics[0]!.reason, /6 of 6 current run\(s\) measured on a disturbed machine \(step 1: other processes used 66% of a core: up to 33% of it taken\).*as measured: regressed/);
  });

  it('a change larger than the disturbance could cause still stands: half the throughput with 10% of the machine taken is a regression; the tail never stands', () => {
    const cur = Array.from({ length: 6 }, (_, i) => run(500 * wobble(i), 2 * wobble(i + 1), 30 * wobble(i + 2), 0.1));
    const c = compareRuns(base, cur);
    assert.deepEqual(verdicts(c), { throughput: 'regressed', p50: 'regressed', p99: 'inconclusive' });
    assert.equal(c.regressed, true);
    assert.match(c.metrics[0]!.reason, /but a 50% change is more than that can cause/);
  });

  it('enough quiet runs left on both sides: the disturbed ones are left out and the quiet ones decide', () => {
    const cur = [
      ...Array.from({ length: 4 }, (_, i) => run(1000 * wobble(i), 1 * wobble(i + 1), 2 * wobble(i + 2))),
      run(400, 3, 40, 0.5), run(420, 3, 45, 0.5),
    ];
    const c = compareRuns(base, cur);
    assert.deepEqual(verdicts(c), { throughput: 'unchanged', p50: 'unchanged', p99: 'unchanged' });
    assert.deepEqual(c.disturbedRuns, { base: 0, current: 2, excluded: true });
    assert.equal(c.currentRuns, 4);
    assert.match(c.metrics[0]!.reason, /2 of 6 current run\(s\) measured on a disturbed machine, left out/);
  });
});

function neighbour(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.pid === undefined) return;
  const gone = new Promise((r) => p.once('exit', r));
  process.kill(p.pid, 'SIGKILL');
  await gone;
}

describe('a real neighbour, started and stopped by the test', { skip: process.platform !== 'linux' && 'the machine figures are read from Linux /proc' }, () => {
  it('a run beside a process that keeps a core busy: the step is disturbed, with the other processes\' CPU, in the result and every report', async () => {
    const hog = neighbour();
    let r: StrainResult;
    try {
      await new Promise((res) => setTimeout(res, 300));
      r = await runStress({ extractor: fixture('cpu.mjs'), phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '2s' }] });
    } finally {
      await stop(hog);
    }
    const e = r.steps[0]!.environment!;
    assert.ok(e, 'the step has its environment');
    // The neighbour spins a whole core; on a host that itself gives less, it still holds most of one.
    assert.ok(e.otherCpuPercent >= 40, `other processes' CPU ${e.otherCpuPercent}%`);
    assert.equal(e.disturbed, true);
    assert.equal(e.cores, r.meta.host.cpus);
    assert.match(consoleSummary(r), /step 1 disturbed: other processes used \d+% of a core/);
    assert.match(markdownSummary(r), /⚠️ step 1 disturbed: other processes used/);
    assert.ok(r.resources.series.some((s) => (s.otherCpuPercent ?? 0) > 40), 'the samples keep the figure');
  });

  it('the same neighbour during the current side of a saved-baseline comparison: those runs are marked disturbed and the verdict is not regressed', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.json'), JSON.stringify({
      name: 'cpu', extractor: fixture('cpu.mjs'), phases: [{ executor: 'constant-concurrency', concurrency: 2, duration: '1s' }],
    }));
    assert.equal(await main(['run', 'p.json', '--out', 'base', '--quiet', '--repeat', '4', '--save-baseline', 'base.json'], captureIo(dir)), 0);
    const hog = neighbour();
    const io = captureIo(dir);
    let code: number;
    try {
      await new Promise((res) => setTimeout(res, 300));
      code = await main(['run', 'p.json', '--out', 'cur', '--repeat', '4', '--baseline', 'base.json'], io);
    } finally {
      await stop(hog);
    }
    const out = io.out.join('');
    const result = JSON.parse(readFileSync(path.join(dir, 'cur', 'result.json'), 'utf8')) as StrainResult;
    assert.equal(result.runs!.length, 4);
    assert.ok(result.runs!.every((x) => x.disturbed && x.disturbed.share > 0.15), JSON.stringify(result.runs!.map((x) => x.disturbed)));
    const c = result.comparison!;
    assert.equal(c.disturbedRuns?.current, 4);
    // Two workers share two cores with a spinning neighbour: about a third slower, which the neighbour explains.
    assert.equal(c.regressed, false, out);
    assert.equal(code, 0, out);
    assert.match(out, /disturbed: \d+ baseline and 4 current run\(s\) measured on a busy machine/);
    assert.match(out, /p99 .*INCONCLUSIVE/);
  });
});

describe('the host-speed reference', () => {
  it('a fixed piece of native work timed by an injected clock: 256 KiB hashed a rep at 0.5 ms a rep is 524 bytes per µs, no spread', () => {
    let t = 0;
    const r = measureHostSpeed(() => (t += 0.5));
    assert.deepEqual(r, { bytesPerUs: 262_144 / 500, spread: 0 });
  });

  it('every run records it at its start and end', async () => {
    const r = await runStress({ extractor: fixture('noop.mjs'), phases: [{ executor: 'iterations', iterations: 50 }] });
    const h = r.meta.hostSpeed!;
    assert.ok(h.start.bytesPerUs > 0 && h.end!.bytesPerUs > 0, JSON.stringify(h));
    assert.equal(h.bytesPerUs, (h.start.bytesPerUs + h.end!.bytesPerUs) / 2);
  });

  const side = (n: number, throughput: number, p50: number, speed: number): RunSummary[] =>
    Array.from({ length: n }, (_, i) => ({ throughput: throughput * wobble(i), p50: p50 * wobble(i + 1), p99: 2 * p50 * wobble(i + 2), errorRate: 0, hostSpeed: speed * wobble(i) }));

  it('a machine 18% slower on the current side: a slowdown it explains is inconclusive ("the machine was 18% slower"), one beyond it stands', () => {
    const base = side(6, 1000, 1, 100);
    const explained = compareRuns(base, side(6, 850, 1 / 0.85, 82));
    assert.ok(Math.abs(explained.hostSpeedChange! + 0.18) < 0.005, String(explained.hostSpeedChange));
    assert.deepEqual(verdicts(explained), { throughput: 'inconclusive', p50: 'inconclusive', p99: 'inconclusive' });
    assert.equal(explained.regressed, false);
    assert.match(explained.metrics[0]!.reason, /^the machine was 18% slower \(host-speed reference\), as much as the 15\.0% change: the machine's, not the code's \(as measured: regressed/);
    const beyond = compareRuns(base, side(6, 600, 1 / 0.6, 82));
    assert.deepEqual(verdicts(beyond), { throughput: 'regressed', p50: 'regressed', p99: 'regressed' });
  });

  it('a regression on a faster machine stands; a host within its own noise (under 5%) changes nothing; runs without the reference are compared as before', () => {
    const base = side(6, 1000, 1, 100);
    assert.deepEqual(verdicts(compareRuns(base, side(6, 850, 1 / 0.85, 110))), { throughput: 'regressed', p50: 'regressed', p99: 'regressed' });
    const still = compareRuns(base, side(6, 850, 1 / 0.85, 97));
    assert.equal(still.regressed, true);
    const old = base.map(({ hostSpeed: _, ...r }) => r);
    const c = compareRuns(old, side(6, 850, 1 / 0.85, 82));
    assert.equal(c.hostSpeedChange, undefined);
    assert.equal(c.regressed, true);
  });
});
