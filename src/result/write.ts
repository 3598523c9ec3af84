import { mkdirSync, renameSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type fastJsonType from 'fast-json-stringify';
import type { Ajv as AjvClass, ValidateFunction } from 'ajv';
import { StrainError } from '../errors.js';
import { lazy, requireCjs } from '../lazy/require.js';
import { resultSchema, type StrainResult } from './schema.js';

// Compiled on first use (see lazy/require.ts). fast-json-stringify tunes its
// code to the running V8, so its standalone output is not built ahead of time.
const stringifier = lazy(() => requireCjs<typeof fastJsonType>('fast-json-stringify')(resultSchema as unknown as Parameters<typeof fastJsonType>[0]));
const validator = lazy((): ValidateFunction => new (requireCjs<{ Ajv: typeof AjvClass }>('ajv').Ajv)({ allErrors: true, strict: false }).compile(resultSchema));

/** The result as JSON text, shaped by the schema (unknown fields are dropped). */
export function serializeResult(result: StrainResult): string {
  return stringifier()(result);
}

/** Schema errors of a result, empty when it conforms. */
export function resultSchemaErrors(data: unknown): string[] {
  const validate = validator();
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

/** Write a file by writing a temporary sibling and renaming it into place. */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function readResult(file: string): StrainResult {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new StrainError('STRAIN_RESULT_READ', `cannot read result: ${(e as Error).message}`, { where: file });
  }
  const errors = resultSchemaErrors(data);
  if (errors.length) throw new StrainError('STRAIN_RESULT_READ', `not a strain result: ${errors.slice(0, 5).join('; ')}`, { where: file });
  return data as StrainResult;
}

export function resultExists(dir: string): boolean {
  return existsSync(path.join(dir, 'result.json'));
}
