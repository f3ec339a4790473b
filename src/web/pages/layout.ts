// The page shell every dashboard page shares: head (styles, the chart scripts, app.js; nothing inline, see the
// Content-Security-Policy in security.ts), the navigation, and <main>, which app.js redraws when `live` says
// the page's runs changed.
import { html, raw, type Html } from '../html.js';
import type { Table } from '../../report/table.js';
import type { StoredRunStatus } from '../../store/types.js';

/** What every page says about the dashboard itself. */
export interface Site {
  /** The store shown, for the footer (password masked). */
  store: string;
  /**
   * The dashboard's token, put in a <meta> for app.js to send with its one write (only pages served to a request
   * that presented it carry it); null without one.
   */
  token: string | null;
}

export interface PageOptions {
  title: string;
  /** Which navigation entry is current. */
  section: 'studies' | 'runs' | 'compare' | null;
  /** The live-token URL app.js polls (api/live?...), when the page shows runs that may still change. */
  live?: string;
  site: Site;
}

export function page(o: PageOptions, body: Html): string {
  const nav = (href: string, name: string, key: PageOptions['section']) => html`<a href="${href}"${raw(o.section === key ? ' aria-current="page"' : '')}>${name}</a>`;
  return `<!DOCTYPE html>
${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${o.site.token ? html`<meta name="nnlab-token" content="${o.site.token}">
` : ''}<title>${o.title} · nnlab</title>
<link rel="stylesheet" href="/static/style.css">
<script defer src="/static/vendor/vega.min.js"></script>
<script defer src="/static/vendor/vega-lite.min.js"></script>
<script defer src="/static/vendor/vega-embed.min.js"></script>
<script type="module" src="/static/app.js"></script>
</head>
<body>
<header><a class="brand" href="/">nnlab</a><nav>${nav('/', 'Studies', 'studies')}${nav('/runs', 'Runs', 'runs')}${nav('/compare', 'Compare', 'compare')}</nav><span class="live-state" id="live-state"></span></header>
<main${o.live ? html` data-live="${o.live}"` : ''}>
<h1>${o.title}</h1>
${body}
</main>
<footer>store ${o.site.store}</footer>
</body>
</html>`}
`;
}

/** A report table, cells as text; with `linkOf`, each row's first cell links to linkOf(row). */
export function table(t: Table, caption?: string, linkOf?: (row: string[]) => string): Html {
  const cls = (i: number) => raw(t.align[i] === 'right' ? ' class="num"' : '');
  const cell = (row: string[], c: string, i: number) => (i === 0 && linkOf ? html`<td${cls(i)}><a href="${linkOf(row)}">${c}</a></td>` : html`<td${cls(i)}>${c}</td>`);
  // In a box that scrolls sideways (style.css): a study with many configs keeps its table inside the page.
  const markup = html`<div class="table-scroll"><table>
<thead><tr>${t.headers.map((h, i) => html`<th${cls(i)}>${h}</th>`)}</tr></thead>
<tbody>${t.rows.map((r) => html`<tr>${r.map((c, i) => cell(r, c, i))}</tr>
`)}</tbody>
</table></div>`;
  return caption ? html`<figure class="table"><figcaption>${caption}</figcaption>${markup}</figure>` : markup;
}

/** Where app.js draws the plots served at `api` (a JSON list of {name, title, spec}). */
export function charts(api: string): Html {
  return html`<div class="charts" data-plots="${api}"><p class="muted">Loading plots…</p></div>`;
}

/** A status as a coloured badge. */
export function status(s: StoredRunStatus): Html {
  return html`<span class="status status-${s}">${s}</span>`;
}

/** Runs counted by status, as badges. */
export function statusCounts(byStatus: Partial<Record<StoredRunStatus, number>>): Html {
  const entries = Object.entries(byStatus) as [StoredRunStatus, number][];
  return entries.length ? html`${entries.map(([s, n]) => html`<span class="status status-${s}">${n} ${s}</span> `)}` : html`<span class="muted">none</span>`;
}
