/**
 * Start-up costs as ratios against `node -e 0` measured in the same run:
 * `strain --help`, `import('strain')` and a 10-call run through the CLI.
 * Each figure is the median wall time of several fresh processes.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture, tempDir } from '../helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'strain.js');
const INDEX = path.join(ROOT, 'dist', 'src', 'index.js');

function medianMs(args: string[], runs = 7): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[runs >> 1] as number;
}

export interface Startup {
  nodeMs: number;
  helpMs: number;
  importMs: number;
  runMs: number;
}

export function startupTimes(): Startup {
  const dir = tempDir();
  const profile = path.join(dir, 'ten.json');
  writeFileSync(profile, JSON.stringify({ extractor: fixture('noop.mjs'), phases: [{ executor: 'iterations', iterations: 10 }] }));
  let k = 0;
  const nodeMs = medianMs(['-e', '0']);
  const helpMs = medianMs([BIN, '--help']);
  const importMs = medianMs(['-e', `import(${JSON.stringify(INDEX)})`]);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    execFileSync(process.execPath, [BIN, 'run', profile, '--out', path.join(dir, `out${k++}`), '--quiet', '--format', 'none'], { stdio: 'ignore' });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { nodeMs, helpMs, importMs, runMs: times[2] as number };
}
