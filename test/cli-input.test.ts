import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { captureIo, fixture, tempDir } from './helpers.js';

/** Write a profile into a fresh folder and run `strain run` on it with --out inside that folder. */
async function runProfile(text: string, extra: string[] = []): Promise<{ code: number; err: string; out: string; dir: string }> {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'profile.json'), text);
  const io = captureIo(dir);
  const code = await main(['run', 'profile.json', '--out', 'results', '--quiet', ...extra], io);
  return { code, err: io.err.join(''), out: io.out.join(''), dir };
}

const good = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({ extractor: fixture('counter.mjs'), extractorOptions: { dir: tempDir() }, phases: [{ executor: 'iterations', iterations: 10 }], ...over });

describe('strain run: bad input fails before any worker starts, writes nothing', () => {
  const cases: { name: string; text: string; code: number; match: RegExp }[] = [
    { name: 'not valid JSON', text: '{ "extractor": "x.js",\n  "phases": [ }', code: 2, match: /STRAIN_PROFILE_PARSE.*profile\.json:2:15/s },
    { name: 'no extractor', text: JSON.stringify({ phases: [{ executor: 'iterations', iterations: 1 }] }), code: 2, match: /STRAIN_PROFILE_INVALID.*\$\.extractor: is required/s },
    { name: 'missing extractor file', text: good({ extractor: './nope.mjs' }), code: 2, match: /STRAIN_FILE_MISSING.*\$\.extractor.*nope\.mjs/s },
    { name: 'missing data file', text: good({ data: './rows.csv' }), code: 2, match: /STRAIN_FILE_MISSING.*\$\.data/s },
    { name: 'malformed CSV row', text: good({ data: fixture('bad-row.csv') }), code: 2, match: /STRAIN_DATA_PARSE.*bad-row\.csv:3.*expected 2 fields/s },
    { name: 'malformed JSON line', text: good({ data: fixture('bad-line.jsonl') }), code: 2, match: /STRAIN_DATA_PARSE.*bad-line\.jsonl:2/s },
    { name: 'empty data file', text: good({ data: fixture('empty.jsonl') }), code: 2, match: /STRAIN_DATA_EMPTY/ },
    { name: 'misspelt key', text: good({ snapshotIntervall: '1s' }), code: 2, match: /\$\.snapshotIntervall: unknown key.*did you mean "snapshotInterval"/s },
    { name: 'unknown executor', text: good({ phases: [{ executor: 'constant-concurency', concurrency: 1, duration: '1s' }] }), code: 2, match: /\$\.phases\[0\]\.executor: unknown executor.*did you mean "constant-concurrency"/s },
    { name: 'wrong type', text: good({ phases: [{ executor: 'constant-concurrency', concurrency: '4', duration: '1s' }] }), code: 2, match: /\$\.phases\[0\]\.concurrency: expected integer, found the string "4"/ },
    { name: 'zero concurrency', text: good({ phases: [{ executor: 'constant-concurrency', concurrency: 0, duration: '1s' }] }), code: 2, match: /\$\.phases\[0\]\.concurrency: expected a number >= 1/ },
    { name: 'bad duration', text: good({ phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '10 parsecs' }] }), code: 2, match: /STRAIN_DURATION.*\$\.phases\[0\]\.duration/s },
    { name: 'from above to', text: good({ phases: [{ executor: 'ramping-concurrency', from: 4, to: 2, stepDuration: '1s' }] }), code: 2, match: /\$\.phases\[0\]\.from.*at most "to"/s },
    { name: 'missing rate', text: good({ phases: [{ executor: 'constant-arrival-rate', duration: '1s' }] }), code: 2, match: /\$\.phases\[0\]\.rate: is required but missing/ },
    { name: 'negative rate', text: good({ phases: [{ executor: 'constant-arrival-rate', rate: -5, duration: '1s' }] }), code: 2, match: /\$\.phases\[0\]\.rate: expected a number > 0, found number -5/ },
    { name: 'zero duration', text: good({ phases: [{ executor: 'constant-arrival-rate', rate: 5, duration: '0s' }] }), code: 2, match: /STRAIN_DURATION.*\$\.phases\[0\]\.duration.*positive/s },
    { name: 'unknown arrival', text: good({ phases: [{ executor: 'constant-arrival-rate', rate: 5, duration: '1s', arrival: 'bursty' }] }), code: 2, match: /\$\.phases\[0\]\.arrival/ },
    { name: 'think time min above max', text: good({ phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '1s', thinkTime: { min: '2s', max: '1s' } }] }), code: 2, match: /thinkTime\.min.*at most max/s },
    { name: 'empty stopWhen', text: good({ phases: [{ executor: 'ramping-concurrency', from: 1, to: 2, stepDuration: '1s', stopWhen: {} }] }), code: 2, match: /\$\.phases\[0\]\.stopWhen/ },
    { name: 'ramp without stepDuration', text: good({ phases: [{ executor: 'ramping-arrival-rate', from: 1, to: 2 }] }), code: 2, match: /\$\.phases\[0\]\.stepDuration.*required/s },
    { name: 'threshold on an unknown phase', text: good({ thresholds: { latency: [{ threshold: 'p(99)<5', phase: 'nope' }] } }), code: 2, match: /\$\.thresholds\.latency\[0\]\.phase.*no phase is named "nope"/s },
    { name: 'malformed threshold', text: good({ thresholds: { latency: ['p95 < 100'] } }), code: 2, match: /STRAIN_THRESHOLD_SYNTAX.*\$\.thresholds\.latency\[0\]/s },
    { name: 'extractor with a syntax error', text: good({ extractor: fixture('syntax-error.mjs') }), code: 3, match: /STRAIN_EXTRACTOR_LOAD.*syntax-error\.mjs/s },
    { name: 'extractor without a function', text: good({ extractor: fixture('no-function.mjs') }), code: 3, match: /STRAIN_EXTRACTOR_EXPORT.*notAFunction/s },
    { name: 'extractor whose setup throws', text: good({ extractor: fixture('setup-throws.mjs') }), code: 3, match: /STRAIN_EXTRACTOR_SETUP.*feature store/s },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await runProfile(c.text);
      assert.equal(r.code, c.code, r.err);
      assert.match(r.err, c.match);
      assert.equal(existsSync(path.join(r.dir, 'results')), false, 'nothing written');
      assert.deepEqual(readdirSync(r.dir), ['profile.json']);
    });
  }

  it('a missing profile file is exit 2 with the path named', async () => {
    const io = captureIo(tempDir());
    assert.equal(await main(['run', 'missing.json', '--quiet'], io), 2);
    assert.match(io.err.join(''), /STRAIN_PROFILE_READ.*missing\.json/s);
  });

  it('an unknown option is a usage error, exit 2, and nothing runs', async () => {
    const io = captureIo(tempDir());
    assert.equal(await main(['run', 'p.json', '--concurency', '3'], io), 2);
    assert.match(io.err.join(''), /STRAIN_USAGE.*concurency/s);
  });
});

