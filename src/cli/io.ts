import { isStrainError } from '../errors.js';
import { EXIT } from '../errors.js';

/** Where a command writes: injected so tests can capture it. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal (progress redraws in place). */
  isTTY: boolean;
  cwd: string;
  /** Width of the terminal stdout is (help wraps to it); undefined when it is a pipe or file (no wrapping). */
  columns?: number | undefined;
  /** Signal handlers; the real CLI wires SIGINT/SIGTERM, tests pass their own. */
  onInterrupt: (handler: (signal: string) => void) => () => void;
  /** The environment the command reads (GITHUB_STEP_SUMMARY); tests pass their own, or none. */
  env?: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    env: process.env,
    onInterrupt: (handler) => {
      const h = (sig: NodeJS.Signals): void => handler(sig);
      process.on('SIGINT', h);
      process.on('SIGTERM', h);
      return () => {
        process.off('SIGINT', h);
        process.off('SIGTERM', h);
      };
    },
  };
}

/** Print a failure the way every command does and return its exit code. */
export function reportError(io: CliIo, e: unknown): number {
  if (isStrainError(e)) {
    io.stderr(`strain: error ${e.code}: ${e.message}\n`);
    const cause = e.cause instanceof Error ? e.cause : undefined;
    if (cause?.stack && e.exitCode === EXIT.engine) io.stderr(`${cause.stack}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.stderr(`strain: internal error: ${err.stack ?? err.message}\n`);
  return EXIT.engine;
}
