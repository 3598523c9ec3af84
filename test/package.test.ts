// What the package offers beyond its ES module: CommonJS users, and the
// profile's JSON Schema as a file editors read.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { profileSchemaDocument, SCHEMA_FILE } from '../src/profile/schema-file.js';
import { fixture, ROOT, tempDir } from './helpers.js';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return f === 'data' ? [] : jsonFiles(p);
    // A suite file lists profiles; it is not one (test/suite.test.ts reads the shipped one).
    return f.endsWith('.json') && f !== 'profile.schema.json' && !f.endsWith('.suite.json') ? [p] : [];
  });
}

describe('package: CommonJS', () => {
  it('require("strain") gets runStress, and a short profile runs from a .cjs file', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(ROOT, path.join(dir, 'node_modules', 'strain'), 'dir');
    writeFileSync(path.join(dir, 'run.cjs'), `
const { runStress, EXIT } = require('strain');
if (typeof runStress !== 'function') throw new Error('runStress is ' + typeof runStress);
runStress({ extractor: ${JSON.stringify(fixture('noop.mjs'))}, phases: [{ executor: 'iterations', iterations: 25 }] })
  .then((r) => process.stdout.write(JSON.stringify({ count: r.total.count, status: r.status, ok: typeof EXIT === 'object' })));
`);
    const out = execFileSync(process.execPath, [path.join(dir, 'run.cjs')], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.deepEqual(JSON.parse(out), { count: 25, status: 'completed', ok: true });
    assert.equal((pkg.exports['.'] as Record<string, string>)['require'], './dist/src/index.js');
  });
});

describe('package: the profile schema file', () => {
  const file = path.join(ROOT, SCHEMA_FILE);
  const onDisk = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  it('is exported as strain/profile.schema.json and equals the schema the validator uses (npm run schema rewrites it)', () => {
    assert.equal(pkg.exports['./profile.schema.json'], `./${SCHEMA_FILE}`);
    assert.deepEqual(onDisk, JSON.parse(JSON.stringify(profileSchemaDocument())));
  });
  it('every shipped scenario names it in $schema and validates against the file itself', () => {
    // A fresh validator compiled from the file, not the one strain uses.
    const check = new Ajv({ allErrors: true, discriminator: true, strict: false }).compile(onDisk);
    const scenarios = jsonFiles(path.join(ROOT, 'scenarios'));
    assert.ok(scenarios.length >= 10, `${scenarios.length} scenarios`);
    for (const f of scenarios) {
      const p = JSON.parse(readFileSync(f, 'utf8')) as { $schema?: string };
      assert.equal(p.$schema && path.resolve(path.dirname(f), p.$schema), file, `${path.relative(ROOT, f)} $schema`);
      assert.equal(check(p), true, `${path.relative(ROOT, f)}: ${JSON.stringify(check.errors)}`);
    }
    // The file rejects what the validator rejects.
    assert.equal(check({ extractor: 'x', phases: [{ executor: 'iterations', iterations: 0 }] }), false);
    assert.equal(check({ extractor: 'x', phses: [] }), false);
  });
});
