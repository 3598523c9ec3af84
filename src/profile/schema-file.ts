import { profileSchema } from './schema.js';

/** Where the package ships the profile's JSON Schema for editors (`strain/profile.schema.json`). */
export const SCHEMA_FILE = 'scenarios/profile.schema.json';

/**
 * The validator's own schema as a standalone JSON Schema document: the file
 * editors read is this object, written by `npm run schema`, and a test
 * fails when the two differ.
 */
export function profileSchemaDocument(): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', title: 'strain profile', ...profileSchema };
}

export function profileSchemaText(): string {
  return `${JSON.stringify(profileSchemaDocument(), null, 2)}\n`;
}
