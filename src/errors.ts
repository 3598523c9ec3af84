/**
 * Every error strain raises on purpose, in one place. A code maps to an exit
 * code so the CLI can answer without inspecting messages; the README's table
 * is checked against this list by test/errors.test.ts.
 */
export const EXIT = {
  passed: 0,
  failed: 1,
  badInput: 2,
  engine: 3,
  /** Another run holds the lock (sysexits EX_TEMPFAIL: try again later). */
  locked: 75,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const ERROR_CODES = {
  STRAIN_PROFILE_READ: { exit: EXIT.badInput, summary: 'the profile file cannot be read' },
  STRAIN_PROFILE_PARSE: { exit: EXIT.badInput, summary: 'the profile file is not valid JSON' },
  STRAIN_PROFILE_INVALID: { exit: EXIT.badInput, summary: 'the profile does not match its schema' },
  STRAIN_DURATION: { exit: EXIT.badInput, summary: 'a duration string is malformed or not positive' },
  STRAIN_FILE_MISSING: { exit: EXIT.badInput, summary: 'a file the profile names does not exist' },
  STRAIN_DATA_PARSE: { exit: EXIT.badInput, summary: 'a data file has a malformed line' },
  STRAIN_DATA_EMPTY: { exit: EXIT.badInput, summary: 'a data file holds no rows' },
  STRAIN_THRESHOLD_SYNTAX: { exit: EXIT.badInput, summary: 'a threshold expression is malformed' },
  STRAIN_USAGE: { exit: EXIT.badInput, summary: 'a command-line option is wrong' },
  STRAIN_OUTPUT_EXISTS: { exit: EXIT.badInput, summary: 'the output folder already holds a result' },
  STRAIN_RESULT_READ: { exit: EXIT.badInput, summary: 'a saved result cannot be read' },
  STRAIN_CAPACITY: { exit: EXIT.badInput, summary: 'the plan needs more worker threads than this machine can hold' },
  STRAIN_CHECKPOINT_READ: { exit: EXIT.badInput, summary: 'the folder holds no readable checkpoint' },
  STRAIN_SUITE_INVALID: { exit: EXIT.badInput, summary: 'a suite file or folder names no usable profiles' },
  STRAIN_INIT_EXISTS: { exit: EXIT.badInput, summary: 'strain init would overwrite a file' },
  STRAIN_SHARD: { exit: EXIT.badInput, summary: 'a --shard is malformed, or the profile cannot be split into that many shards' },
  STRAIN_SHARD_ENV: { exit: EXIT.badInput, summary: '--shard auto found no shard index in the environment' },
  STRAIN_MERGE: { exit: EXIT.badInput, summary: 'the pieces given to strain merge are not shards of one run' },
  STRAIN_SHARD_START: { exit: EXIT.engine, summary: 'the other shards did not arrive at the --start-at rendezvous in time' },
  STRAIN_EXTRACTOR_LOAD: { exit: EXIT.engine, summary: 'the extractor module does not load' },
  STRAIN_EXTRACTOR_EXPORT: { exit: EXIT.engine, summary: 'the extractor module has no function to call' },
  STRAIN_EXTRACTOR_SETUP: { exit: EXIT.engine, summary: "the extractor's setup threw" },
  STRAIN_WORKER_START: { exit: EXIT.engine, summary: 'a worker thread could not start' },
  STRAIN_LOCKED: { exit: EXIT.locked, summary: 'another run holds the lock' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class StrainError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  /** Where the problem is: a JSON path, a file, a file:line. */
  readonly where: string | undefined;

  constructor(code: ErrorCode, message: string, options: { where?: string; cause?: unknown } = {}) {
    super(options.where ? `${options.where}: ${message}` : message, { cause: options.cause });
    this.name = 'StrainError';
    this.code = code;
    this.exitCode = ERROR_CODES[code].exit;
    this.where = options.where;
  }
}

export function isStrainError(e: unknown): e is StrainError {
  return e instanceof StrainError;
}

/** Normalise anything thrown into an Error (extractors may throw strings, null, objects). */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'string') return new Error(thrown);
  try {
    return new Error(`non-Error thrown: ${JSON.stringify(thrown)}`);
  } catch {
    return new Error(`non-Error thrown: ${String(thrown)}`);
  }
}
