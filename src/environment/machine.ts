/**
 * What else the machine was doing, read from Linux's /proc and /sys: CPU
 * steal, runnable threads, this process's cgroup quota and its throttling,
 * CPU frequency. Each figure is null where it cannot be read (another OS,
 * cgroup v1, a VM without cpufreq): absent, never guessed.
 */
import { readFileSync, readdirSync } from 'node:fs';

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export interface CpuTimes {
  /** Jiffies over all CPUs: busy without steal, steal, and all of it. */
  busy: number;
  steal: number;
  total: number;
  /** Online CPUs (the cpuN lines). */
  cpus: number;
  /** Threads runnable right now (procs_running), ours included. */
  runnable: number | null;
}

/** /proc/stat's aggregate line and procs_running. */
export function parseProcStat(text: string): CpuTimes {
  const lines = text.split('\n');
  const f = (lines[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle time is idle + iowait.
  const at = (i: number): number => (Number.isFinite(f[i]) ? (f[i] as number) : 0);
  const total = [0, 1, 2, 3, 4, 5, 6, 7].reduce((a, i) => a + at(i), 0);
  const steal = at(7);
  const busy = total - at(3) - at(4) - steal;
  const cpus = lines.filter((l) => /^cpu\d+\s/.test(l)).length;
  const running = /^procs_running\s+(\d+)/m.exec(text);
  return { busy, steal, total, cpus, runnable: running ? Number(running[1]) : null };
}

/** The cgroup v2 directory of this process ("0::/path" in /proc/self/cgroup). */
export function cgroupDir(procSelfCgroup: string | null = read('/proc/self/cgroup')): string | null {
  const m = procSelfCgroup ? /^0::(\/.*)$/m.exec(procSelfCgroup) : null;
  return m ? `/sys/fs/cgroup${m[1] === '/' ? '' : m[1]}` : null;
}

/** cpu.max "quota period" as cores; null for "max" (no quota) or unreadable. */
export function parseCpuMax(text: string | null): number | null {
  const m = text ? /^(\d+)\s+(\d+)/.exec(text.trim()) : null;
  return m && Number(m[2]) > 0 ? Number(m[1]) / Number(m[2]) : null;
}

/** cpu.stat's throttled_usec; null when absent. */
export function parseThrottledUs(text: string | null): number | null {
  const m = text ? /^throttled_usec\s+(\d+)/m.exec(text) : null;
  return m ? Number(m[1]) : null;
}

export interface CgroupCpu {
  quotaCores: number | null;
  throttledUs: number | null;
}

export function readCgroupCpu(dir = cgroupDir()): CgroupCpu {
  if (!dir) return { quotaCores: null, throttledUs: null };
  return { quotaCores: parseCpuMax(read(`${dir}/cpu.max`)), throttledUs: parseThrottledUs(read(`${dir}/cpu.stat`)) };
}

/** Mean current frequency over the CPUs that report one (MHz); null where cpufreq is absent. */
export function readCpuMHz(root = '/sys/devices/system/cpu'): number | null {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => /^cpu\d+$/.test(n));
  } catch {
    return null;
  }
  const khz = names.map((n) => Number(read(`${root}/${n}/cpufreq/scaling_cur_freq`)?.trim())).filter((x) => Number.isFinite(x) && x > 0);
  return khz.length ? khz.reduce((a, b) => a + b, 0) / khz.length / 1000 : null;
}