describe('strain run: a good profile', () => {
  it('writes result.json to --out, prints a summary, exits 0; refuses to overwrite without --force', async () => {
    const r = await runProfile(good({ thresholds: { errors: ['rate<0.01'] } }));
    assert.equal(r.code, 0, r.err);
    assert.ok(existsSync(path.join(r.dir, 'results', 'result.json')));
    const io = captureIo(r.dir);
    assert.equal(await main(['run', 'profile.json', '--out', 'results'], io), 2);
    assert.match(io.err.join(''), /STRAIN_OUTPUT_EXISTS/);
    const io2 = captureIo(r.dir);
    assert.equal(await main(['run', 'profile.json', '--out', 'results', '--force', '--json'], io2), 0);
    const printed = JSON.parse(io2.out.join('')) as { total: { count: number } };
    assert.equal(printed.total.count, 10);
    assert.match(io2.err.join(''), /verdict: PASSED/);
  });

  it('a failed threshold sets exit code 1 and says why', async () => {
    const r = await runProfile(good({ thresholds: { latency: ['max<0.000001'] } }));
    assert.equal(r.code, 1);
    const io = captureIo(r.dir);
    await main(['run', 'profile.json', '--out', 'again'], io);
    assert.match(io.out.join(''), /threshold FAIL latency max<0.000001/);
  });
});
