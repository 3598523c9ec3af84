/**
 * A data module: `data: "./rows.ts"` names code, not a file of rows. It is
 * loaded in each worker (nothing is cloned from the coordinator) and its
 * default export (or `rows`) is the rows: an array, a generator function
 * (called with { workerId }; started again when it ends), or a function of
 * (index, workerId) called for every row, for synthetic and unbounded data.
 */
const MODULE = /\.(mjs|cjs|js|mts|cts|ts)$/i;

export function isDataModule(file: string): boolean {
  return MODULE.test(file);
}
