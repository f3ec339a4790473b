// The compare page: pick runs (ids), overlay their curves, and see only the config fields that differ.
import { html } from '../html.js';
import { num } from '../../report/format.js';
import type { RunRecord } from '../../store/types.js';
import { metricOf } from '../data.js';
import { charts, page, status, type Site } from './layout.js';

export function comparePage(runs: readonly RunRecord[], diff: { path: string; values: (string | null)[] }[], missing: number[], site: Site): string {
  const ids = runs.map((r) => r.id).join(',');
  const picker = html`<form class="filters" method="get" action="/compare"><label>Run ids <input name="runs" value="${ids}" placeholder="e.g. 3,4,7" pattern="[0-9, ]*"></label> <button type="submit">Compare</button>
<span class="muted">or tick runs on the <a href="/runs">runs page</a></span></form>`;
  if (runs.length === 0) return page({ title: 'Compare runs', section: 'compare', site }, html`${picker}${missing.length ? html`<p class="error">No run ${missing.join(', ')} in this store.</p>` : html`<p>Pick two or more runs to compare.</p>`}`);
  const body = html`${picker}${missing.length ? html`<p class="error">Not in this store: run ${missing.join(', ')}.</p>` : ''}
<div class="table-scroll"><table id="compare-runs"><thead><tr><th class="num">Run</th><th>Config</th><th>Status</th><th class="num">Val accuracy</th><th class="num">Val loss</th><th class="num">Test accuracy</th><th class="num">Time (s)</th></tr></thead>
<tbody>${runs.map((r) => html`<tr><td class="num"><a href="/runs/${r.id}">${r.id}</a></td><td>${r.label || '—'}</td><td>${status(r.status)}</td><td class="num">${num(metricOf(r, 'val.accuracy'))}</td><td class="num">${num(metricOf(r, 'val.loss'))}</td><td class="num">${num(metricOf(r, 'test.accuracy'))}</td><td class="num">${num(r.wallTimeS, 1)}</td></tr>`)}</tbody></table></div>
<section><h2>Curves</h2><p class="muted">One colour per run; training solid, validation dashed. Click a legend entry to show only that run.</p>${charts(`/api/compare/plots?runs=${ids}`)}</section>
<section id="diff"><h2>Config fields that differ</h2>${
    runs.length < 2
      ? html`<p class="muted">Pick another run to see what differs.</p>`
      : diff.length
        ? html`<div class="table-scroll"><table><thead><tr><th>Field</th>${runs.map((r) => html`<th>run ${r.id}</th>`)}</tr></thead><tbody>${diff.map((d) => html`<tr><td><code>${d.path}</code></td>${d.values.map((v) => html`<td>${v === null ? html`<span class="muted">absent</span>` : v}</td>`)}</tr>`)}</tbody></table></div>`
        : html`<p>The runs have the same config.</p>`
  }</section>`;
  return page({ title: `Compare runs ${ids}`, section: 'compare', site, live: `/api/live?runs=${ids}` }, body);
}
