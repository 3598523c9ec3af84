import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ERROR_CODES, EXIT } from '../src/errors.js';
import { ROOT } from './helpers.js';

describe('error codes', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  it('the README lists every error code with its exit code, and no others', () => {
    const listed = new Map([...readme.matchAll(/^\| `(STRAIN_[A-Z_]+)` \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])]));
    assert.deepEqual([...listed.keys()].sort(), Object.keys(ERROR_CODES).sort());
    for (const [code, { exit }] of Object.entries(ERROR_CODES)) assert.equal(listed.get(code), exit, code);
  });
  it('the README lists every exit code', () => {
    for (const code of Object.values(EXIT)) assert.match(readme, new RegExp(`^\\| ${code} \\|`, 'm'), `exit ${code}`);
  });
});
