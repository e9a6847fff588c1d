/**
 * HTML page assembly. A page is self-contained: styles and the vega libraries inline, each chart
 * as a static SVG (visible without JavaScript) that vega-embed replaces with the interactive
 * chart (tooltips, legend) once scripts run. Every user-supplied string is escaped.
 */
import type { TopLevelSpec } from 'vega-lite';
import { vegaScripts } from './assets.ts';
import { escapeHtml, jsonForScript } from './escape.ts';

export interface Chart {
  id: string;
  title: string;
  /** One or two sentences on how to read the chart. */
  caption: string;
  spec: TopLevelSpec;
  svg: string;
  /** Trusted HTML shown beside the chart (built from escaped parts), e.g. the scaling table. */
  aside?: string;
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1320px; color: #222;
  padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.sub { color: #666; margin-top: 0; } .notice { background: #fff4d6; border-left: 4px solid #e0a800; padding: .5rem .8rem; }
table { border-collapse: collapse; font-size: 12.5px; } th, td { border-bottom: 1px solid #eee; padding: 3px 8px; text-align: left; }
th { cursor: pointer; background: #fafafa; position: sticky; top: 0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.skipped td, tr.error td { color: #a33; } tr.noisy td.status { color: #a60; } .chart { margin: 1rem 0 2rem; }
.links a { margin-right: 1rem; font-size: 12px; } .row { display: flex; gap: 1.5rem; align-items: flex-start; flex-wrap: wrap; }
aside { flex: 1 1 360px; min-width: 0; } aside h3 { font-size: 1rem; margin-top: 0; }
dt { font-weight: 600; margin-top: .8rem; } dd { margin-left: 1.2rem; }
nav a { margin-right: .8rem; }
.caption { color: #555; max-width: 760px; } pre { background: #f6f6f6; padding: .6rem; overflow: auto; font-size: 12px; }
`;

/** Click a header to sort a table by that column (numbers numerically). */
const SORT_SCRIPT = `
document.querySelectorAll('table.sortable th').forEach((th, col) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0], rows = [...body.rows], asc = th.dataset.dir !== 'asc';
  th.dataset.dir = asc ? 'asc' : 'desc';
  const key = (r) => {
    const t = r.cells[col].dataset.v ?? r.cells[col].textContent;
    const n = Number(t);
    return t !== '' && !isNaN(n) ? n : t;
  };
  rows.sort((a, b) => { const x = key(a), y = key(b); return (x > y ? 1 : x < y ? -1 : 0) * (asc ? 1 : -1); });
  rows.forEach((r) => body.appendChild(r));
}));`;

const EMBED_SCRIPT = `
document.querySelectorAll('script.vl-spec').forEach((el) => {
  const box = document.getElementById(el.dataset.target);
  vegaEmbed(box.querySelector('.live'), JSON.parse(el.textContent), { actions: false, renderer: 'svg' })
    .then(() => { box.querySelector('.static').hidden = true; box.dataset.state = 'live'; })
    .catch((e) => { box.dataset.state = 'failed'; console.error('chart ' + el.dataset.target + ': ' + e); });
});`;

export function chartSection(c: Chart): string {
  const json = JSON.stringify(c.spec, null, 2);
  const values = (c.spec as { data?: { values?: unknown[] } }).data?.values ?? [];
  const dataHref = `data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(values, null, 2))}`;
  const specHref = `data:application/json;charset=utf-8,${encodeURIComponent(json)}`;
  return `<section class="chart" id="${escapeHtml(c.id)}">
<h2>${escapeHtml(c.title)}</h2>
<p class="caption">${escapeHtml(c.caption)}</p>
<div class="row"><div class="plot"><div class="static">${c.svg}</div><div class="live"></div></div>`
    + `${c.aside ? `<aside>${c.aside}</aside>` : ''}</div>
<p class="links"><a href="${specHref}" download="${escapeHtml(c.id)}.vl.json">open the spec</a>`
    + `<a href="${dataHref}" download="${escapeHtml(c.id)}.data.json">download the data</a></p>
<script type="application/json" class="vl-spec" data-target="${escapeHtml(c.id)}">${jsonForScript(c.spec)}</script>
</section>`;
}

export interface TableColumn<R> {
  title: string;
  cell(r: R): string | number;
  /** Right-aligned, sorted numerically by `sortValue` (default: the cell). */
  numeric?: boolean;
  sortValue?(r: R): number | string;
  /** Makes the cell a link to this address. */
  href?(r: R): string;
  /** Class of the cell. */
  className?: string;
}

export function table<R>(rows: R[], cols: TableColumn<R>[], rowClass: (r: R) => string = () => ''): string {
  const head = cols.map((c) => `<th>${escapeHtml(c.title)}</th>`).join('');
  const body = rows.map((r) => `<tr class="${escapeHtml(rowClass(r))}">${cols.map((c) => {
    const v = c.sortValue ? ` data-v="${escapeHtml(c.sortValue(r))}"` : '';
    const cls = [c.numeric ? 'num' : '', c.className ?? ''].filter(Boolean).join(' ');
    const text = escapeHtml(c.cell(r));
    return `<td${cls ? ` class="${cls}"` : ''}${v}>${c.href ? `<a href="${escapeHtml(c.href(r))}">${text}</a>` : text}</td>`;
  }).join('')}</tr>`).join('\n');
  return `<table class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A whole page; `body` is trusted HTML built from escaped parts. */
export function page(title: string, body: string, opts: { charts: boolean }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style>
${opts.charts ? vegaScripts() : ''}
</head><body>
${body}
<script>${SORT_SCRIPT}${opts.charts ? EMBED_SCRIPT : ''}</script>
</body></html>
`;
}
