import { mkdirSync, renameSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastJson from 'fast-json-stringify';
import { Ajv } from 'ajv';
import { StrainError } from '../errors.js';
import { resultSchema, type StrainResult } from './schema.js';

const stringify = fastJson(resultSchema as unknown as Parameters<typeof fastJson>[0]);
const validate = new Ajv({ allErrors: true, strict: false }).compile(resultSchema);

/** The result as JSON text, shaped by the schema (unknown fields are dropped). */
export function serializeResult(result: StrainResult): string {
  return stringify(result);
}

/** Schema errors of a result, empty when it conforms. */
export function resultSchemaErrors(data: unknown): string[] {
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
