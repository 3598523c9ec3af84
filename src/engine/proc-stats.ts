/**
 * System CPU, memory and disk throughput read straight from Linux's /proc.
 * systeminformation spawns shells (`lsblk | grep`, `cat /proc/diskstats`,
 * `cat /proc/stat`) for these every sample: several processes a second whose
 * CPU preempts the workers on a small machine and shows up as dispatch lag.
 * Reading the files costs microseconds. Elsewhere the sampler falls back to
 * systeminformation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseProcStat, readCgroupCpu, readCpuMHz } from '../environment/machine.js';

export interface SystemReading {
  cpuPercent: number;
  memUsedBytes: number;
  diskReadBytesPerSec: number | null;
  diskWriteBytesPerSec: number | null;
  /** What else the machine did (Linux only; absent elsewhere). */
  machine?: MachineReading;
}

export interface MachineReading {
  /** CPU time the hypervisor gave to others, % of all CPUs' time. */
  stealPercent: number;
  /** Busy CPU time without steal, 100 = one core: this process and every other. */
  busyCorePercent: number;
  runnable: number | null;
  quotaCores: number | null;
  /** Time the cgroup spent throttled, % of wall time; null without cgroup v2 figures. */
  throttledPercent: number | null;
  cpuMHz: number | null;
}

interface Raw {
  atMs: number;
  busy: number;
  busyNoSteal: number;
  steal: number;
  total: number;
  cpus: number;
  runnable: number | null;
  throttledUs: number | null;
  quotaCores: number | null;
  readSectors: number;
  writeSectors: number;
}

/** Whole disks only (not partitions), as systeminformation counts them. */
const DISK = /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+|nvme\d+n\d+|mmcblk\d+)$/;

function readRaw(): Raw {
  const cpu = parseProcStat(readFileSync('/proc/stat', 'utf8'));
  const cg = readCgroupCpu();
  let readSectors = 0;
  let writeSectors = 0;
  try {
    for (const line of readFileSync('/proc/diskstats', 'utf8').split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !DISK.test(f[2] ?? '')) continue;
      readSectors += Number(f[5]);
      writeSectors += Number(f[9]);
    }
  } catch {
    // no diskstats: disk figures stay null
  }
  return {
    atMs: Date.now(), busy: cpu.busy + cpu.steal, busyNoSteal: cpu.busy, steal: cpu.steal, total: cpu.total, cpus: cpu.cpus,
    runnable: cpu.runnable, throttledUs: cg.throttledUs, quotaCores: cg.quotaCores, readSectors, writeSectors,
  };
}

function memUsed(): number {
  const text = readFileSync('/proc/meminfo', 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return kb('MemTotal') - kb('MemAvailable');
}

export class ProcSystemStats {
  private last: Raw | undefined;

  static available(): boolean {
    return existsSync('/proc/stat') && existsSync('/proc/meminfo');
  }

  /** Figures since the previous read (the first read primes the deltas). */
  read(): SystemReading {
    const now = readRaw();
    const prev = this.last;
    this.last = now;
    const dt = prev ? (now.atMs - prev.atMs) / 1000 : 0;
    const dTotal = prev ? now.total - prev.total : 0;
    return {
      cpuPercent: prev && dTotal > 0 ? (100 * (now.busy - prev.busy)) / dTotal : 0,
      memUsedBytes: memUsed(),
      diskReadBytesPerSec: prev && dt > 0 ? ((now.readSectors - prev.readSectors) * 512) / dt : null,
      diskWriteBytesPerSec: prev && dt > 0 ? ((now.writeSectors - prev.writeSectors) * 512) / dt : null,
      ...(prev && dTotal > 0 && dt > 0 ? {
        machine: {
          stealPercent: (100 * (now.steal - prev.steal)) / dTotal,
          busyCorePercent: (100 * now.cpus * (now.busyNoSteal - prev.busyNoSteal)) / dTotal,
          runnable: now.runnable,
          quotaCores: now.quotaCores,
          throttledPercent: now.throttledUs !== null && prev.throttledUs !== null ? (100 * (now.throttledUs - prev.throttledUs)) / 1000 / (dt * 1000) : null,
          cpuMHz: readCpuMHz(),
        },
      } : {}),
    };
  }
}
