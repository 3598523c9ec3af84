import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { captureIo, fixture, tempDir } from './helpers.js';

/**
 * Every command-line option and every profile field, each with a wrong
 * value: a coded error that names it, exit code 2, and nothing written.
 */
function workspace(profile: Record<string, unknown> = {}): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'p.json'), JSON.stringify({ extractor: fixture('noop.mjs'), phases: [{ executor: 'iterations', iterations: 5 }], ...profile }));
  writeFileSync(path.join(dir, 'a-file'), 'x');
  mkdirSync(path.join(dir, 'a-folder'));
  writeFileSync(path.join(dir, 'bad.json'), '{"kind":"strain-baseline","runs":[{"throughput":"fast"}]}');
  return dir;
}

async function refused(dir: string, argv: string[], match: RegExp): Promise<void> {
  const before = readdirSync(dir).sort();
  const io = captureIo(dir);
  const code = await main(argv, io);
  assert.equal(code, 2, io.err.join(''));
  assert.match(io.err.join(''), match);
  assert.deepEqual(readdirSync(dir).sort(), before, 'nothing written');
}

describe('bad command-line options', () => {
  const run = ['run', 'p.json', '--quiet'];
  const cases: [string, string[], RegExp][] = [
    ['--out is a file', [...run, '--out', 'a-file'], /STRAIN_USAGE.*--out must be a folder/s],
    ['--repeat 0', [...run, '--repeat', '0'], /STRAIN_USAGE: --repeat must be a positive integer, found 0/],
    ['--repeat 1.5', [...run, '--repeat', '1.5'], /--repeat must be a positive integer, found 1.5/],
    ['--repeat abc', [...run, '--repeat', 'abc'], /--repeat must be a positive integer, found NaN/],
    ['--baseline missing', [...run, '--baseline', 'nope.json'], /STRAIN_RESULT_READ.*nope\.json/s],
    ['--baseline malformed', [...run, '--baseline', 'bad.json'], /STRAIN_RESULT_READ.*\$\.runs/s],
    ['--save-baseline is a folder', [...run, '--save-baseline', 'a-folder'], /--save-baseline must be a file path/],
    ['--history is a file', [...run, '--history', 'a-file'], /--history must be a folder/],
    ['--lock is a folder', [...run, '--lock', 'a-folder'], /--lock must be a file path/],
    ['--duration bad', [...run, '--duration', 'ten seconds'], /STRAIN_DURATION.*--duration/s],
    ['--concurrency 0', [...run, '--concurrency', '0'], /--concurrency must be a positive integer/],
    ['--rate on a profile without arrival rates', [...run, '--rate', '10'], /--rate applies to constant-arrival-rate/],
    ['--rate negative', [...run, '--rate', '-3'], /--rate must be a positive number/],
    ['--data missing', [...run, '--data', 'nope.csv'], /STRAIN_FILE_MISSING.*nope\.csv/s],
    ['--noise-p99 above 1', [...run, '--noise-p99', '5'], /--noise-p99 must be a fraction/],
    ['--noise-throughput negative', [...run, '--noise-throughput', '-0.1'], /--noise-throughput must be a fraction/],
    ['unknown option', [...run, '--quite'], /STRAIN_USAGE.*quite/s],
    ['--profile unknown', [...run, '--profile', 'gpu'], /STRAIN_USAGE.*--profile takes cpu, heap or cpu,heap, found "gpu"/s],
    ['--profile empty', [...run, '--profile', ''], /STRAIN_USAGE.*--profile takes cpu, heap or cpu,heap/s],
    ['no profile', ['run'], /STRAIN_USAGE.*profile/s],
    ['unknown command', ['walk', 'p.json'], /STRAIN_USAGE/],
    ['compare: missing file', ['compare', 'nope.json', 'p.json'], /STRAIN_RESULT_READ.*nope\.json/s],
    ['compare: not a result', ['compare', 'p.json', 'p.json'], /neither a strain baseline nor a strain result/],
    ['history: no history', ['history', 'a-folder'], /STRAIN_RESULT_READ.*no history\.jsonl/s],
    ['history: bad metric', ['history', 'a-folder', '--metric', 'speed'], /--metric: unknown metric "speed"/],
    ['history: --last 0', ['history', 'a-folder', '--last', '0'], /--last must be a positive integer/],
  ];
  for (const [name, argv, match] of cases) it(name, () => refused(workspace(), argv, match));
});

