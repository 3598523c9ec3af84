// strain init: the printed command runs what it wrote, and a second init
// refuses to overwrite anything.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { ROOT, captureIo, tempDir } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'strain.js');

function runPrinted(out: string, cwd: string): { code: number; resultDir: string } {
  const m = /next: npx strain run (\S+)\n/.exec(out);
  assert.ok(m, out);
  try {
    execFileSync(process.execPath, [BIN, 'run', m[1]!, '--quiet'], { cwd, stdio: 'pipe', encoding: 'utf8' });
  } catch (e) {
    const x = e as { status: number; stderr: string; stdout: string };
    assert.fail(`exit ${x.status}: ${x.stderr}${x.stdout}`);
  }
  const results = path.join(cwd, 'strain-results');
  const [first] = readdirSync(results);
  return { code: 0, resultDir: path.join(results, first!) };
}

describe('strain init', () => {
  for (const ts of [false, true]) {
    it(`${ts ? '--ts: ' : ''}an empty folder gets a project whose printed command runs it to exit 0`, async () => {
      const cwd = tempDir();
      const io = captureIo(cwd);
      assert.equal(await main(['init', 'perf', ...(ts ? ['--ts'] : [])], io), 0, io.err.join(''));
      const dir = path.join(cwd, 'perf');
      const ext = ts ? 'extractor.ts' : 'extractor.mjs';
      assert.deepEqual(readdirSync(dir).sort(), ['data.csv', ext, 'profile.json'].sort());
      const profile = JSON.parse(readFileSync(path.join(dir, 'profile.json'), 'utf8')) as { $schema: string; extractor: string };
      assert.equal(path.resolve(dir, profile.$schema), path.join(ROOT, 'scenarios', 'profile.schema.json'), 'the schema is found from the profile');
      assert.equal(profile.extractor, `./${ext}`);
      const { resultDir } = runPrinted(io.out.join(''), cwd);
      const result = JSON.parse(readFileSync(path.join(resultDir, 'result.json'), 'utf8')) as { status: string; exitCode: number; total: { count: number; errors: number }; verdict: { passed: boolean } };
      assert.equal(result.status, 'completed');
      assert.equal(result.exitCode, 0);
      assert.ok(result.total.count > 0);
      assert.equal(result.total.errors, 0);
      assert.equal(result.verdict.passed, true);
    });
  }

  it('a second init refuses, names what it would overwrite and writes nothing', async () => {
    const cwd = tempDir();
    assert.equal(await main(['init'], captureIo(cwd)), 0);
    writeFileSync(path.join(cwd, 'profile.json'), 'mine');
    const io = captureIo(cwd);
    assert.equal(await main(['init', '--ts'], io), 2);
    assert.match(io.err.join(''), /STRAIN_INIT_EXISTS: .*would overwrite data\.csv, profile\.json; nothing was written/);
    assert.equal(readFileSync(path.join(cwd, 'profile.json'), 'utf8'), 'mine');
    assert.equal(existsSync(path.join(cwd, 'extractor.ts')), false, 'not even the file that was free');
  });
});
