// The first minute with the CLI: examples in every command's help, the
// closest option or command suggested for a typo, and unnamed phases named
// for what they are.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { phaseNames } from '../src/plan/phase-name.js';
import { planProfile } from '../src/plan/plan.js';
import { normalizeProfile } from '../src/profile/load.js';
import { parseThresholds } from '../src/run.js';
import type { Phase } from '../src/profile/schema.js';
import { captureIo, fixture, ROOT } from './helpers.js';

describe('cli: help with examples', () => {
  it('strain --help shows examples', async () => {
    const io = captureIo();
    assert.equal(await main(['--help'], io), 0);
    assert.ok(io.out.join('').includes('strain run scenarios/quick-ramp.json'));
  });
  for (const [cmd, example] of [
    ['run', 'strain run scenarios/quick-ramp.json'],
    ['ab', 'strain ab scenarios/quick-ramp.json --base-ref origin/main'],
    ['compare', 'strain compare base.json strain-results/result.json'],
    ['history', 'strain history hist/ --metric p99 --last 30'],
    ['report', 'strain report strain-results/result.json --format md,junit'],
    ['recover', 'strain recover strain-results'],
  ] as const) {
    it(`${cmd} --help shows examples`, async () => {
      const io = captureIo();
      assert.equal(await main([cmd, '--help'], io), 0);
      const out = io.out.join('');
      assert.match(out, /Examples:/);
      assert.ok(out.includes(example), out);
    });
  }
});

describe('cli: suggestions', () => {
  it('a misspelt option names the closest one of that command', async () => {
    const io = captureIo();
    assert.equal(await main(['run', fixture('noop.mjs'), '--concurency', '2'], io), 2);
    assert.match(io.err.join(''), /Unknown argument: concurency; did you mean --concurrency for concurency\?/);
    const io2 = captureIo();
    assert.equal(await main(['history', 'x', '--metrc', 'p99'], io2), 2);
    assert.match(io2.err.join(''), /did you mean --metric for metrc\?/);
  });
  it('a misspelt command names the closest command; nonsense gets no guess', async () => {
    const io = captureIo();
    assert.equal(await main(['reprot', 'x'], io), 2);
    assert.match(io.err.join(''), /did you mean the command report for reprot/);
    const io2 = captureIo();
    assert.equal(await main(['run', fixture('noop.mjs'), '--zzzzzzzz'], io2), 2);
    assert.match(io2.err.join(''), /Unknown argument: zzzzzzzz\n/);
  });
});

describe('phase names', () => {
  it('an unnamed phase reads as what it is; a shared description gets its position', () => {
    const phases: Phase[] = [
      { executor: 'ramping-concurrency', from: 1, to: 4, stepDuration: '1s' },
      { executor: 'ramping-concurrency', stages: [{ target: 1, duration: '1s' }, { target: 3, duration: '1s' }], name: 'staged' },
      { executor: 'ramping-concurrency', stages: [{ target: 2, duration: '1s' }, { target: 1, duration: '1s' }] },
      { executor: 'constant-concurrency', concurrency: 2, duration: '1s' },
      { executor: 'constant-arrival-rate', rate: 500, duration: '1s' },
      { executor: 'ramping-arrival-rate', from: 10, to: 50, stepDuration: '1s' },
      { executor: 'ramping-arrival-rate', stages: [{ target: 10, duration: '1s' }, { target: 40, duration: '1s' }] },
      { executor: 'iterations', iterations: 100 },
      { executor: 'iterations', iterations: 100 },
      { executor: 'ramping-concurrency', stages: [1, 2, 3, 4, 5, 6, 2].map((target) => ({ target, duration: '1s' })) },
    ];
    assert.deepEqual(phaseNames(phases), [
      'ramping-concurrency 1→4', 'staged', 'ramping-concurrency 2→1', 'constant-concurrency 2', 'constant-arrival-rate 500/s',
      'ramping-arrival-rate 10→50/s', 'ramping-arrival-rate 10→40/s', 'iterations 100 (phase 8)', 'iterations 100 (phase 9)',
      'ramping-concurrency 1→…→2 (7 stages)',
    ]);
  });
  it('the plan, and so every report, uses them; a threshold can name an unnamed phase by them', () => {
    const p = { extractor: fixture('noop.mjs'), phases: [{ executor: 'ramping-concurrency', from: 1, to: 2, stepDuration: '1s' }, { executor: 'iterations', iterations: 5 }] };
    const plan = planProfile(normalizeProfile(p, ROOT));
    assert.deepEqual([...new Set(plan.steps.map((s) => s.phase))], ['ramping-concurrency 1→2', 'iterations 5']);
    const scoped = (phase: string) => parseThresholds(normalizeProfile({ ...p, thresholds: { latency: [{ threshold: 'p(99)<5', phase }] } }, ROOT), 'p.json');
    assert.equal(scoped('iterations 5')[0]!.phase, 'iterations 5');
    assert.throws(() => scoped('1:iterations'), /p\.json \$\.thresholds\.latency\[0\]\.phase: no phase is named "1:iterations"/);
  });
});