describe('bad profile fields', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['name', { name: 5 }, /\$\.name: expected string/],
    ['description', { description: [] }, /\$\.description: expected string/],
    ['extractor', { extractor: 42 }, /\$\.extractor: expected string/],
    ['data type', { data: true }, /\$\.data: expected string/],
    ['snapshotInterval', { snapshotInterval: 'often' }, /STRAIN_DURATION.*\$\.snapshotInterval/s],
    ['stepWarmup', { stepWarmup: -1 }, /STRAIN_DURATION.*\$\.stepWarmup/s],
    ['pin', { pin: 'yes' }, /\$\.pin: expected boolean/],
    ['hangTimeout', { hangTimeout: '0ms' }, /STRAIN_DURATION.*\$\.hangTimeout/s],
    ['maxFaults', { maxFaults: -1 }, /\$\.maxFaults: expected a number >= 0/],
    ['maxWorkerHeapMb', { maxWorkerHeapMb: 8 }, /\$\.maxWorkerHeapMb: expected a number >= 16/],
    ['phases empty', { phases: [] }, /\$\.phases: expected at least 1 item/],
    ['phases not an array', { phases: {} }, /\$\.phases: expected array/],
    ['thresholds not arrays', { thresholds: { latency: 'p(95)<1' } }, /\$\.thresholds\.latency: expected array/],
    ['threshold metric misspelt', { thresholds: { latncy: ['p(95)<1'] } }, /\$\.thresholds\.latncy: unknown key.*did you mean "latency"/s],
    ['threshold scope', { thresholds: { latency: [{ threshold: 'p(95)<1', scope: 'each' }] } }, /\$\.thresholds\.latency\[0\]\.scope/],
    ['analysis window', { analysis: { leak: { window: 0 } } }, /\$\.analysis\.leak\.window: expected a number >= 1/],
    ['analysis failOn', { analysis: { failOn: ['oom'] } }, /\$\.analysis\.failOn\[0\]/],
    ['iterations', { phases: [{ executor: 'iterations', iterations: 0 }] }, /\$\.phases\[0\]\.iterations: expected a number >= 1/],
    ['warmupIterations', { phases: [{ executor: 'iterations', iterations: 1, warmupIterations: -1 }] }, /\$\.phases\[0\]\.warmupIterations/],
    ['maxConcurrency', { phases: [{ executor: 'constant-arrival-rate', rate: 1, duration: '1s', maxConcurrency: 0 }] }, /\$\.phases\[0\]\.maxConcurrency/],
    ['lateAfter', { phases: [{ executor: 'constant-arrival-rate', rate: 1, duration: '1s', lateAfter: 'late' }] }, /\$\.phases\[0\]\.lateAfter/],
    ['concurrencyPerWorker', { phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '1s', concurrencyPerWorker: 0 }] }, /\$\.phases\[0\]\.concurrencyPerWorker/],
    ['stages target', { phases: [{ executor: 'ramping-concurrency', stages: [{ target: 0, duration: '1s' }] }] }, /\$\.phases\[0\]\.stages\[0\]\.target/],
    ['stages and from together', { phases: [{ executor: 'ramping-concurrency', from: 1, to: 2, stepDuration: '1s', stages: [{ target: 1, duration: '1s' }] }] }, /not both/],
    ['stopWhen errorRate', { phases: [{ executor: 'ramping-concurrency', from: 1, to: 2, stepDuration: '1s', stopWhen: { errorRate: 2 } }] }, /\$\.phases\[0\]\.stopWhen\.errorRate/],
    ['batchSize zero', { phases: [{ executor: 'iterations', iterations: 1, batchSize: 0 }] }, /\$\.phases\[0\]\.batchSize: expected a number >= 1/],
    ['batchSize with thinkTime', { phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '1s', batchSize: 10, thinkTime: '1ms' }] }, /\$\.phases\[0\]\.batchSize.*cannot be combined with thinkTime/s],
    ['a phase name', { phases: [{ name: '', executor: 'iterations', iterations: 1 }] }, /\$\.phases\[0\]\.name: expected a non-empty string/],
  ];
  for (const [name, profile, match] of cases) {
    it(name, () => refused(workspace(profile), ['run', 'p.json', '--quiet', '--out', 'o'], match));
  }
});
