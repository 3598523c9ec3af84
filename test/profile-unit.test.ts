// The profile layer as pure units: durations, overrides, the JSON error
// position, validation messages, normalisation and the presets, each against
// answers worked out by hand.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isStrainError, type StrainError } from '../src/errors.js';
import { formatDuration, parseDuration } from '../src/profile/duration.js';
import { jsonErrorOffset, lineColumn } from '../src/profile/json-position.js';
import { normalizeProfile, parseProfileJson, readProfileFile, splitExtractorSpec } from '../src/profile/load.js';
import { applyOverrides } from '../src/profile/overrides.js';
import { breakpoint, defineProfile, endurance, ramp, spike } from '../src/profile/presets.js';
import { profileSchema, type Profile } from '../src/profile/schema.js';
import { profileSchemaDocument, profileSchemaText, SCHEMA_FILE } from '../src/profile/schema-file.js';
import { didYouMean, editDistance, toJsonPath, validateProfile } from '../src/profile/validate.js';
import { fixture, tempDir } from './helpers.js';

function strainError(fn: () => unknown): StrainError {
  try {
    fn();
  } catch (e) {
    if (isStrainError(e)) return e;
    throw e;
  }
  assert.fail('expected a StrainError');
}

describe('profile: durations', () => {
  it('parses units, compounds and bare numbers', () => {
    assert.equal(parseDuration('500ms', 'x'), 500);
    assert.equal(parseDuration('30s', 'x'), 30_000);
    assert.equal(parseDuration('5m', 'x'), 300_000);
    assert.equal(parseDuration('2h', 'x'), 7_200_000);
    assert.equal(parseDuration('1m30s', 'x'), 90_000);
    assert.equal(parseDuration('1h1m1s1ms', 'x'), 3_661_001);
    assert.equal(parseDuration('1.5s', 'x'), 1500);
    assert.equal(parseDuration('  2s ', 'x'), 2000);
    assert.equal(parseDuration(250, 'x'), 250);
    assert.equal(parseDuration(0.5, 'x'), 0.5);
  });
  it('refuses what is not a positive duration, naming the text and where', () => {
    for (const bad of ['', '  ', '5', 's', '5 s', '5sec', '1m30', '-1s', '1e3ms', '5s+1', 'abc', '5m5x']) {
      const e = strainError(() => parseDuration(bad, '$.phases[0].duration'));
      assert.equal(e.code, 'STRAIN_DURATION', bad);
      assert.equal(e.where, '$.phases[0].duration');
      assert.ok(e.message.includes(JSON.stringify(bad)), e.message);
      assert.match(e.message, /expected a duration such as "500ms", "30s", "5m", "2h" or "1m30s"/);
    }
    for (const zero of ['0s', '0ms', '0m0s']) assert.equal(strainError(() => parseDuration(zero, 'w')).message, `w: expected a positive duration, found "${zero}"`);
    for (const n of [0, -5, Infinity, NaN]) {
      const e = strainError(() => parseDuration(n, 'w'));
      assert.equal(e.code, 'STRAIN_DURATION');
      assert.equal(e.message, `w: expected a positive duration, found ${n}`);
    }
  });
  it('formats milliseconds back into the shortest readable form', () => {
    assert.equal(formatDuration(0), '0ms');
    assert.equal(formatDuration(999.4), '999ms');
    assert.equal(formatDuration(1000), '1s');
    assert.equal(formatDuration(1540), '1.5s');
    assert.equal(formatDuration(59_900), '59.9s');
    assert.equal(formatDuration(60_000), '1m');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(3_599_000), '59m59s');
    assert.equal(formatDuration(3_600_000), '1h');
    assert.equal(formatDuration(5_400_000), '1h30m');
    assert.equal(formatDuration(7_260_000), '2h1m');
  });
});

