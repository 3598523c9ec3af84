import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../src/cli/io.js';

/** Tests run from dist/test; fixtures stay in the source tree. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
export const fixture = (name: string): string => path.join(FIXTURES, name);

export function tempDir(prefix = 'strain-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export interface CapturedIo extends CliIo {
  out: string[];
  err: string[];
}

export function captureIo(cwd = ROOT, isTTY = false): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    isTTY,
    cwd,
    onInterrupt: () => () => {},
  };
}

export const BIN = path.join(ROOT, 'bin', 'strain.js');

export interface Child {
  proc: ChildProcess;
  stderr: string[];
  stdout: string[];
  exit: Promise<{ code: number | null; at: number }>;
}

/** `strain ARGS` as a real child process, output collected. */
export function spawnStrain(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env });
  const stderr: string[] = [];
  const stdout: string[] = [];
  proc.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  proc.stdout?.on('data', (d: Buffer) => stdout.push(d.toString()));
  const exit = new Promise<{ code: number | null; at: number }>((resolve) => proc.on('exit', (code) => resolve({ code, at: Date.now() })));
  return { proc, stderr, stdout, exit };
}

/** Resolve when `cond` holds, polling; reject after `ms` so a bug fails the test instead of hanging it. */
export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
