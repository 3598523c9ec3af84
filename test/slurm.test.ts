/**
 * End to end on a real scheduler: a single-node Slurm cluster (Debian's
 * slurm-wlm and munge) started here as root, the shipped batch script
 * submitted as a two-task job array with sbatch, each task a real
 * `strain run --shard auto`, and the two results merged.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { main } from '../src/cli/main.js';
import type { StrainResult } from '../src/result/schema.js';
import { BIN, captureIo, fixture, ROOT, tempDir, waitFor } from './helpers.js';

const DAEMONS = { munged: '/usr/sbin/munged', slurmctld: '/usr/sbin/slurmctld', slurmd: '/usr/sbin/slurmd' } as const;
const CLIENTS = ['sbatch', 'sinfo', 'squeue', 'scancel'] as const;
const SCRIPT = path.join(ROOT, 'scenarios', 'deploy', 'slurm-array.sbatch');

/** Why this machine cannot run the cluster, or undefined when it can. */
function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'the daemons are started as root, and this is not root';
  for (const p of Object.values(DAEMONS)) if (!existsSync(p)) return `${p} is missing; apt-get install slurm-wlm munge`;
  for (const c of CLIENTS) {
    try {
      execFileSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' });
    } catch {
      return `${c} is missing; apt-get install slurm-wlm`;
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Stop a daemon by the process id in its pid file: TERM, then KILL if it lingers. */
async function stopByPidFile(file: string): Promise<void> {
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  try {
    await waitFor(() => !alive(), 10_000, `pid ${pid} to exit`);
  } catch {
    process.kill(pid, 'SIGKILL');
  }
}

interface Cluster {
  env: NodeJS.ProcessEnv;
  stop: () => Promise<void>;
}

async function startCluster(dir: string): Promise<Cluster> {
  const munge = path.join(dir, 'munge');
  mkdirSync(munge, { mode: 0o700 });
  for (const d of ['state', 'spool', 'log']) mkdirSync(path.join(dir, d));
  const key = path.join(munge, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  chmodSync(key, 0o400);
  const socket = path.join(munge, 'munge.sock');
  const pids = { munged: path.join(munge, 'munged.pid'), slurmctld: path.join(dir, 'slurmctld.pid'), slurmd: path.join(dir, 'slurmd.pid') };
  const node = os.hostname().split('.')[0] as string;
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const conf = path.join(dir, 'slurm.conf');
  writeFileSync(conf, [
    'ClusterName=strain-test',
    `SlurmctldHost=${node}(127.0.0.1)`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${dPort}`,
    'AuthType=auth/munge',
    `AuthInfo=socket=${socket}`,
    'CredType=cred/munge',
    'SlurmUser=root',
    'SlurmdUser=root',
    `StateSaveLocation=${path.join(dir, 'state')}`,
    `SlurmdSpoolDir=${path.join(dir, 'spool')}`,
    `SlurmctldPidFile=${pids.slurmctld}`,
    `SlurmdPidFile=${pids.slurmd}`,
    `SlurmctldLogFile=${path.join(dir, 'log', 'slurmctld.log')}`,
    `SlurmdLogFile=${path.join(dir, 'log', 'slurmd.log')}`,
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    'SchedulerType=sched/builtin',
    'JobCompType=jobcomp/none',
    'AccountingStorageType=accounting_storage/none',
    'MpiDefault=none',
    'ReturnToService=2',
    `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${os.cpus().length} RealMemory=1024 State=UNKNOWN`,
    `PartitionName=strain Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
    '',
  ].join('\n'));
  const env = { ...process.env, SLURM_CONF: conf };
  const stop = async (): Promise<void> => {
    for (const f of [pids.slurmd, pids.slurmctld, pids.munged]) await stopByPidFile(f);
  };
  try {
    // Each daemon forks into the background and leaves its process id in its pid file.
    execFileSync(DAEMONS.munged, ['--force', `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${pids.munged}`, `--log-file=${path.join(munge, 'munged.log')}`, `--seed-file=${path.join(munge, 'seed')}`], { env, stdio: 'pipe' });
    execFileSync(DAEMONS.slurmctld, ['-f', conf], { env, stdio: 'pipe' });
    execFileSync(DAEMONS.slurmd, ['-f', conf], { env, stdio: 'pipe' });
    await waitFor(() => {
      try {
        return /idle/.test(execFileSync('sinfo', ['-h', '-o', '%t'], { env, encoding: 'utf8' }));
      } catch {
        return false;
      }
    }, 30_000, 'the Slurm node to be idle');
  } catch (e) {
    await stop();
    const log = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8').slice(-2000) : '');
    throw new Error(`the Slurm cluster did not start: ${(e as Error).message}\n${log(path.join(dir, 'log', 'slurmctld.log'))}\n${log(path.join(dir, 'log', 'slurmd.log'))}`);
  }
  return { env, stop };
}

function skipOrFail(t: TestContext, why: string): void {
  // .ci/run installs slurm-wlm and munge and runs as root, so there this cannot skip.
  if (process.env['CI']) assert.fail(`the Slurm test cannot run: ${why}`);
  t.skip(why);
}

describe('shards on a real Slurm cluster', () => {
  it('sbatch runs the shipped script as a two-task job array of `strain run --shard auto`; the two results merge into the whole', async (t) => {
    const why = missing();
    if (why) return skipOrFail(t, why);
    const dir = tempDir('strain-slurm-');
    const cluster = await startCluster(dir);
    let jobId: string | undefined;
    try {
      const profile = path.join(dir, 'profile.json');
      writeFileSync(profile, JSON.stringify({
        name: 'slurm-sharded',
        extractor: fixture('spin-us.mjs'),
        stepWarmup: '300ms',
        snapshotInterval: '250ms',
        phases: [{ executor: 'constant-arrival-rate', rate: 300, duration: '2s', maxConcurrency: 2 }],
        thresholds: { errors: ['rate<0.01'] },
      }));
      const results = path.join(dir, 'results');
      // The script as shipped; the command line gives this 2-CPU node two tasks of one CPU each, so both run at once.
      jobId = execFileSync('sbatch', ['--parsable', '--array=0-1', '--cpus-per-task=1', `--chdir=${ROOT}`, `--output=${path.join(dir, 'slurm-%A_%a.out')}`, SCRIPT], {
        env: { ...cluster.env, STRAIN_PROFILE: profile, STRAIN_RESULTS: results, STRAIN_BIN: `${process.execPath} ${BIN}`, STRAIN_START_AT: '+1s', STRAIN_START_TIMEOUT: '60s' },
        encoding: 'utf8',
      }).trim().split(';')[0];
      assert.match(jobId ?? '', /^\d+$/);
      const shardResult = (i: number): string => path.join(results, `shard-${i}`, 'result.json');
      const queued = (): boolean => execFileSync('squeue', ['-h', '-j', jobId as string], { env: cluster.env, encoding: 'utf8' }).trim().length > 0;
      try {
        await waitFor(() => !queued() && existsSync(shardResult(0)) && existsSync(shardResult(1)), 120_000, 'both array tasks to finish');
      } catch (e) {
        const logs = [0, 1].map((i) => path.join(dir, `slurm-${jobId}_${i}.out`)).filter(existsSync).map((f) => readFileSync(f, 'utf8')).join('\n');
        throw new Error(`${(e as Error).message}\n${logs}`);
      }
      const shards = [0, 1].map((i) => JSON.parse(readFileSync(shardResult(i), 'utf8')) as StrainResult);
      shards.forEach((r, i) => {
        assert.equal(r.status, 'completed');
        assert.deepEqual({ index: r.meta.shard?.index, count: r.meta.shard?.count, source: r.meta.shard?.source }, { index: i + 1, count: 2, source: 'slurm' });
        assert.equal(r.steps[0]!.openLoop!.offered, 150);
      });

      const io = captureIo(dir);
      const merged = path.join(dir, 'merged');
      // The results folder holds the shard folders (and the rendezvous files): merge finds the shards inside.
      assert.equal(await main(['merge', results, '--out', merged, '--quiet', '--format', 'md'], io), 0, io.err.join(''));
      const m = JSON.parse(readFileSync(path.join(merged, 'result.json'), 'utf8')) as StrainResult;
      assert.deepEqual(m.meta.shards?.held, [1, 2]);
      assert.equal(m.steps[0]!.openLoop!.offered, 300);
      assert.equal(m.steps[0]!.count, shards[0]!.steps[0]!.count + shards[1]!.steps[0]!.count);
      assert.equal(m.steps[0]!.openLoop!.scheduled, shards[0]!.steps[0]!.openLoop!.scheduled + shards[1]!.steps[0]!.openLoop!.scheduled);
      assert.equal(m.steps[0]!.openLoop!.scheduled, 600);
      assert.match(readFileSync(path.join(merged, 'summary.md'), 'utf8'), /merged from shards 1, 2 of 2/);
    } finally {
      if (jobId) {
        try {
          execFileSync('scancel', [jobId], { env: cluster.env, stdio: 'ignore' });
        } catch {
          // Already finished.
        }
      }
      await cluster.stop();
    }
  });
});
