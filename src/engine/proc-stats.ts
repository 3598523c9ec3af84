/**
 * System CPU, memory and disk throughput read straight from Linux's /proc.
 * systeminformation spawns shells (`lsblk | grep`, `cat /proc/diskstats`,
 * `cat /proc/stat`) for these every sample: several processes a second whose
 * CPU preempts the workers on a small machine and shows up as dispatch lag.
 * Reading the files costs microseconds. Elsewhere the sampler falls back to
 * systeminformation.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface SystemReading {
  cpuPercent: number;
  memUsedBytes: number;
  diskReadBytesPerSec: number | null;
  diskWriteBytesPerSec: number | null;
}

interface Raw {
  atMs: number;
  busy: number;
  total: number;
  readSectors: number;
  writeSectors: number;
}

/** Whole disks only (not partitions), as systeminformation counts them. */
const DISK = /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+|nvme\d+n\d+|mmcblk\d+)$/;

function readRaw(): Raw {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle time is idle + iowait.
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
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
  return { atMs: Date.now(), busy: total - idle, total, readSectors, writeSectors };
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
    };
  }
}
