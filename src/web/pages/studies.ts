// The studies page: every study, newest first, with its kind, creation time, runs by status and best value.
import { html } from '../html.js';
import { metricTitle, num } from '../../report/format.js';
import type { StudyRow } from '../data.js';
import { page, statusCounts, type Site } from './layout.js';

export function studiesPage(rows: readonly StudyRow[], site: Site): string {
  const body = rows.length
    ? html`<table class="list" id="studies">
<thead><tr><th class="num">ID</th><th>Name</th><th>Kind</th><th>Created</th><th class="num">Runs</th><th>By status</th><th title="The best config as the study ranks them: the best mean over its runs">Best config (mean)</th></tr></thead>
<tbody>${rows.map(
        (r) => html`<tr>
<td class="num">${r.study.id}</td><td><a href="/studies/${r.study.id}">${r.study.name}</a></td><td>${r.kind}</td><td>${r.study.createdAt.replace('T', ' ').slice(0, 19)}</td>
<td class="num"><a href="/runs?study=${r.study.id}">${r.runs}</a></td><td>${statusCounts(r.byStatus)}</td>
<td class="num">${r.best === null ? '—' : html`${num(r.best.mean)} <span class="muted">${metricTitle(r.metric)} (${r.direction}), mean of ${r.best.n} run${r.best.n === 1 ? '' : 's'}${r.best.label ? `: ${r.best.label}` : ''}</span>`}</td>
</tr>`,
      )}</tbody></table>`
    : html`<p>No studies in this store yet. Run one with <code>nnlab run examples/…yaml</code>; it shows here as it trains.</p>`;
  return page({ title: 'Studies', section: 'studies', site }, body);
}
