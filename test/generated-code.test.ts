import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers.js';
import { PROFILE_VALIDATOR_FILE, profileValidatorSource } from './tools/generated-code.js';

// A schema change without `npm run schema` would validate profiles by the old schema.
test('the compiled profile validator in src/generated is the one the schema gives now', () => {
  assert.equal(readFileSync(path.join(ROOT, PROFILE_VALIDATOR_FILE), 'utf8'), profileValidatorSource(), 'run `npm run schema`');
});
