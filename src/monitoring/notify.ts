import { spawn } from 'node:child_process';
import { redactUrl, sendWithRetries, type Delivery, type RetryOptions } from './deliver.js';
import { slackMessage, type Notification } from './notification.js';

export type NotifyFormat = 'generic' | 'slack';

/** POST the notification as JSON: the whole message, or Slack's `{ text }`. */
export function sendWebhook(url: string, n: Notification, format: NotifyFormat, opts?: RetryOptions): Promise<Delivery> {
  const body = JSON.stringify(format === 'slack' ? slackMessage(n) : n);
  return sendWithRetries('webhook', redactUrl(url), { url, method: 'POST', contentType: 'application/json', body }, opts);
}

/**
 * Run the user's --notify-command through the shell with the notification's
 * JSON on stdin (CLI only: a profile file never names a command). A command
 * that hangs is killed at the deadline; its exit status is the outcome.
 */
export function runNotifyCommand(command: string, n: Notification, cwd: string, timeoutMs = 30_000): Promise<Delivery> {
  return new Promise((resolve) => {
    const done = (ok: boolean, error: string | null): void => resolve({ kind: 'command', target: 'command', ok, attempts: 1, error });
    const child = spawn('/bin/sh', ['-c', command], { cwd, stdio: ['pipe', 'ignore', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 2000) stderr += b.toString('utf8');
    });
    child.on('error', (e) => done(false, e.message));
    child.on('close', (code, signal) => {
      if (code === 0) done(true, null);
      else done(false, signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` (no exit within ${timeoutMs} ms)` : ''}` : `exit status ${code}${stderr.trim() ? `: ${stderr.trim().slice(0, 200)}` : ''}`);
    });
    // A command that does not read stdin closes it early: that is its choice, not a failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(n));
  });
}
