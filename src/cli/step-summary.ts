import { appendFileSync } from 'node:fs';
import type { CliIo } from './io.js';

/** GitHub Actions' job summary: append the Markdown when GITHUB_STEP_SUMMARY names a file. */
export function appendStepSummary(io: CliIo, markdown: string): void {
  const file = io.env?.['GITHUB_STEP_SUMMARY'];
  if (!file) return;
  try {
    appendFileSync(file, `${markdown.trimEnd()}\n\n`);
  } catch (e) {
    io.stderr(`strain: warning: cannot append to GITHUB_STEP_SUMMARY (${file}): ${(e as Error).message}\n`);
  }
}
