import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { escapeHtml } from './format.js';

/** What every self-contained page of strain's (report.html, history.html) is made of. */
const require = createRequire(import.meta.url);
/** uPlot, inlined so a page opens offline and makes no request. */
export const UPLOT_JS = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
export const UPLOT_CSS = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
/** Nothing but the page's own inline script, style and data: images may be drawn, nothing fetched. */
export const PAGE_CSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`;

/** An HTML table; cells are HTML already (escape them), the first column left-aligned, the rest right. */
export function htmlTable(header: string[], rows: string[][], cls = ''): string {
  return `<table class="${cls}"><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i === 0 ? '' : ' class="n"'}>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** JSON inside a <script> element: no "</script>" can close it early. */
export const scriptJson = (x: unknown): string => JSON.stringify(x).replace(/</g, '\\u003c');
