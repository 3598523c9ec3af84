import path from 'node:path';
import type { HistoryChangePoint } from '../history/change-points.js';
import { warningOf, type Delivery } from '../monitoring/deliver.js';
import { notification, triggersOf } from '../monitoring/notification.js';
import { runNotifyCommand, sendWebhook } from '../monitoring/notify.js';
import { pushResult } from '../monitoring/pushgateway.js';
import type { StrainResult } from '../result/schema.js';
import type { CliIo } from './io.js';
import type { MonitoringPlan } from './monitoring-options.js';

export interface AfterRunContext {
  outDir: string;
  resultFile: string;
  htmlWritten: boolean;
  /** Change points the run's history entry opened (none without --history), and the history's length with it. */
  changePoints: readonly HistoryChangePoint[];
  historyLength: number;
}

/**
 * Everything a finished run sends out: its metrics to the Pushgateway and,
 * when it deserves attention, a notification. Each runs to its own bounded
 * end; none can change the verdict or the exit code.
 */
export async function deliverRun(r: StrainResult, plan: MonitoringPlan, ctx: AfterRunContext, io: CliIo): Promise<Delivery[]> {
  const out: Delivery[] = [];
  if (plan.push) out.push(await pushResult(r, plan.push.target.url, plan.labels));
  const wanted = plan.notify || plan.notifyCommand;
  if (wanted && (plan.notifyAlways || triggersOf(r, ctx.changePoints).triggers.length)) {
    const reportName = ctx.htmlWritten ? 'report.html' : 'result.json';
    const report = plan.reportUrl ? `${plan.reportUrl.replace(/\/+$/, '')}/${reportName}` : path.join(ctx.outDir, reportName);
    const n = notification(r, { report, result: ctx.resultFile, labels: Object.fromEntries(plan.labels), changePoints: ctx.changePoints, historyLength: ctx.historyLength });
    if (plan.notify) out.push(await sendWebhook(plan.notify.url, n, plan.notify.format));
    if (plan.notifyCommand) out.push(await runNotifyCommand(plan.notifyCommand, n, io.cwd));
  }
  return out;
}

/** Record what was delivered in the result, and each failure as a warning (in the result and on stderr). */
export function recordDeliveries(r: StrainResult, deliveries: readonly Delivery[], extraWarnings: readonly string[], io: CliIo): boolean {
  if (!deliveries.length && !extraWarnings.length) return false;
  if (deliveries.length) r.deliveries = [...deliveries];
  const warnings = [...extraWarnings, ...deliveries.map(warningOf).filter((w): w is string => w !== null)];
  if (warnings.length) r.warnings = [...(r.warnings ?? []), ...warnings];
  for (const w of warnings) io.stderr(`strain: warning: ${w}\n`);
  return true;
}
