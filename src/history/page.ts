import { existsSync } from 'node:fs';
import path from 'node:path';
import { historyHtml } from '../report/history-html.js';
import { writeFileAtomic } from '../result/write.js';
import { HISTORY_METRICS, historyChangePoints } from './change-points.js';
import type { HistoryEntry } from './store.js';

export const HISTORY_PAGE = 'history.html';

/** Each run's link from the page: its report.html when it is on disk, else its result.json, else none. */
function linkOf(dir: string, e: HistoryEntry): string | null {
  if (!e.result) return null;
  const folder = path.dirname(e.result);
  const target = [path.join(folder, 'report.html'), e.result].find((f) => existsSync(f));
  return target ? path.relative(dir, target).split(path.sep).join('/') : null;
}

/** Rewrite DIR/history.html from the entries (atomically: a reader never sees half a page). */
export function writeHistoryPage(dir: string, entries: readonly HistoryEntry[]): string {
  const file = path.join(dir, HISTORY_PAGE);
  writeFileAtomic(file, historyHtml({ entries, links: entries.map((e) => linkOf(dir, e)), changePoints: historyChangePoints(entries, HISTORY_METRICS) }));
  return file;
}
