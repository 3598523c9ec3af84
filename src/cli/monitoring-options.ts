import type { Argv } from 'yargs';
import type { PushTarget } from '../monitoring/pushgateway.js';
import type { NotifyFormat } from '../monitoring/notify.js';

export interface MonitoringArgs {
  push: string | undefined;
  'push-interval': string | undefined;
  /** One value, or several when --label is repeated (not greedy: a profile path after it stays positional). */
  label: string | string[] | undefined;
  notify: string | undefined;
  'notify-format': string;
  'notify-always': boolean;
  'notify-command': string | undefined;
  'report-url': string | undefined;
}

/** The options only: loaded with --help, so nothing here imports more than types. */

/** What a run sends to monitoring, decided (and checked) before it starts. */
export interface MonitoringPlan {
  labels: [string, string][];
  push: { target: PushTarget; intervalMs: number | undefined } | undefined;
  notify: { url: string; format: NotifyFormat } | undefined;
  notifyCommand: string | undefined;
  notifyAlways: boolean;
  /** Prefix for the report's link in a notification (where the results folder is served); default the absolute path. */
  reportUrl: string | undefined;
}

export function monitoringOptions<T>(y: Argv<T>): Argv<T & MonitoringArgs> {
  return y
    .option('push', { type: 'string', describe: "Push the run's metrics to this Prometheus Pushgateway at the end (job \"strain\", grouped by profile and --label)" })
    .option('push-interval', { type: 'string', describe: 'Also push the live metrics this often while the run goes on (e.g. 30s)' })
    .option('label', { type: 'string', describe: 'key=value added to the grouping key and to every series (repeatable)' })
    .option('notify', { type: 'string', describe: 'POST a JSON message here when the run fails, regresses, leaks or opens a change point in --history' })
    .option('notify-format', { type: 'string', default: 'generic', choices: ['generic', 'slack'], describe: 'The message as it is, or shaped for a Slack-style incoming webhook' })
    .option('notify-always', { type: 'boolean', default: false, describe: 'Notify after a passing run too' })
    .option('notify-command', { type: 'string', describe: "Run this shell command with the notification's JSON on stdin (CLI only)" })
    .option('report-url', { type: 'string', describe: 'Base URL where --out is served: the notification links the report under it' }) as unknown as Argv<T & MonitoringArgs>;
}

