// npm run schema: rewrites the shipped profile schema from the validator's,
// and the compiled validator in src/generated (run it, then build).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { profileSchemaText, SCHEMA_FILE } from '../../src/profile/schema-file.js';
import { ROOT } from '../helpers.js';
import { PROFILE_VALIDATOR_FILE, profileValidatorSource } from './generated-code.js';

writeFileSync(path.join(ROOT, SCHEMA_FILE), profileSchemaText());
writeFileSync(path.join(ROOT, PROFILE_VALIDATOR_FILE), profileValidatorSource());
process.stdout.write(`wrote ${SCHEMA_FILE}, ${PROFILE_VALIDATOR_FILE}\n`);
