/**
 * Load a CommonJS dependency on first use, synchronously. Compiling
 * validators and serializers, and even importing their packages, cost tens
 * of milliseconds each; `strain --help` and `import('strain')` should not
 * pay for what only a run needs.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

export function lazy<T>(load: () => T): () => T {
  let value: T | undefined;
  let loaded = false;
  return () => {
    if (!loaded) {
      value = load();
      loaded = true;
    }
    return value as T;
  };
}

export function requireCjs<T>(id: string): T {
  return requireHere(id) as T;
}
