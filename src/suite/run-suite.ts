/**
 * `strain run` over several profiles: each checked first, then run in turn
 * with a fresh pool exactly as a single run (its own folder under --out, its
 * own history, lock and baseline), and a summary over all of them. The exit
 * code is the worst of the profiles'.
 */
import path from 'node:path';
import { EXIT, StrainError, isStrainError } from '../errors.js';
import { writeFileAtomic } from '../result/write.js';
import { defaultOut } from '../cli/commands/run.js';
import type { CliIo } from '../cli/io.js';
import { appendStepSummary } from '../cli/step-summary.js';
import { prepareProfile, runPrepared, type CommonArgs, type PreparedProfile } from '../cli/run-profile.js';
import type { SuiteEntry, SuiteInput } from './entries.js';
import { comparisonWord, suiteConsole, suiteIndexHtml, suiteJunit, suiteMarkdown, suiteRecord, type SuiteRow } from './summary.js';

const safe = (name: string): string => name.replace(/[^\w.-]+/g, '_');

function errorOf(e: unknown): { code: string; message: string; exitCode: number } {
  if (isStrainError(e)) return { code: e.code, message: e.message, exitCode: e.exitCode };
  return { code: 'STRAIN_INTERNAL', message: (e as Error)?.message ?? String(e), exitCode: EXIT.engine };
}

function blankRow(entry: SuiteEntry, status: SuiteRow['status'], exitCode: number, error?: { code: string; message: string }): SuiteRow {
  return {
    name: path.basename(entry.file).replace(/\.[^.]+$/, ''), file: entry.file, from: entry.from, status, exitCode, dir: undefined,
    figures: undefined, reasons: [], comparison: undefined, baseline: undefined, error, durationMs: 0, startedAt: new Date().toISOString(),
  };
}

export async function runSuite(input: SuiteInput, common: CommonArgs, io: CliIo): Promise<number> {
  const { args } = common;
  for (const opt of ['baseline', 'save-baseline'] as const) {
    if (args[opt]) throw new StrainError('STRAIN_USAGE', `--${opt} names one baseline file, and a suite runs several profiles: use --baseline-dir DIR (one baseline per profile)`);
  }
  const suiteName = input.name ?? 'suite';
  const startedAt = new Date();
  const root = args.out ? path.resolve(io.cwd, args.out) : defaultOut(io.cwd, suiteName, startedAt);
  const history = args.history ? path.resolve(io.cwd, args.history) : undefined;
  const used = new Set<string>();
  const place = (name: string): { outDir: string; history: string | undefined } => {
    let dir = safe(name);
    for (let k = 2; used.has(dir); k++) dir = `${safe(name)}-${k}`;
    used.add(dir);
    return { outDir: path.join(root, dir), history: history ? path.join(history, dir) : undefined };
  };

  // Every profile is checked before any runs: a typo in the last one is found in a second, not after an hour.
  const slots: Array<{ entry: SuiteEntry; prepared?: PreparedProfile; row?: SuiteRow }> = [];
  for (const entry of input.entries) {
    try {
      slots.push({ entry, prepared: await prepareProfile(entry, common, place, io) });
    } catch (e) {
      const err = errorOf(e);
      const where = entry.from === entry.file ? '' : ` (named in ${entry.from})`;
      io.stderr(`strain: ${err.code}: ${err.message}${where}\n`);
      slots.push({ entry, row: blankRow(entry, 'invalid', err.exitCode, { code: err.code, message: `${err.message}${where}` }) });
    }
  }
  if (args['fail-fast'] && slots.some((s) => s.row)) {
    io.stderr('strain: --fail-fast: a profile is invalid, so none was run\n');
    return Math.max(...slots.map((s) => s.row?.exitCode ?? 0));
  }

  let stop = false;
  for (const slot of slots) {
    if (slot.row) continue;
    const p = slot.prepared as PreparedProfile;
    // --json prints the suite's record, not each result; the runs' summaries then go to stderr.
    if (p.session.json) p.session.summaryOnStderr = true;
    p.session.json = false;
    const dir = path.relative(root, p.session.outDir);
    if (stop) {
      slot.row = { ...blankRow(slot.entry, 'not run', EXIT.passed), name: p.session.name };
      continue;
    }
    if (!args.quiet) io.stderr(`strain: suite ${suiteName}: ${p.session.name} (${slots.indexOf(slot) + 1}/${slots.length})\n`);
    const t0 = Date.now();
    try {
      const out = await runPrepared(p, io, args['update-baseline']);
      const r = out.result;
      const status = r.status === 'aborted' ? 'aborted' : out.exitCode === EXIT.passed ? 'passed' : 'failed';
      slot.row = {
        name: r.name, file: slot.entry.file, from: slot.entry.from, status, exitCode: out.exitCode, dir,
        figures: { count: r.total.count, throughput: r.total.throughput, p50Ms: r.total.latencyMs.p50, p99Ms: r.total.latencyMs.p99, errorRate: r.total.errorRate },
        reasons: r.verdict.passed ? [] : r.verdict.reasons, comparison: comparisonWord(r, out.baseline?.state), baseline: out.baseline,
        error: undefined, durationMs: r.meta.durationMs, startedAt: r.meta.startedAt, result: r,
      };
      if (status === 'aborted') stop = true;
    } catch (e) {
      const err = errorOf(e);
      io.stderr(`strain: ${p.session.name}: ${err.code}: ${err.message}\n`);
      slot.row = { ...blankRow(slot.entry, 'error', err.exitCode, { code: err.code, message: err.message }), name: p.session.name, dir, durationMs: Date.now() - t0 };
    }
    if (args['fail-fast'] && slot.row.status !== 'passed') stop = true;
  }

  const rows = slots.map((s) => s.row as SuiteRow);
  // Worst of the profiles: the exit codes rank passed 0 < failed 1 < bad input 2 < engine 3 < locked 75 < interrupted 130.
  const exitCode = Math.max(EXIT.passed, ...rows.map((r) => r.exitCode));
  const record = suiteRecord(suiteName, rows, startedAt.toISOString(), new Date().toISOString(), exitCode);
  const json = `${JSON.stringify(record, null, 2)}\n`;
  writeFileAtomic(path.join(root, 'suite.json'), json);
  const written = { html: common.formats.includes('html'), md: common.formats.includes('md') };
  const markdown = suiteMarkdown(record, rows, written);
  writeFileAtomic(path.join(root, 'summary.md'), markdown);
  writeFileAtomic(path.join(root, 'index.html'), suiteIndexHtml(record, rows, written));
  writeFileAtomic(path.join(root, 'junit.xml'), suiteJunit(record, rows));
  // GitHub Actions' job summary: the suite's table after each profile's own.
  appendStepSummary(io, markdown);
  if (args.json) io.stdout(json);
  if (!args.quiet) {
    const text = `${suiteConsole(record, rows)}\nsuite: ${root}\n`;
    if (args.json) io.stderr(text);
    else io.stdout(text);
  }
  return exitCode;
}
