import pidusage from 'pidusage';
import si from 'systeminformation';
import { ProcSystemStats, type SystemReading } from './proc-stats.js';

export interface ResourceSample {
  /** Milliseconds since the run started. */
  tMs: number;
  /** The plan step running when the sample was taken (-1 before the first). */
  step: number;
  /** Process CPU, all threads: 100 = one core busy. */
  cpuPercent: number;
  rssBytes: number;
  systemCpuPercent: number;
  systemMemUsedBytes: number;
  diskReadBytesPerSec: number | null;
  diskWriteBytesPerSec: number | null;
  /** Linux only, absent elsewhere: CPU other processes used (100 = one core), steal (% of all CPUs), runnable threads, the cgroup's quota (cores) and throttling (% of wall time), CPU frequency. */
  otherCpuPercent?: number;
  stealPercent?: number;
  runnable?: number | null;
  quotaCores?: number | null;
  throttledPercent?: number | null;
  cpuMHz?: number | null;
}

/**
 * Samples this process (pidusage) and the system (systeminformation) at most
 * once a second; each call costs milliseconds, so never faster.
 */
/** One sample standing for two: the later's time and step, each figure's maximum. */
function maxOf(a: ResourceSample, b: ResourceSample): ResourceSample {
  const mx = (x: number | null, y: number | null): number | null => (x === null ? y : y === null ? x : Math.max(x, y));
  return {
    tMs: b.tMs, step: b.step, cpuPercent: Math.max(a.cpuPercent, b.cpuPercent), rssBytes: Math.max(a.rssBytes, b.rssBytes),
    systemCpuPercent: Math.max(a.systemCpuPercent, b.systemCpuPercent), systemMemUsedBytes: Math.max(a.systemMemUsedBytes, b.systemMemUsedBytes),
    diskReadBytesPerSec: mx(a.diskReadBytesPerSec, b.diskReadBytesPerSec), diskWriteBytesPerSec: mx(a.diskWriteBytesPerSec, b.diskWriteBytesPerSec),
    ...(b.otherCpuPercent !== undefined ? {
      otherCpuPercent: Math.max(a.otherCpuPercent ?? 0, b.otherCpuPercent), stealPercent: Math.max(a.stealPercent ?? 0, b.stealPercent ?? 0),
      runnable: mx(a.runnable ?? null, b.runnable ?? null), quotaCores: b.quotaCores ?? null,
      throttledPercent: mx(a.throttledPercent ?? null, b.throttledPercent ?? null), cpuMHz: b.cpuMHz ?? null,
    } : {}),
  };
}

export class ResourceSampler {
  readonly samples: ResourceSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  /** Linux: /proc directly (no child processes); elsewhere systeminformation. */
  private readonly proc = ProcSystemStats.available() ? new ProcSystemStats() : undefined;

  constructor(
    public startMs: number,
    private readonly currentStep: () => number = () => -1,
    readonly periodMs = 1000,
    private readonly maxSamples = 2000,
  ) {}

  /** Add a sample taken elsewhere (tests); bounded like the rest. */
  push(s: ResourceSample): void {
    this.samples.push(s);
    this.bound();
  }

  /** systeminformation's first currentLoad() takes ~0.5 s; pay it before timing starts. */
  async warm(): Promise<void> {
    if (this.proc) {
      this.proc.read();
      await pidusage(process.pid);
      return;
    }
    await Promise.all([si.currentLoad(), si.fsStats().catch(() => null), pidusage(process.pid)]);
  }

  private async system(): Promise<SystemReading> {
    if (this.proc) return this.proc.read();
    const [load, mem, fs] = await Promise.all([si.currentLoad(), si.mem(), si.fsStats().catch(() => null)]);
    return { cpuPercent: load.currentLoad, memUsedBytes: mem.active, diskReadBytesPerSec: fs?.rx_sec ?? null, diskWriteBytesPerSec: fs?.wx_sec ?? null };
  }

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.periodMs);
    this.timer.unref();
  }

  async sample(): Promise<ResourceSample | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    try {
      const [proc, sys] = await Promise.all([pidusage(process.pid), this.system()]);
      const s: ResourceSample = {
        tMs: Date.now() - this.startMs,
        step: this.currentStep(),
        cpuPercent: proc.cpu,
        rssBytes: proc.memory,
        systemCpuPercent: sys.cpuPercent,
        systemMemUsedBytes: sys.memUsedBytes,
        diskReadBytesPerSec: sys.diskReadBytesPerSec,
        diskWriteBytesPerSec: sys.diskWriteBytesPerSec,
        ...(sys.machine ? {
          // Busy time not ours: every process's CPU minus this one's, over the same span.
          otherCpuPercent: Math.max(0, sys.machine.busyCorePercent - proc.cpu),
          stealPercent: sys.machine.stealPercent,
          runnable: sys.machine.runnable,
          quotaCores: sys.machine.quotaCores,
          throttledPercent: sys.machine.throttledPercent,
          cpuMHz: sys.machine.cpuMHz,
        } : {}),
      };
      this.push(s);
      return s;
    } catch {
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  private bound(): void {
    // Bounded for endurance runs: merge neighbouring pairs when full, keeping
    // each pair's peaks (a short allocation spike must survive into peakRssBytes).
    if (this.samples.length <= this.maxSamples) return;
    const merged: ResourceSample[] = [];
    for (let i = 0; i < this.samples.length; i += 2) {
      const a = this.samples[i] as ResourceSample;
      const b = this.samples[i + 1];
      merged.push(b ? maxOf(a, b) : a);
    }
    this.samples.splice(0, this.samples.length, ...merged);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    pidusage.clear();
  }
}
