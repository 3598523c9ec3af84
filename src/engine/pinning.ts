import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import os from 'node:os';

/**
 * CPU pinning for dedicated hardware (Linux): each worker thread gets a CPU
 * of its own, and the coordinator keeps off the workers' CPUs where there are
 * enough. A thread's id comes from /proc/thread-self; `taskset` applies it.
 */
export interface PinPlan {
  /** CPU per worker id. */
  workerCpus: number[];
  /** CPUs for the coordinator (main thread), or undefined to leave it alone. */
  coordinatorCpus: number[] | undefined;
  note: string;
}

export function planPinning(workers: number, cpus = os.cpus().length): PinPlan {
  if (workers < cpus) {
    return {
      workerCpus: Array.from({ length: workers }, (_, i) => i + 1),
      coordinatorCpus: [0],
      note: `worker i on CPU i+1 (CPUs 1-${workers}), coordinator on CPU 0`,
    };
  }
  return {
    workerCpus: Array.from({ length: workers }, (_, i) => i % cpus),
    coordinatorCpus: undefined,
    note: `${workers} workers on ${cpus} CPUs: workers share CPUs and the coordinator is not kept off them`,
  };
}

/** Why pinning cannot happen here, or undefined when it can. */
export function pinningUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `CPU pinning needs Linux; this is ${process.platform}`;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'CPU pinning needs the taskset command (util-linux), which is not installed';
  }
  return undefined;
}

/** This thread's kernel id (a worker thread's own, not the process id). */
export function currentTid(): number {
  const link = readlinkSync('/proc/thread-self'); // "<pid>/task/<tid>"
  return Number(link.split('/').pop());
}

/** Pin thread `tid` to `cpus`; returns the error text on failure. */
export function pinThread(tid: number, cpus: number[]): string | undefined {
  try {
    execFileSync('taskset', ['-pc', cpus.join(','), String(tid)], { stdio: 'ignore' });
    return undefined;
  } catch (e) {
    return `taskset failed for thread ${tid}: ${(e as Error).message.split('\n')[0]}`;
  }
}
