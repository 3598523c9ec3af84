import type { ErrorObject, ValidateFunction } from 'ajv';
import generatedValidator from '../generated/profile-validator.js';
import { StrainError } from '../errors.js';
import { EXECUTORS, type Profile } from './schema.js';
import { didYouMean } from './did-you-mean.js';

export { didYouMean, editDistance } from './did-you-mean.js';

/** Ajv's options for the profile validator (the generated one is compiled with these too). */
export const PROFILE_AJV_OPTIONS = { allErrors: true, verbose: true, discriminator: true, strict: false } as const;

// Compiled at build time by Ajv's standalone mode (`npm run schema`): a run
// loads the validator instead of compiling the schema on every start.
const validator = (): ValidateFunction => generatedValidator as unknown as ValidateFunction;

/** `/phases/0/to` → `$.phases[0].to` */
export function toJsonPath(instancePath: string): string {
  let out = '$';
  for (const raw of instancePath.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function explain(e: ErrorObject): { path: string; text: string } {
  const path = toJsonPath(e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params['additionalProperty']);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = didYouMean(key, allowed);
      return {
        path: `${path}.${key}`,
        text: `unknown key ${JSON.stringify(key)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''} (allowed: ${allowed.join(', ')})`,
      };
    }
    case 'required':
      return { path: `${path}.${String(e.params['missingProperty'])}`, text: 'is required but missing' };
    case 'type':
      return { path, text: `expected ${String(e.params['type']).replace(',', ' or ')}, found ${describe(e.data)}` };
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
      return { path, text: `expected a number ${String(e.params['comparison'])} ${String(e.params['limit'])}, found ${describe(e.data)}` };
    case 'minItems':
      return { path, text: `expected at least ${String(e.params['limit'])} item(s), found ${(e.data as unknown[]).length}` };
    case 'minLength':
      return { path, text: 'expected a non-empty string' };
    case 'discriminator': {
      const tag = e.params['tagValue'];
      if (e.params['error'] === 'tag') return { path: `${path}.executor`, text: `expected an executor name (${EXECUTORS.join(', ')}), found ${describe(tag)}` };
      const hint = typeof tag === 'string' ? didYouMean(tag, EXECUTORS) : undefined;
      return {
        path: `${path}.executor`,
        text: `unknown executor ${describe(tag)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''} (expected one of ${EXECUTORS.join(', ')})`,
      };
    }
    case 'const':
      return { path, text: `expected ${JSON.stringify(e.params['allowedValue'])}, found ${describe(e.data)}` };
    default:
      return { path, text: e.message ?? `failed ${e.keyword}` };
  }
}

/** Throws one coded error listing every problem, each with its JSON path. */
export function validateProfile(input: unknown, source = 'profile'): Profile {
  const validateSchema = validator();
  if (validateSchema(input)) return input as Profile;
  const seen = new Set<string>();
  const lines: string[] = [];
  // anyOf/oneOf summaries repeat what their branches said; keep the specific ones.
  for (const e of validateSchema.errors ?? []) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const { path, text } = explain(e);
    const line = `${path}: ${text}`;
    if (!seen.has(line)) lines.push(line), seen.add(line);
  }
  throw new StrainError('STRAIN_PROFILE_INVALID', `not a valid profile:\n  ${lines.join('\n  ')}`, { where: source });
}
