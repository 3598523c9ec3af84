/**
 * What CPU profiling costs: the same CPU-bound extractor with and without
 * profile.cpu, in the order A B B A B A A B so a slow drift of the machine
 * cancels, at the default sampling interval. The overhead is 1 − the median
 * of the four profiled ÷ unprofiled pairs.
 */
import { runStress } from '../../src/run.js';
import { fixture } from '../helpers.js';

async function throughput(profiled: boolean): Promise<number> {
  const r = await runStress({
    extractor: fixture('cpu.mjs'), stepWarmup: '500ms', ...(profiled ? { profile: { cpu: true as const } } : {}),
    phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '3s' }],
  });
  return r.steps[0]?.throughput ?? 0;
}

export async function profilingOverhead(): Promise<{ ratio: number; ratios: number[] }> {
  const order = [false, true, true, false, true, false, false, true];
  const plain: number[] = [];
  const prof: number[] = [];
  for (const p of order) (p ? prof : plain).push(await throughput(p));
  const ratios = prof.map((x, i) => x / (plain[i] as number)).sort((a, b) => a - b);
  return { ratio: ((ratios[1] as number) + (ratios[2] as number)) / 2, ratios };
}
