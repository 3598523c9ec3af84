/**
 * The calling thread's own CPU time, from Linux's /proc/thread-self/stat
 * (user + system, in clock ticks of 10 ms). Elsewhere, or when it cannot be
 * read, null: a figure that cannot be read is absent, never guessed.
 */
import { readFileSync } from 'node:fs';

const read = readFileSync;
/** USER_HZ: 100 on every Linux architecture Node runs on. */
const TICK_MS = 10;

export function threadCpuMs(): number | null {
  try {
    const stat = read('/proc/thread-self/stat', 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(f[11]);
    const stime = Number(f[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) * TICK_MS : null;
  } catch {
    return null;
  }
}
