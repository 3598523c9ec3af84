import { StrainError } from '../errors.js';
import { checkHttpUrl } from '../monitoring/deliver.js';
import type { NotifyFormat } from '../monitoring/notify.js';
import { checkPushUrl, parseLabels } from '../monitoring/pushgateway.js';
import { parseDuration } from '../profile/duration.js';
import type { Profile } from '../profile/schema.js';
import type { MonitoringArgs, MonitoringPlan } from './monitoring-options.js';

/** Merge the CLI's monitoring options over the profile's `push`, checking every part. */
export function monitoringPlan(args: MonitoringArgs, profile: Profile, name: string): MonitoringPlan {
  const fromProfile = profile.push;
  const profileLabels = Object.entries(fromProfile?.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const cliLabels = parseLabels(args.label === undefined ? [] : ([] as string[]).concat(args.label));
  const labels = parseLabels(profileLabels, 'push.labels').filter(([k]) => !cliLabels.some(([c]) => c === k)).concat(cliLabels);
  const url = args.push ?? fromProfile?.url;
  const interval = args['push-interval'] ?? fromProfile?.interval;
  if (interval !== undefined && url === undefined) throw new StrainError('STRAIN_USAGE', '--push-interval needs --push (or push.url in the profile)');
  const intervalMs = interval === undefined ? undefined : parseDuration(interval, args['push-interval'] !== undefined ? '--push-interval' : 'push.interval');
  if (intervalMs !== undefined && intervalMs < 1000) throw new StrainError('STRAIN_USAGE', `the push interval must be at least 1s, found ${String(interval)}`);
  const push = url === undefined ? undefined : {
    target: { url: checkPushUrl(url, args.push !== undefined ? '--push' : 'push.url'), grouping: [['profile', name] as [string, string], ...labels] },
    intervalMs,
  };
  const notify = args.notify === undefined ? undefined : { url: checkHttpUrl(args.notify, '--notify').href, format: args['notify-format'] as NotifyFormat };
  return { labels, push, notify, notifyCommand: args['notify-command'], notifyAlways: args['notify-always'], reportUrl: args['report-url'] };
}
