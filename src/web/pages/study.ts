// A study's page: the report's tables (mean ± std, 95% intervals, the significance verdicts; for a search its
// trials, best trial and importance), its plots drawn live, and its runs.
import { html } from '../html.js';
import { baselineSentence, comparisonSentence, comparisonTable, configColumnsTable, runsTable } from '../../report/table.js';
import { bestScoresTable, bestSentence, IMPORTANCE, importanceTable, searchSentence, trialsTable } from '../../report/tune-table.js';
import { INTERVALS } from '../../report/terminal.js';
import type { StudyView } from '../data.js';
import { charts, page, statusCounts, table, type Site } from './layout.js';

export function studyPage(view: StudyView, site: Site): string {
  const { study, summary, tune } = view;
  const byStatus: Record<string, number> = {};
  for (const r of view.runs) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const meta = html`<p class="meta">study ${study.id} · ${study.kind === 'tune' ? 'search' : 'study'} · created ${study.createdAt}${study.file ? html` · file <code>${study.file}</code>` : ''} · ${view.runs.length} runs: ${statusCounts(byStatus)} · <a href="/runs?study=${study.id}">runs</a> · <a href="/compare${view.runs.length ? `?runs=${view.runs.slice(0, 8).map((r) => r.id).join(',')}` : ''}">compare</a></p>`;
  const runs = table(runsTable(summary), undefined, (row) => `/runs/${row[0]}`);
  const body = tune
    ? html`${meta}
<section id="search"><h2>Search</h2><p>${searchSentence(tune)}</p>
<h2>Best trial</h2><p>${bestSentence(tune)}</p>${bestScoresTable(tune) ? table(bestScoresTable(tune)!) : ''}</section>
<section><h2>Plots</h2>${charts(`/api/studies/${study.id}/plots`)}</section>
<section id="trials"><h2>Trials</h2><p>Best first; a pruned trial's value is over the epochs it trained.</p>${table(trialsTable(tune))}</section>
${importanceTable(tune) ? html`<section id="importance"><h2>Parameter importance</h2><p>${IMPORTANCE}</p>${table(importanceTable(tune)!)}</section>` : ''}
<section id="runs"><h2>Runs</h2>${runs}</section>`
    : html`${meta}
<section id="summary"><h2>Summary</h2><p>Mean ± sample standard deviation over each config's repeats. ${INTERVALS}</p>${table(configColumnsTable(summary))}</section>
<section id="comparison"><h2>Comparison</h2><p>${comparisonSentence(summary)}</p>${summary.baseline ? html`<p>${baselineSentence(summary)}</p>` : ''}
${summary.comparison && summary.comparison.tests.length ? table(comparisonTable(summary)) : ''}</section>
<section><h2>Plots</h2><p class="muted">Training solid, validation dashed; hover a point for its values, click a legend entry to show only that series (shift-click for several).</p>${charts(`/api/studies/${study.id}/plots`)}</section>
<section id="runs"><h2>Runs</h2>${runs}</section>`;
  return page({ title: `${tune ? 'Search' : 'Study'} ${study.name}`, section: 'studies', site, live: `/api/live?study=${study.id}` }, body);
}