describe('profile: where JSON goes wrong', () => {
  const cases: [string, number][] = [
    ['{"a": 1,}', 8],
    ['{"a" 1}', 5],
    ['{"a": tru}', 6],
    ['[1, 2', 5],
    ['{"a": [1 2]}', 9],
    ['{"a": "x\\q"}', 9],
    ['{"a": "\\u12G4"}', 9],
    ['{"a": "ok"} x', 12],
    ['{"a": 01}', 7],
    ['{a: 1}', 1],
    ['"unterminated', 13],
    ['{"a": "\u0001"}', 7],
    ['{"a":-}', 5],
    ['', 0],
  ];
  for (const [text, at] of cases) {
    it(`${JSON.stringify(text)} fails at offset ${at}`, () => {
      assert.throws(() => JSON.parse(text));
      assert.equal(jsonErrorOffset(text), at);
    });
  }
  it('valid JSON has no error offset', () => {
    for (const ok of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"], "b": {}} ', '0', '"s"']) assert.equal(jsonErrorOffset(ok), -1, ok);
  });
  it('line and column count from 1', () => {
    const text = 'ab\ncd\nef';
    assert.deepEqual(lineColumn(text, 0), { line: 1, column: 1 });
    assert.deepEqual(lineColumn(text, 1), { line: 1, column: 2 });
    assert.deepEqual(lineColumn(text, 3), { line: 2, column: 1 });
    assert.deepEqual(lineColumn(text, 7), { line: 3, column: 2 });
  });
  it('parseProfileJson names file:line:column', () => {
    const e = strainError(() => parseProfileJson('{\n  "name": "x",\n  "phases": [,]\n}', 'p.json'));
    assert.equal(e.code, 'STRAIN_PROFILE_PARSE');
    assert.equal(e.where, 'p.json:3:14');
    assert.match(e.message, /^p\.json:3:14: not valid JSON \(/);
    assert.deepEqual(parseProfileJson('{"a": 1}', 'p.json'), { a: 1 });
  });
});

const base = { extractor: fixture('noop.mjs') };
const messages = (input: unknown): string[] => strainError(() => validateProfile(input, 'p.json')).message.split('\n  ').slice(1);

describe('profile: validation messages', () => {
  it('JSON paths from JSON pointers', () => {
    assert.equal(toJsonPath(''), '$');
    assert.equal(toJsonPath('/phases/0/to'), '$.phases[0].to');
    assert.equal(toJsonPath('/a~1b/c~0d'), '$["a/b"]["c~d"]');
    assert.equal(toJsonPath('/$x/_y/9z'), '$.$x._y["9z"]');
  });
  it('edit distance and suggestions', () => {
    assert.equal(editDistance('', ''), 0);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('abc', ''), 3);
    assert.equal(editDistance('', 'ab'), 2);
    assert.equal(editDistance('flaw', 'lawn'), 2);
    assert.equal(didYouMean('phses', ['name', 'phases']), 'phases');
    assert.equal(didYouMean('PHASES', ['phases']), 'phases', 'case does not count');
    assert.equal(didYouMean('zzzzzz', ['phases', 'name']), undefined);
    // The bound is max(2, length / 3): 3 edits are allowed for a 9-letter word, not for a 6-letter one.
    assert.equal(didYouMean('abcdefxyz', ['abcdefghi']), 'abcdefghi');
    assert.equal(didYouMean('abcxyz', ['abcdef']), undefined);
    assert.equal(didYouMean('ab', []), undefined);
  });
  it('each kind of problem, with its path, in one error', () => {
    const e = strainError(() => validateProfile({ ...base, phses: [] }, 'p.json'));
    assert.equal(e.code, 'STRAIN_PROFILE_INVALID');
    assert.equal(e.where, 'p.json');
    const m = messages({ ...base, phses: [] });
    assert.ok(m.some((l) => /^\$\.phses: unknown key "phses"; did you mean "phases"\? \(allowed: \$schema, name/.test(l)), m.join('\n'));
    assert.ok(m.includes('$.phases: is required but missing'), m.join('\n'));
    assert.ok(messages({ ...base, phases: 'x' }).includes('$.phases: expected array, found the string "x"'));
    assert.ok(messages({ ...base, phases: [] }).includes('$.phases: expected at least 1 item(s), found 0'));
    assert.ok(messages({ ...base, name: '', phases: [{ executor: 'iterations', iterations: 1 }] }).includes('$.name: expected a non-empty string'));
    const min = messages({ ...base, phases: [{ executor: 'iterations', iterations: 0 }] });
    assert.ok(min.some((l) => /^\$\.phases\[0\]\.iterations: expected a number >= 1, found number 0$/.test(l)), min.join('\n'));
    const exec = messages({ ...base, phases: [{ executor: 'constant-concurency', concurrency: 1, duration: '1s' }] });
    assert.ok(exec.some((l) => l.startsWith('$.phases[0].executor: unknown executor the string "constant-concurency"; did you mean "constant-concurrency"?')), exec.join('\n'));
    const tag = messages({ ...base, phases: [{ executor: 5 }] });
    assert.ok(tag.some((l) => l.startsWith('$.phases[0].executor: expected an executor name (') && l.endsWith('found number 5')), tag.join('\n'));
    for (const [v, d] of [[null, 'null'], [[1], 'an array'], [{}, 'an object'], [true, 'boolean true']] as const) {
      assert.ok(messages({ ...base, name: v, phases: [{ executor: 'iterations', iterations: 1 }] }).includes(`$.name: expected string, found ${d}`), String(v));
    }
  });
  it('a valid profile comes back as it was; messages are not repeated', () => {
    const p = { ...base, phases: [{ executor: 'iterations', iterations: 3 }] };
    assert.equal(validateProfile(p), p);
    const m = messages({ ...base, phases: [{ executor: 'iterations', iterations: 0 }, { executor: 'iterations', iterations: 0 }] });
    assert.equal(new Set(m).size, m.length);
    assert.ok(m.some((l) => l.startsWith('$.phases[1].iterations')));
  });
  it('not an object at all', () => {
    assert.ok(messages(7).includes('$: expected object, found number 7'));
    assert.ok(messages(null).includes('$: expected object, found null'));
  });
});

describe('profile: normalisation and reading', () => {
  it('extractor specs split at the last #', () => {
    assert.deepEqual(splitExtractorSpec('./a.js'), { file: './a.js', exportName: undefined });
    assert.deepEqual(splitExtractorSpec('./a.js#run'), { file: './a.js', exportName: 'run' });
    assert.deepEqual(splitExtractorSpec('./x#y/a.js#run'), { file: './x#y/a.js', exportName: 'run' });
    assert.deepEqual(splitExtractorSpec('./a.js#'), { file: './a.js', exportName: undefined });
    assert.deepEqual(splitExtractorSpec('#a'), { file: '#a', exportName: undefined });
  });
  it('defaults, durations in ms, paths resolved against the profile\'s folder', () => {
    const dir = path.dirname(fixture('noop.mjs'));
    const n = normalizeProfile({ extractor: './noop.mjs', phases: [{ executor: 'iterations', iterations: 1 }] }, dir);
    assert.equal(n.name, 'noop');
    assert.equal(n.extractorPath, fixture('noop.mjs'));
    assert.equal(n.exportName, undefined);
    assert.equal(n.dataPath, undefined);
    assert.equal(n.snapshotIntervalMs, 1000);
    assert.equal(n.stepWarmupMs, 0);
    assert.equal(n.hangTimeoutMs, 10_000);
    assert.equal(n.maxFaults, 10);
    assert.equal(n.pin, false);
    assert.deepEqual(n.thresholds, {});
    assert.deepEqual(n.analysis, {});
    assert.equal(n.seed, undefined);
    const full = normalizeProfile({
      name: 'named', extractor: './noop.mjs#other', data: './rows.csv', snapshotInterval: '250ms', stepWarmup: '2s', hangTimeout: '1m',
      maxFaults: 3, pin: true, seed: 9, maxWorkerHeapMb: 64, extractorOptions: { k: 1 }, phases: [{ executor: 'iterations', iterations: 1 }],
    }, dir);
    assert.equal(full.name, 'named');
    assert.equal(full.exportName, 'other');
    assert.equal(full.dataPath, fixture('rows.csv'));
    assert.equal(full.snapshotIntervalMs, 250);
    assert.equal(full.stepWarmupMs, 2000);
    assert.equal(full.hangTimeoutMs, 60_000);
    assert.equal(full.maxFaults, 3);
    assert.equal(full.pin, true);
    assert.equal(full.seed, 9);
    assert.equal(full.maxWorkerHeapMb, 64);
    assert.deepEqual(full.extractorOptions, { k: 1 });
  });
  it('a mix: each function resolved with its own data and options (default the profile\'s); mistakes named by their JSON path', () => {
    const dir = path.dirname(fixture('noop.mjs'));
    const ph = [{ executor: 'iterations', iterations: 1 }];
    const n = normalizeProfile({
      extractorOptions: { shared: 1 }, phases: ph,
      mix: [{ name: 'a', extractor: './noop.mjs', weight: 3 }, { name: 'b', extractor: './noop.mjs#other', weight: 1, data: './rows.csv', extractorOptions: { own: 2 } }],
    }, dir, 'p.json');
    assert.deepEqual(n.mix, [
      { name: 'a', extractorPath: fixture('noop.mjs'), exportName: undefined, dataPath: undefined, extractorOptions: { shared: 1 }, weight: 3 },
      { name: 'b', extractorPath: fixture('noop.mjs'), exportName: 'other', dataPath: fixture('rows.csv'), extractorOptions: { own: 2 }, weight: 1 },
    ]);
    assert.equal(n.name, 'noop', 'named after its first function\'s file');
    assert.equal(normalizeProfile({ extractor: './noop.mjs', phases: ph }, dir).mix, undefined);
    const fn = (x: Record<string, unknown>): StrainError => strainError(() => normalizeProfile({ phases: ph, ...x }, dir, 'p.json'));
    const one = { name: 'a', extractor: './noop.mjs', weight: 1 };
    assert.equal(fn({}).where, 'p.json $.extractor');
    assert.match(fn({}).message, /is required \(or "mix"/);
    assert.equal(fn({ extractor: './noop.mjs', mix: [one] }).where, 'p.json $.mix');
    assert.equal(fn({ mix: [one, one] }).where, 'p.json $.mix[1].name');
    assert.match(fn({ mix: [one, one] }).message, /the name "a" is given twice/);
    assert.equal(fn({ mix: [one, { ...one, name: 'b', extractor: './nope.mjs' }] }).where, 'p.json $.mix[1].extractor');
    assert.equal(fn({ mix: [{ ...one, data: './nope.csv' }] }).where, 'p.json $.mix[0].data');
    const batched = fn({ mix: [one], phases: [ph[0], { executor: 'iterations', iterations: 10, batchSize: 5 }] });
    assert.equal(batched.where, 'p.json $.phases[1].batchSize');
    assert.doesNotThrow(() => normalizeProfile({ mix: [one], phases: [{ executor: 'iterations', iterations: 10, batchSize: 1 }] }, dir));
  });

  it('missing files and bad durations are named by their JSON path', () => {
    const dir = path.dirname(fixture('noop.mjs'));
    const ph = [{ executor: 'iterations', iterations: 1 }];
    const ex = strainError(() => normalizeProfile({ extractor: './nope.mjs', phases: ph }, dir, 'p.json'));
    assert.equal(ex.code, 'STRAIN_FILE_MISSING');
    assert.equal(ex.where, 'p.json $.extractor');
    assert.equal(ex.message, `p.json $.extractor: file not found: ${path.join(dir, 'nope.mjs')}`);
    assert.equal(strainError(() => normalizeProfile({ extractor: '.', phases: ph }, dir)).code, 'STRAIN_FILE_MISSING', 'a folder is not a file');
    assert.equal(strainError(() => normalizeProfile({ extractor: './noop.mjs', data: './none.csv', phases: ph }, dir, 'q')).where, 'q $.data');
    for (const key of ['snapshotInterval', 'stepWarmup', 'hangTimeout']) {
      const e = strainError(() => normalizeProfile({ extractor: './noop.mjs', [key]: '5 parsecs', phases: ph }, dir, 'p.json'));
      assert.equal(e.code, 'STRAIN_DURATION');
      assert.equal(e.where, `p.json $.${key}`);
    }
  });
  it('reads JSON (with a byte-order mark) and modules; refuses what it cannot read', async () => {
    const dir = tempDir();
    const p = { extractor: fixture('noop.mjs'), phases: [{ executor: 'iterations', iterations: 2 }] };
    writeFileSync(path.join(dir, 'a.json'), `\ufeff${JSON.stringify(p)}`);
    const r = await readProfileFile(path.join(dir, 'a.json'));
    assert.deepEqual(r.profile, p);
    assert.equal(r.baseDir, dir);
    writeFileSync(path.join(dir, 'm.mjs'), `export default ${JSON.stringify(p)};`);
    assert.deepEqual((await readProfileFile(path.join(dir, 'm.mjs'))).profile, p);
    writeFileSync(path.join(dir, 'n.mjs'), `export const profile = ${JSON.stringify(p)};`);
    assert.deepEqual((await readProfileFile(path.join(dir, 'n.mjs'))).profile, p);
    writeFileSync(path.join(dir, 'c.cjs'), `module.exports = ${JSON.stringify(p)};`);
    assert.deepEqual((await readProfileFile(path.join(dir, 'c.cjs'))).profile, p);
    writeFileSync(path.join(dir, 'e.mjs'), 'export const x = 1;');
    const none = await readProfileFile(path.join(dir, 'e.mjs')).catch((e: StrainError) => e);
    assert.equal((none as StrainError).code, 'STRAIN_PROFILE_READ');
    assert.match((none as StrainError).message, /no default export/);
    writeFileSync(path.join(dir, 'bad.mjs'), 'export default {');
    assert.match(((await readProfileFile(path.join(dir, 'bad.mjs')).catch((e: StrainError) => e)) as StrainError).message, /bad\.mjs: cannot load the profile module: /);
    for (const missing of ['missing.mjs', 'missing.json']) {
      const e = (await readProfileFile(path.join(dir, missing)).catch((x: StrainError) => x)) as StrainError;
      assert.equal(e.code, 'STRAIN_PROFILE_READ', missing);
      assert.equal(e.where, path.join(dir, missing));
    }
    writeFileSync(path.join(dir, 'inv.json'), JSON.stringify({ extractor: 'x' }));
    assert.equal(((await readProfileFile(path.join(dir, 'inv.json')).catch((x: StrainError) => x)) as StrainError).code, 'STRAIN_PROFILE_INVALID');
  });
});

describe('profile: overrides', () => {
  const profile: Profile = {
    extractor: 'x.mjs',
    phases: [
      { executor: 'constant-concurrency', concurrency: 2, duration: '10s' },
      { executor: 'ramping-concurrency', from: 1, to: 4, stepDuration: '5s' },
      { executor: 'constant-arrival-rate', rate: 100, duration: '10s', maxConcurrency: 2 },
      { executor: 'ramping-arrival-rate', from: 10, to: 50, stepDuration: '5s' },
      { executor: 'iterations', iterations: 100, concurrency: 1 },
      { executor: 'capacity-search', from: 100, probeDuration: '2s' },
      { executor: 'capacity-search', mode: 'concurrency', from: 1, max: 8, probeDuration: '2s' },
    ],
  };
  it('each override lands on the phases it names, and nowhere else', () => {
    const o = applyOverrides(profile, { duration: '3s', concurrency: 3, rate: 7, data: 'd.csv' }, '/work');
    const [cc, rc, car, rar, it, rs, cs] = o.phases as unknown as Record<string, unknown>[];
    assert.equal(rs!['probeDuration'], '3s');
    assert.equal(rs!['maxConcurrency'], 3, 'a rate search runs on --concurrency workers');
    assert.equal(rs!['from'], 100);
    assert.equal(cs!['probeDuration'], '3s');
    assert.equal(cs!['maxConcurrency'], undefined, 'a concurrency search searches the concurrency itself');
    assert.equal(cs!['from'], 1);
    assert.equal(cc!['duration'], '3s');
    assert.equal(cc!['concurrency'], 3);
    assert.equal(rc!['stepDuration'], '3s');
    assert.equal(rc!['concurrency'], undefined, 'a ramp keeps its own levels');
    assert.equal(car!['duration'], '3s');
    assert.equal(car!['rate'], 7);
    assert.equal(car!['maxConcurrency'], 3);
    assert.equal(rar!['stepDuration'], '3s');
    assert.equal(rar!['maxConcurrency'], 3);
    assert.equal(rar!['rate'], undefined);
    assert.equal(it!['concurrency'], 3);
    assert.equal(it!['duration'], undefined);
    assert.equal(o.data, path.resolve('/work', 'd.csv'));
    assert.equal((profile.phases[0] as { concurrency: number }).concurrency, 2, 'the input is not changed');
    assert.deepEqual(applyOverrides(profile, {}, '/w'), { ...profile, phases: profile.phases.map((p) => ({ ...p })) });
    assert.equal('data' in applyOverrides(profile, {}, '/w'), false);
  });
  it('bad values are refused with the flag named', () => {
    assert.equal(strainError(() => applyOverrides(profile, { duration: 'soon' }, '/')).where, '--duration');
    for (const c of [0, 1.5, -1, NaN]) assert.equal(strainError(() => applyOverrides(profile, { concurrency: c }, '/')).message, `--concurrency must be a positive integer, found ${c}`);
    for (const r of [0, -1, Infinity, NaN]) assert.equal(strainError(() => applyOverrides(profile, { rate: r }, '/')).message, `--rate must be a positive number of calls per second, found ${r}`);
    const closed: Profile = { extractor: 'x', phases: [{ executor: 'iterations', iterations: 1 }] };
    const e = strainError(() => applyOverrides(closed, { rate: 5 }, '/'));
    assert.equal(e.code, 'STRAIN_USAGE');
    assert.match(e.message, /--rate applies to constant-arrival-rate phases, and this profile has none/);
    assert.equal(applyOverrides(closed, { concurrency: 1 }, '/').phases.length, 1);
  });
});

describe('profile: presets', () => {
  const b = { extractor: 'x.mjs', name: 'n' };
  it('defineProfile is the identity', () => {
    const p: Profile = { extractor: 'x', phases: [{ executor: 'iterations', iterations: 1 }] };
    assert.equal(defineProfile(p), p);
  });
  it('ramp: concurrency by default, rate on request, optional keys only when given', () => {
    assert.deepEqual(ramp({ ...b, from: 1, to: 4, stepDuration: '1s' }), { ...b, phases: [{ name: 'ramp', executor: 'ramping-concurrency', from: 1, to: 4, stepDuration: '1s' }] });
    assert.deepEqual(ramp({ ...b, from: 1, to: 4, step: 2, stepDuration: '1s' }).phases[0], { name: 'ramp', executor: 'ramping-concurrency', from: 1, to: 4, step: 2, stepDuration: '1s' });
    assert.deepEqual(ramp({ ...b, mode: 'rate', from: 10, to: 40, step: 10, stepDuration: '2s', maxConcurrency: 2, arrival: 'poisson' }).phases[0],
      { name: 'ramp', executor: 'ramping-arrival-rate', from: 10, to: 40, step: 10, stepDuration: '2s', maxConcurrency: 2, arrival: 'poisson' });
    assert.deepEqual(ramp({ ...b, mode: 'rate', from: 10, to: 40, stepDuration: '2s' }).phases[0], { name: 'ramp', executor: 'ramping-arrival-rate', from: 10, to: 40, stepDuration: '2s' });
  });
  it('spike: baseline, factor × baseline (4 by default; rounded for concurrency), baseline', () => {
    const s = spike({ ...b, baseline: 3, factor: 2.5, baselineDuration: '1s', spikeDuration: '2s', recoveryDuration: '3s' });
    assert.deepEqual(s, { ...b, phases: [
      { name: 'baseline', executor: 'constant-concurrency', concurrency: 3, duration: '1s' },
      { name: 'spike', executor: 'constant-concurrency', concurrency: 8, duration: '2s' },
      { name: 'recovery', executor: 'constant-concurrency', concurrency: 3, duration: '3s' },
    ] });
    const r = spike({ ...b, mode: 'rate', baseline: 10, baselineDuration: 1, spikeDuration: 2, recoveryDuration: 3, maxConcurrency: 2, arrival: 'uniform' });
    assert.deepEqual(r.phases.map((p) => [p.name, (p as { rate: number }).rate, (p as { duration: number }).duration, (p as { maxConcurrency?: number }).maxConcurrency, (p as { arrival?: string }).arrival]),
      [['baseline', 10, 1, 2, 'uniform'], ['spike', 40, 2, 2, 'uniform'], ['recovery', 10, 3, 2, 'uniform']]);
    assert.equal((spike({ ...b, mode: 'rate', baseline: 3, factor: 2.5, baselineDuration: 1, spikeDuration: 1, recoveryDuration: 1 }).phases[1] as { rate: number }).rate, 7.5, 'a rate is not rounded');
    assert.equal('maxConcurrency' in (spike({ ...b, mode: 'rate', baseline: 3, baselineDuration: 1, spikeDuration: 1, recoveryDuration: 1 }).phases[0] as object), false);
  });
  it('endurance: a constant rate by default, or a constant concurrency', () => {
    assert.deepEqual(endurance({ ...b, load: 50, duration: '1h' }).phases, [{ name: 'endurance', executor: 'constant-arrival-rate', rate: 50, duration: '1h' }]);
    assert.deepEqual(endurance({ ...b, load: 50, duration: '1h', maxConcurrency: 4, arrival: 'poisson' }).phases[0], { name: 'endurance', executor: 'constant-arrival-rate', rate: 50, duration: '1h', maxConcurrency: 4, arrival: 'poisson' });
    assert.deepEqual(endurance({ ...b, mode: 'concurrency', load: 2, duration: '1h' }).phases, [{ name: 'endurance', executor: 'constant-concurrency', concurrency: 2, duration: '1h' }]);
  });
  it('breakpoint: a rate ramp to max with its stop conditions by default, or a concurrency ramp', () => {
    const stopWhen = { errorRate: 0.05, p99Ms: 100 };
    assert.deepEqual(breakpoint({ ...b, from: 100, step: 100, max: 1000, stepDuration: '10s', stopWhen }).phases,
      [{ name: 'breakpoint', executor: 'ramping-arrival-rate', from: 100, to: 1000, step: 100, stepDuration: '10s', stopWhen }]);
    assert.deepEqual(breakpoint({ ...b, from: 1, step: 1, max: 8, stepDuration: '10s', stopWhen, maxConcurrency: 8, arrival: 'poisson' }).phases[0],
      { name: 'breakpoint', executor: 'ramping-arrival-rate', from: 1, to: 8, step: 1, stepDuration: '10s', stopWhen, maxConcurrency: 8, arrival: 'poisson' });
    assert.deepEqual(breakpoint({ ...b, mode: 'concurrency', from: 1, step: 1, max: 8, stepDuration: '10s', stopWhen }).phases,
      [{ name: 'breakpoint', executor: 'ramping-concurrency', from: 1, to: 8, step: 1, stepDuration: '10s', stopWhen }]);
  });
  it('every preset\'s output is a valid profile', () => {
    const e = { extractor: fixture('noop.mjs') };
    for (const p of [
      ramp({ ...e, from: 1, to: 2, stepDuration: '1s' }),
      spike({ ...e, baseline: 1, baselineDuration: '1s', spikeDuration: '1s', recoveryDuration: '1s' }),
      endurance({ ...e, load: 5, duration: '1s' }),
      breakpoint({ ...e, from: 1, step: 1, max: 3, stepDuration: '1s', stopWhen: { errorRate: 0.1 } }),
    ]) assert.equal(validateProfile(p), p);
  });
});

describe('profile: the schema document', () => {
  it('is the validator\'s schema with a draft-07 $schema and a title, as indented JSON ending in a newline', () => {
    assert.equal(SCHEMA_FILE, 'scenarios/profile.schema.json');
    const doc = profileSchemaDocument();
    assert.deepEqual(doc, { $schema: 'http://json-schema.org/draft-07/schema#', title: 'strain profile', ...profileSchema });
    const text = profileSchemaText();
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(doc)));
    assert.ok(text.endsWith('}\n'));
    assert.ok(text.startsWith('{\n  "$schema": "http://json-schema.org/draft-07/schema#",\n  "title": "strain profile",\n'));
  });
});

describe('profile fingerprint and files', () => {
  it('the fingerprint ignores key order, description and $schema, and changes with anything measured', async () => {
    const { profileFingerprint } = await import('../src/profile/fingerprint.js');
    const a = { extractor: './x.mjs', phases: [{ executor: 'constant-concurrency', concurrency: 2, duration: '1s' }] } as Profile;
    const b = { phases: [{ duration: '1s', concurrency: 2, executor: 'constant-concurrency' }], description: 'same', $schema: 's', extractor: './x.mjs' } as Profile;
    assert.equal(profileFingerprint(a), profileFingerprint(b));
    assert.match(profileFingerprint(a), /^sha256:[0-9a-f]{32}$/);
    const c = { ...a, phases: [{ executor: 'constant-concurrency', concurrency: 3, duration: '1s' }] } as Profile;
    assert.notEqual(profileFingerprint(a), profileFingerprint(c));
    assert.notEqual(profileFingerprint(a), profileFingerprint({ ...a, seed: 1 } as Profile));
    assert.notEqual(profileFingerprint({ ...a, extractorOptions: [1, 2] } as Profile), profileFingerprint({ ...a, extractorOptions: [2, 1] } as Profile));
    assert.equal(profileFingerprint({ ...a, name: undefined } as unknown as Profile), profileFingerprint(a));
  });

  it('requireFiles: false reads a profile whose extractor and data are elsewhere (a merge on another machine)', () => {
    const p = { extractor: './gone.mjs', data: './gone.csv', mix: undefined, phases: [{ executor: 'constant-concurrency', concurrency: 1, duration: '1s' }] };
    assert.throws(() => normalizeProfile(p, '/nowhere', 'p.json'), (e: unknown) => isStrainError(e) && e.code === 'STRAIN_FILE_MISSING');
    const n = normalizeProfile(p, '/nowhere', 'p.json', { requireFiles: false });
    assert.equal(n.extractorPath, '/nowhere/gone.mjs');
    assert.equal(n.dataPath, '/nowhere/gone.csv');
    const mix = { mix: [{ name: 'a', extractor: './gone.mjs', weight: 1, data: './gone.csv' }], phases: p.phases };
    assert.throws(() => normalizeProfile(mix, '/nowhere', 'p.json'), (e: unknown) => isStrainError(e) && (e as StrainError).where === 'p.json $.mix[0].extractor');
    assert.equal(normalizeProfile(mix, '/nowhere', 'p.json', { requireFiles: false }).mix?.[0]?.dataPath, '/nowhere/gone.csv');
    assert.throws(() => normalizeProfile(mix, '/nowhere', 'p.json', { requireFiles: true }), (e: unknown) => isStrainError(e) && e.code === 'STRAIN_FILE_MISSING');
  });
});
