import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { diagnose, doctorText } from '../src/doctor/diagnose.js';
import { readMachineFacts, type MachineFacts } from '../src/doctor/facts.js';
import type { GabEntry } from '../src/report/gab.js';
import type { StrainResult } from '../src/result/schema.js';
import { captureIo, fixture, tempDir } from './helpers.js';

const quiet: MachineFacts = {
  logicalCores: 2, availableParallelism: 2, physicalCores: 2, smtActive: false, quotaCores: null, governor: 'performance', turbo: false,
  virtualMachine: false, otherCpuPercent: 1, stealPercent: 0, memTotalBytes: 8 * 1024 ** 3, memAvailableBytes: 6 * 1024 ** 3,
  node: 'v24.1.0', execArgv: [], nodeOptions: null,
};
const severity = (f: MachineFacts): Record<string, string> => Object.fromEntries(diagnose(f).map((x) => [x.check, x.severity]));

describe('strain doctor: findings from the machine facts', () => {
  it('a quiet dedicated machine: every finding ok, "ready to measure"', () => {
    assert.ok(Object.values(severity(quiet)).every((s) => s === 'ok'), JSON.stringify(severity(quiet)));
    assert.match(doctorText(diagnose(quiet)), /this machine is ready to measure\n$/);
  });

  it('each departure is its own finding with advice: a quota below the cores, SMT, a governor, turbo, load, steal, memory, Node and its flags', () => {
    const s = severity({ ...quiet, quotaCores: 1.5, smtActive: true, logicalCores: 4, physicalCores: 2, availableParallelism: 4, governor: 'powersave', turbo: true,
      virtualMachine: true, otherCpuPercent: 85, stealPercent: 7, memAvailableBytes: 0.5 * 1024 ** 3, execArgv: ['--inspect'] });
    assert.deepEqual(s, { cores: 'warn', 'cgroup quota': 'problem', governor: 'warn', turbo: 'warn', 'virtual machine': 'note', 'load now': 'problem', steal: 'warn', memory: 'warn', node: 'warn' });
    const text = doctorText(diagnose({ ...quiet, quotaCores: 1.5, otherCpuPercent: 85 }));
    assert.match(text, /PROBLEM cgroup quota: the cgroup allows 1.5 cores of the 2 Node reports\n {8}→ past 1 workers the kernel throttles the run/);
    assert.match(text, /PROBLEM load now: other processes use 85% of a core right now/);
    assert.match(text, /2 problem\(s\), 0 warning\(s\)\n$/);
    assert.equal(severity({ ...quiet, node: 'v18.20.0' }).node, 'problem');
    assert.equal(severity({ ...quiet, nodeOptions: '--max-old-space-size=4096' }).node, 'ok', 'a flag that does not change the cost of code is no warning');
  });

  it('figures that cannot be read are said to be unknown, never guessed', () => {
    const s = diagnose({ ...quiet, physicalCores: null, smtActive: null, governor: null, turbo: null, otherCpuPercent: null, stealPercent: null });
    assert.match(s.find((x) => x.check === 'cores')!.fact, /physical cores unknown/);
    assert.equal(s.find((x) => x.check === 'governor')!.severity, 'note');
    assert.equal(s.find((x) => x.check === 'turbo'), undefined);
    assert.equal(s.find((x) => x.check === 'load now')!.severity, 'note');
  });

  it('this machine\'s facts are read: cores as Node counts them, memory, the Node running', async () => {
    const f = await readMachineFacts(200);
    assert.equal(f.availableParallelism > 0 && f.logicalCores >= f.availableParallelism, true);
    assert.equal(f.node, process.version);
    assert.ok(f.memAvailableBytes > 0 && f.memAvailableBytes <= f.memTotalBytes);
    if (process.platform === 'linux') assert.ok(f.otherCpuPercent !== null && f.otherCpuPercent >= 0);
  });

  it('the command: exit 0 with a line per finding; --strict exits 1 beside a process that keeps a core busy (stopped by its pid)', async () => {
    const io = captureIo();
    assert.equal(await main(['doctor'], io), 0);
    assert.match(io.out.join(''), /^(ok|WARN|PROBLEM|note) +cores: \d+ logical cores/m);
    const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const strict = captureIo();
      const code = await main(['doctor', '--strict', '--json'], strict);
      const { findings } = JSON.parse(strict.out.join('')) as { findings: { check: string; severity: string }[] };
      if (process.platform === 'linux') {
        assert.equal(findings.find((x) => x.check === 'load now')?.severity, 'problem', JSON.stringify(findings));
        assert.equal(code, 1);
      }
    } finally {
      const gone = new Promise((r) => hog.once('exit', r));
      process.kill(hog.pid!, 'SIGKILL');
      await gone;
    }
  });
});

describe('--format gab: github-action-benchmark customSmallerIsBetter', () => {
  it('a run\'s latency figures and time per call, each step\'s, and a range from the spread of the --repeat runs', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.json'), JSON.stringify({
      name: 'gab', extractor: fixture('busy.mjs'), extractorOptions: { ms: 0.2 },
      phases: [{ executor: 'ramping-concurrency', from: 1, to: 2, stepDuration: '300ms' }],
    }));
    assert.equal(await main(['run', 'p.json', '--out', 'out', '--quiet', '--repeat', '3', '--format', 'gab'], captureIo(dir)), 0);
    const entries = JSON.parse(readFileSync(path.join(dir, 'out', 'gab.json'), 'utf8')) as GabEntry[];
    const r = JSON.parse(readFileSync(path.join(dir, 'out', 'result.json'), 'utf8')) as StrainResult;
    const by = (name: string): GabEntry => entries.find((e) => e.name === name)!;
    assert.ok(entries.every((e) => typeof e.name === 'string' && e.unit === 'ms' && Number.isFinite(e.value)), JSON.stringify(entries));
    assert.equal(by('gab p50').value, Number(r.total.latencyMs.p50.toPrecision(6)));
    assert.equal(by('gab p99').value, Number(r.total.latencyMs.p99.toPrecision(6)));
    assert.equal(by('gab time per call (1/throughput)').value, Number((1000 / r.total.throughput).toPrecision(6)));
    const p50s = r.runs!.map((x) => x.p50);
    assert.equal(by('gab p50').range, `± ${Number(((Math.max(...p50s) - Math.min(...p50s)) / 2).toPrecision(6))}`);
    assert.equal(by('gab mean').range, `± ${Number(r.total.latencyMs.stddev.toPrecision(6))}`);
    assert.equal(by('gab step 2 (c=2) p99').value, Number(r.steps[1]!.latencyMs.p99.toPrecision(6)));
    assert.equal(entries.length, 4 + 2 * r.steps.length);
  });
});
