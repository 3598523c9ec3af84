import type { StrainResult } from '../result/schema.js';

/** One line per step measured on a busy machine, said the same way in every report. */
export function disturbanceLines(r: StrainResult): string[] {
  return r.steps
    .filter((s) => s.environment?.disturbed)
    .map((s) => `step ${s.index + 1} disturbed: ${s.environment!.reasons.join('; ')}; its figures describe a busy machine as much as the code`);
}
