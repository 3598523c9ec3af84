// npm run schema: rewrites the shipped profile schema from the validator's.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { profileSchemaText, SCHEMA_FILE } from '../../src/profile/schema-file.js';
import { ROOT } from '../helpers.js';

writeFileSync(path.join(ROOT, SCHEMA_FILE), profileSchemaText());
process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
