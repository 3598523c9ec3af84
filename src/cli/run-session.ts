import { rmSync } from 'node:fs';
import path from 'node:path';
import { CHECKPOINT_FILE } from '../checkpoint/state.js';
import { compareRuns, saveBaseline, summarizeRun, type NoiseThresholds } from '../baseline/runs.js';
import { EXIT } from '../errors.js';
import { HISTORY_METRICS, newChangePoints, type HistoryChangePoint } from '../history/change-points.js';
import { writeHistoryPage } from '../history/page.js';
import { appendHistory, historyEntry, readHistory } from '../history/store.js';
import { LivePusher } from '../monitoring/live-push.js';
import { markdownSummary } from '../report/markdown.js';
import type { Profile } from '../profile/schema.js';
import { comparisonTable } from '../report/comparison.js';
import { consoleSummary } from '../report/console.js';
import { MetricsServer } from '../report/metrics-server.js';
import { progressLine } from '../report/progress.js';
import { writeReports, type ReportFormat } from '../report/write-all.js';
import type { RunSummary, StrainResult } from '../result/schema.js';
import { serializeResult, writeFileAtomic } from '../result/write.js';
import { runStress, type Progress, type RunOptions } from '../run.js';
import { deliverRun, recordDeliveries } from './after-run.js';
import { appendStepSummary } from './step-summary.js';
import type { CliIo } from './io.js';
import type { MonitoringPlan } from './monitoring-options.js';

/** Everything `strain run` checked and decided before any worker starts. */
export interface Session {
  file: string;
  name: string;
  profile: Profile;
  baseDir: string;
  outDir: string;
  repeat: number;
  pin: boolean;
  quiet: boolean;
  json: boolean;
  formats: ReportFormat[];
  baseline: { runs: RunSummary[] } | undefined;
  noise: NoiseThresholds;
  saveBaseline: string | undefined;
  history: string | undefined;
  metrics: { port: number; host: string } | undefined;
  monitoring: MonitoringPlan;
  /** Said of the baseline before the run (--baseline-dir): kept in the result's warnings. */
  baselineWarning?: string | undefined;
  /** Print the summary on stderr (stdout carries JSON: the result's, or a suite's record). */
  summaryOnStderr?: boolean;
  /** strain ab: the run is a paired comparison of its two sides. */
  paired?: RunOptions['paired'] | undefined;
  /** --shard: this run is one shard of a larger test; shard-state.json is left beside result.json for strain merge. */
  shard?: RunOptions['shard'] | undefined;
}

/** What a session ended with: its exit code, and the result it wrote. */
export interface SessionOutcome {
  exitCode: number;
  result: StrainResult;
  resultFile: string;
  /** The runs that completed, as a baseline keeps them. */
  complete: RunSummary[];
}

/** Live progress on stderr: redrawn in place on a TTY, plain lines otherwise. */
function progressPrinter(io: CliIo): { line: (prefix: string, p: Progress) => void; end: () => void } {
  let lastLen = 0;
  return {
    line: (prefix, p) => {
      const text = `${prefix}${progressLine(p)}`;
      if (io.isTTY) {
        io.stderr(`\r${text.padEnd(lastLen)}`);
        lastLen = text.length;
      } else io.stderr(`${text}\n`);
    },
    end: () => {
      if (io.isTTY && lastLen) io.stderr('\n');
      lastLen = 0;
    },
  };
}

/** Fold --repeat runs, the baseline comparison and earlier failures into the last result. */
function combine(results: StrainResult[], s: Session): StrainResult {
  const result = results[results.length - 1] as StrainResult;
  const complete = results.filter((r) => r.status === 'completed').map(summarizeRun);
  if (s.repeat > 1) result.runs = complete;
  if (s.baseline && result.status === 'completed') {
    const comparison = compareRuns(s.baseline.runs, complete, s.noise);
    result.comparison = comparison;
    for (const m of comparison.metrics) if (m.verdict === 'regressed') result.verdict.reasons.push(`${m.metric} regressed against the baseline: ${m.reason}`);
    if (comparison.regressed) {
      result.verdict.passed = false;
      result.exitCode = EXIT.failed;
    }
  }
  if (results.some((r) => r.exitCode === EXIT.failed) && result.exitCode === EXIT.passed) {
    result.exitCode = EXIT.failed;
    result.verdict.passed = false;
    result.verdict.reasons.push('an earlier run of --repeat failed its verdict');
  }
  return result;
}

/**
 * Run the profile (once, or --repeat times), with signals, progress and live
 * metrics, then write the result, the reports, the baseline and the history.
 */
