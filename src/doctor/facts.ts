/**
 * What `strain doctor` looks at, read from the machine: cores and SMT, the
 * cgroup's CPU quota, frequency governor and turbo, what other processes
 * are doing right now, memory, and the Node that runs the workers. Each
 * fact is null where it cannot be read, never guessed.
 */
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { cgroupDir, parseCpuMax, parseProcStat } from '../environment/machine.js';

export interface MachineFacts {
  logicalCores: number;
  /** What Node offers workers (os.availableParallelism). */
  availableParallelism: number;
  /** Distinct (package, core) pairs; null without /sys topology. */
  physicalCores: number | null;
  smtActive: boolean | null;
  quotaCores: number | null;
  governor: string | null;
  /** true: boost/turbo on; null: unreadable. */
  turbo: boolean | null;
  virtualMachine: boolean | null;
  /** Over a short look: CPU busy now (100 = one core; strain itself is idle), steal (% of all CPUs). */
  otherCpuPercent: number | null;
  stealPercent: number | null;
  memTotalBytes: number;
  memAvailableBytes: number;
  node: string;
  execArgv: string[];
  nodeOptions: string | null;
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

const CPU = '/sys/devices/system/cpu';

function physicalCores(): number | null {
  let names: string[];
  try {
    names = readdirSync(CPU).filter((n) => /^cpu\d+$/.test(n));
  } catch {
    return null;
  }
  const seen = new Set<string>();
  for (const n of names) {
    const core = read(`${CPU}/${n}/topology/core_id`);
    if (core === null) return null;
    seen.add(`${read(`${CPU}/${n}/topology/physical_package_id`) ?? '0'}:${core}`);
  }
  return seen.size || null;
}

function turbo(): boolean | null {
  const noTurbo = read(`${CPU}/intel_pstate/no_turbo`);
  if (noTurbo !== null) return noTurbo === '0';
  const boost = read(`${CPU}/cpufreq/boost`);
  return boost === null ? null : boost === '1';
}

function memInfo(): { total: number; available: number } {
  const text = read('/proc/meminfo');
  const kb = (k: string): number | null => {
    const m = text ? new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text) : null;
    return m ? Number(m[1]) * 1024 : null;
  };
  return { total: kb('MemTotal') ?? os.totalmem(), available: kb('MemAvailable') ?? os.freemem() };
}

/** Busy CPU over `ms` of this process doing nothing but wait: it is all other processes'. */
async function loadNow(ms: number): Promise<{ other: number; steal: number } | null> {
  const a = read('/proc/stat');
  if (a === null) return null;
  await new Promise((r) => setTimeout(r, ms));
  const b = read('/proc/stat');
  if (b === null) return null;
  const x = parseProcStat(a);
  const y = parseProcStat(b);
  const dt = y.total - x.total;
  if (dt <= 0) return null;
  return { other: (100 * y.cpus * (y.busy - x.busy)) / dt, steal: (100 * (y.steal - x.steal)) / dt };
}

export async function readMachineFacts(lookMs = 500): Promise<MachineFacts> {
  const mem = memInfo();
  const load = await loadNow(lookMs);
  const smt = read(`${CPU}/smt/active`);
  const cg = cgroupDir();
  const cpuinfo = read('/proc/cpuinfo');
  return {
    logicalCores: os.cpus().length,
    availableParallelism: os.availableParallelism(),
    physicalCores: physicalCores(),
    smtActive: smt === null ? null : smt === '1',
    quotaCores: cg ? parseCpuMax(read(`${cg}/cpu.max`)) : null,
    governor: read(`${CPU}/cpu0/cpufreq/scaling_governor`),
    turbo: turbo(),
    virtualMachine: cpuinfo === null ? null : /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo),
    otherCpuPercent: load?.other ?? null,
    stealPercent: load?.steal ?? null,
    memTotalBytes: mem.total,
    memAvailableBytes: mem.available,
    node: process.version,
    execArgv: [...process.execArgv],
    nodeOptions: process.env.NODE_OPTIONS || null,
  };
}
