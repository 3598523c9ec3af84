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
}

/**
 * Samples this process (pidusage) and the system (systeminformation) at most
 * once a second; each call costs milliseconds, so never faster.
 */
export class ResourceSampler {
  readonly samples: ResourceSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  /** Linux: /proc directly (no child processes); elsewhere systeminformation. */
  private readonly proc = ProcSystemStats.available() ? new ProcSystemStats() : undefined;

  constructor(
    public startMs: number,
    private readonly currentStep: () => number = () => -1,
    private readonly periodMs = 1000,
    private readonly maxSamples = 2000,
  ) {}

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
      };
      this.samples.push(s);
      // Bounded for endurance runs: drop every other old sample when full.
      if (this.samples.length > this.maxSamples) {
        const kept = this.samples.filter((_, i) => i % 2 === 0);
        this.samples.splice(0, this.samples.length, ...kept);
      }
      return s;
    } catch {
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    pidusage.clear();
  }
}
