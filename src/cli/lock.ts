import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StrainError } from '../errors.js';

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  what: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but is not ours; only ESRCH means gone.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock whose owner is gone (dead process on this host, or a half-written file left long ago). */
function stale(file: string): boolean {
  let info: LockInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    try {
      return Date.now() - statSync(file).mtimeMs > 10_000;
    } catch {
      return true;
    }
  }
  return info.host === os.hostname() && !alive(info.pid);
}

function describeHolder(file: string): string {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    return `process ${info.pid} on ${info.host}, running ${info.what} since ${info.startedAt}`;
  } catch {
    return 'an unknown process';
  }
}

/**
 * Take an exclusive lock file (O_EXCL create) or throw STRAIN_LOCKED. A lock
 * left by a dead process is taken over. Returns the release function.
 */
export function acquireLock(file: string, what: string): () => void {
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      const info: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), what };
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      return () => {
        try {
          const held = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
          if (held.pid === process.pid) unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StrainError('STRAIN_USAGE', `cannot create the lock file: ${(e as Error).message}`, { where: file });
      }
      if (attempt === 0 && stale(file)) {
        try {
          unlinkSync(file);
        } catch {
          // Someone else took it over first; the retry will say so.
        }
        continue;
      }
      throw new StrainError('STRAIN_LOCKED', `another strain run holds the lock: ${describeHolder(file)}`, { where: file });
    }
  }
  throw new StrainError('STRAIN_LOCKED', `another strain run holds the lock: ${describeHolder(file)}`, { where: file });
}
