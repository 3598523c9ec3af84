/**
 * The shipped capacity scenario, run for real: how many probes and seconds
 * its search needs, against a fixed ramp (a breakpoint test) that would
 * reach the same precision. The ramp's figures are computed, not run: from
 * the same start, in steps of `precision × capacity`, each as long as a
 * probe, up to the first step past the capacity found.
 */
import path from 'node:path';
import { parseDuration } from '../../src/profile/duration.js';
import { readProfileFile } from '../../src/profile/load.js';
import { runStress } from '../../src/run.js';
import { ROOT } from '../helpers.js';

export interface CapacityBench {
  capacity: number | null;
  status: string;
  probes: number;
  searchSeconds: number;
  rampSteps: number;
  rampSeconds: number;
}

export async function capacityBench(): Promise<CapacityBench> {
  const file = path.join(ROOT, 'scenarios', 'capacity.json');
  const { profile, baseDir } = await readProfileFile(file);
  const r = await runStress(profile, { baseDir, source: file });
  const c = r.capacity;
  if (!c) throw new Error('scenarios/capacity.json produced no capacity section');
  const phase = (profile as { phases: { from: number; probeDuration: string }[] }).phases[0] as { from: number; probeDuration: string };
  const probeS = parseDuration(phase.probeDuration, 'probeDuration') / 1000;
  const found = c.capacity ?? 0;
  const rampSteps = found > 0 ? Math.ceil((found - phase.from) / (c.precision * found)) + 2 : 0;
  return { capacity: c.capacity, status: c.status, probes: c.probeCount, searchSeconds: c.durationMs / 1000, rampSteps, rampSeconds: rampSteps * probeS };
}
