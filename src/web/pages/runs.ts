// The runs page: every run, filtered by status, study and text, sorted by a column, grouped by config, paged.
// Filters are a GET form and sort links keep them, so the page works and can be linked without scripts; the
// checkboxes pick runs for the compare page.
import { html, query, raw, type Html } from '../html.js';
import { meanStd, num } from '../../report/format.js';
import type { RunRecord, StoredRunStatus } from '../../store/types.js';
import { metricOf, type RunPage, type RunQuery, type RunSortKey } from '../data.js';
import { page, status, statusCounts, type Site } from './layout.js';

export const STATUSES: StoredRunStatus[] = ['running', 'completed', 'stopped', 'pruned', 'diverged', 'interrupted', 'failed', 'crashed'];

function params(q: RunQuery, change: Partial<RunQuery> = {}): string {
  const m = { ...q, ...change };
  return query({ status: m.status, study: m.study, q: m.text, sort: m.sort, order: m.order, group: m.group ? 'config' : null, page: m.page && m.page > 1 ? m.page : null });
}

function sortHeader(q: RunQuery, key: RunSortKey, title: string, numeric = false): Html {
  const current = (q.sort ?? 'id') === key;
  const order = current && q.order === 'asc' ? 'desc' : current && q.order === 'desc' ? 'asc' : key === 'val.loss' ? 'asc' : current ? 'asc' : 'desc';
  const arrow = current ? ((q.order ?? (key === 'val.loss' ? 'asc' : 'desc')) === 'asc' ? ' ▲' : ' ▼') : '';
  return html`<th${raw(numeric ? ' class="num"' : '')}><a href="/runs${params(q, { sort: key, order, page: 1 })}">${title}${arrow}</a></th>`;
}

function runRow(r: RunRecord, p: RunPage): Html {
  const study = r.studyId === null ? null : p.studies.get(r.studyId);
  return html`<tr data-run="${r.id}">
<td><input type="checkbox" name="runs" value="${r.id}" aria-label="compare run ${r.id}"></td>
<td class="num"><a href="/runs/${r.id}">${r.id}</a></td>
<td>${study ? html`<a href="/studies/${study.id}">${study.name}</a>` : '—'}</td>
<td>${r.label || '—'}${r.trial !== null ? html` <span class="muted">trial ${r.trial}</span>` : ''}</td>
<td class="num">${r.seed}</td><td>${status(r.status)}</td>
<td class="num">${num(metricOf(r, 'val.accuracy'))}</td><td class="num">${num(metricOf(r, 'val.loss'))}</td><td class="num">${num(metricOf(r, 'test.accuracy'))}</td>
<td class="num">${num(r.wallTimeS, 1)}</td><td>${r.startedAt.replace('T', ' ').slice(0, 19)}</td>
</tr>`;
}

function groupTable(p: RunPage): Html {
  return html`<table class="list" id="runs-table"><thead><tr><th>Study</th><th>Config</th><th class="num">Runs</th><th>By status</th><th class="num">Val accuracy</th><th class="num">Val loss</th><th class="num">Mean time (s)</th></tr></thead>
<tbody>${p.groups.map((g) => {
    const study = g.studyId === null ? null : p.studies.get(g.studyId);
    return html`<tr><td>${study ? html`<a href="/studies/${study.id}">${study.name}</a>` : '—'}</td><td>${g.label || '—'}</td>
<td class="num"><a href="/compare?runs=${g.runs.map((r) => r.id).join(',')}">${g.runs.length}</a></td><td>${statusCounts(g.byStatus)}</td>
<td class="num">${meanStd(g.valAccuracy)}</td><td class="num">${meanStd(g.valLoss)}</td><td class="num">${num(g.meanTimeS, 1)}</td></tr>`;
  })}</tbody></table>`;
}

export function runsPage(p: RunPage, q: RunQuery, site: Site): string {
  const studyOptions = [...p.studies.values()].reverse();
  const filters = html`<form class="filters" method="get" action="/runs">
<label>Status <select name="status"><option value="">any</option>${STATUSES.map((s) => html`<option value="${s}"${raw(q.status === s ? ' selected' : '')}>${s}</option>`)}</select></label>
<label>Study <select name="study"><option value="">any</option>${studyOptions.map((s) => html`<option value="${s.id}"${raw(q.study === s.id ? ' selected' : '')}>${s.id}: ${s.name}</option>`)}</select></label>
<label>Text <input type="search" name="q" value="${q.text ?? ''}" placeholder="id, config, message, study"></label>
<label><input type="checkbox" name="group" value="config"${raw(q.group ? ' checked' : '')}> group by config</label>
${q.sort ? html`<input type="hidden" name="sort" value="${q.sort}">` : ''}${q.order ? html`<input type="hidden" name="order" value="${q.order}">` : ''}
<button type="submit">Apply</button> <a href="/runs">clear</a>
</form>`;
  const pager = html`<nav class="pager" aria-label="pages">${p.page > 1 ? html`<a rel="prev" href="/runs${params(q, { page: p.page - 1 })}">← previous</a>` : ''}
<span id="page-info">page ${p.page} of ${p.pages} · ${p.total} ${q.group ? 'configs' : 'runs'}</span>
${p.page < p.pages ? html`<a rel="next" href="/runs${params(q, { page: p.page + 1 })}">next →</a>` : ''}</nav>`;
  const list = q.group
    ? groupTable(p)
    : html`<form method="get" action="/compare" id="compare-form">
<table class="list" id="runs-table"><thead><tr><th><span class="sr-only">pick</span></th>${sortHeader(q, 'id', 'ID', true)}${sortHeader(q, 'study', 'Study')}${sortHeader(q, 'config', 'Config')}<th class="num">Seed</th>${sortHeader(q, 'status', 'Status')}
${sortHeader(q, 'val.accuracy', 'Val accuracy', true)}${sortHeader(q, 'val.loss', 'Val loss', true)}${sortHeader(q, 'test.accuracy', 'Test accuracy', true)}${sortHeader(q, 'time', 'Time (s)', true)}${sortHeader(q, 'started', 'Started')}</tr></thead>
<tbody>${p.runs.map((r) => runRow(r, p))}</tbody></table>
<button type="submit">Compare the picked runs</button></form>`;
  const action = html`<p class="actions"><button type="button" data-action="/api/actions/mark-crashed">Mark crashed runs</button>
<span class="muted">runs still 'running' whose heartbeat stopped (their process died), as <code>nnlab runs</code> does</span> <span id="action-result" role="status"></span></p>`;
  const live = p.runs.some((r) => r.status === 'running') ? `/api/live?runs=${p.runs.filter((r) => r.status === 'running').map((r) => r.id).join(',')}` : undefined;
  return page({ title: 'Runs', section: 'runs', site, ...(live ? { live } : {}) }, html`${filters}${action}${pager}${p.total ? list : html`<p>No runs match.</p>`}${p.pages > 1 ? pager : ''}`);
}
