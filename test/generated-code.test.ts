import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers.js';
import { PROFILE_VALIDATOR_FILE, profileValidatorSource, RESULT_SERIALIZER_FILE, resultSerializerSource } from './tools/generated-code.js';

// A schema change without `npm run schema` would validate profiles, or write
// results, by the old schema.
test('the compiled profile validator in src/generated is the one the schema gives now', () => {
  assert.equal(readFileSync(path.join(ROOT, PROFILE_VALIDATOR_FILE), 'utf8'), profileValidatorSource(), 'run `npm run schema`');
});

test('the compiled result serializer in src/generated is the one the schema gives now', () => {
  assert.equal(readFileSync(path.join(ROOT, RESULT_SERIALIZER_FILE), 'utf8'), resultSerializerSource(), 'run `npm run schema`');
});