export async function runSession(s: Session, io: CliIo): Promise<SessionOutcome> {
  const labels = Object.fromEntries(s.monitoring.labels);
  const metrics = s.metrics ? await MetricsServer.start(s.name, s.metrics.port, s.metrics.host, labels) : undefined;
  const push = s.monitoring.push;
  const pusher = push?.intervalMs ? new LivePusher(push.target, s.name, push.intervalMs) : undefined;
  if (metrics && !s.quiet) io.stderr(`strain: live metrics on http://${s.metrics?.host}:${metrics.port}/metrics\n`);
  const controller = new AbortController();
  let interrupts = 0;
  let signalName = 'SIGINT';
  const off = io.onInterrupt((sig) => {
    interrupts++;
    signalName = sig;
    if (interrupts === 1) {
      io.stderr(`\nstrain: ${sig} received; stopping and writing a partial result (again to quit at once)\n`);
      controller.abort();
    } else {
      process.exit(EXIT.interrupted);
    }
  });
  const printer = progressPrinter(io);
  const results: StrainResult[] = [];
  try {
    for (let i = 0; i < s.repeat && !controller.signal.aborted; i++) {
      const prefix = s.repeat > 1 ? `run ${i + 1}/${s.repeat} | ` : '';
      const onProgress = (p: Progress): void => {
        metrics?.update(p);
        pusher?.update(p);
        if (!s.quiet) printer.line(prefix, p);
      };
      const r = await runStress(s.profile, {
        baseDir: s.baseDir, source: s.file, signal: controller.signal, checkpointDir: s.outDir, keepCheckpoint: true,
        profileDir: path.join(s.outDir, 'profiles', ...(s.repeat > 1 ? [`run-${i + 1}`] : [])),
        ...(s.pin ? { pin: true } : {}), ...(!s.quiet || metrics || pusher ? { onProgress } : {}),
        ...(s.paired ? { paired: s.paired } : {}),
        ...(s.shard ? { shard: s.shard } : {}),
      });
      printer.end();
      if (r.placement?.requested && !r.placement.pinned && i === 0) io.stderr(`strain: warning: ${r.placement.note}\n`);
      results.push(r);
    }
  } finally {
    off();
    await metrics?.close();
  }

  const result = combine(results, s);
  if (s.baselineWarning) (result.warnings ??= []).push(s.baselineWarning);
  const resultFile = path.join(s.outDir, 'result.json');
  writeFileAtomic(resultFile, serializeResult(result));
  writeReports(s.outDir, result, s.formats, { metricLabels: labels });
  // The result is written: the checkpoint has served its purpose.
  rmSync(path.join(s.outDir, CHECKPOINT_FILE), { force: true });
  const complete = results.filter((r) => r.status === 'completed').map(summarizeRun);
  if (s.saveBaseline && complete.length) saveBaseline(s.saveBaseline, result, complete);
  let opened: HistoryChangePoint[] = [];
  let historyLength = 0;
  const warnings: string[] = [];
  if (s.history) {
    appendHistory(s.history, historyEntry(result, resultFile));
    // The line is appended; a page or a change point that cannot be made from an older, hand-edited line is a warning, not the run's failure.
    try {
      const entries = readHistory(s.history);
      historyLength = entries.length;
      writeHistoryPage(s.history, entries);
      opened = newChangePoints(entries, HISTORY_METRICS);
    } catch (e) {
      warnings.push(`history page and change points not updated: ${(e as Error).message}`);
    }
  }
  // Monitoring comes last: the result is safe on disk whatever a server does.
  const liveWarning = await pusher?.finish();
  if (liveWarning) warnings.push(liveWarning);
  const deliveries = await deliverRun(result, s.monitoring, { outDir: s.outDir, resultFile, htmlWritten: s.formats.includes('html'), changePoints: opened, historyLength }, io);
  if (recordDeliveries(result, deliveries, warnings, io)) writeFileAtomic(resultFile, serializeResult(result));
  const json = serializeResult(result);
  appendStepSummary(io, markdownSummary(result));
  if (s.json) io.stdout(`${json}\n`);
  if (!s.quiet) {
    const parts = [consoleSummary(result)];
    if (result.comparison) parts.push(comparisonTable(result.comparison));
    parts.push(`result: ${resultFile}`);
    const summary = `${parts.join('\n\n')}\n`;
    if (s.json || s.summaryOnStderr) io.stderr(summary);
    else io.stdout(summary);
  }
  const exitCode = result.status === 'aborted' && signalName === 'SIGTERM' && result.exitCode === EXIT.interrupted ? 143 : result.exitCode;
  return { exitCode, result, resultFile, complete };
}
