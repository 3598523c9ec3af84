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
