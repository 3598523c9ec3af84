#!/usr/bin/env node
import module from 'node:module';
// Node ≥ 22.1 keeps compiled code on disk between runs (as tsc does): a CLI
// started dozens of times a day, and again for every --repeat, starts faster.
module.enableCompileCache?.();
const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
