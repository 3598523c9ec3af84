/**
 * One fresh process for the data-set bench: a 3 s constant-concurrency run of
 * a no-op over the given CSV with N workers; prints the wall time beyond the
 * step and the process's peak RSS (getrusage, so the load's peak counts too).
 */
import { runStress } from '../../src/run.js';
import { fixture } from '../helpers.js';

const [csv, workers] = [process.argv[2] as string, Number(process.argv[3])];
const t0 = performance.now();
const r = await runStress({ extractor: fixture('noop.mjs'), data: csv, phases: [{ executor: 'constant-concurrency', concurrency: workers, duration: '3s' }] });
const wallMs = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ overheadMs: wallMs - 3000, maxRssBytes: process.resourceUsage().maxRSS * 1024, calls: r.total.count })}\n`);
