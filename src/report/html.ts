// report.html: one self-contained file (inline CSS, plots as data: URIs, no scripts, nothing fetched) with the
// same tables as summary.md and every plot. SVGs are embedded as images rather than inline markup so that
// the ids inside one plot (clip paths, gradients) cannot clash with another's.
import type { StudyRecord } from '../store/types.js';
import type { StudySummary } from '../stats/index.js';
import { baselineSentence, comparisonSentence, comparisonTable, configColumnsTable, configDifferences, runsTable, type Table } from './table.js';
import { INTERVALS } from './terminal.js';
import { testLooksLine, visibleLines } from './format.js';
import type { TuneSummary } from '../tune/summary.js';
import { bestScoresTable, bestSentence, IMPORTANCE, importanceTable, searchSentence, trialsTable } from './tune-table.js';

/**
 * Escapes text for HTML element content and attribute values: control characters other than line breaks are
 * written out (see visibleLines; HTML cannot hold them), so that a config in a <pre> keeps its lines.
 */
export function escapeHtml(text: string): string {
  return visibleLines(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderHtmlTable(table: Table): string {
  const cls = (i: number) => (table.align[i] === 'right' ? ' class="num"' : '');
  const head = table.headers.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('');
  const body = table.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  // In a box that scrolls sideways: a table with many configs or columns stays inside the page.
  return `<div class="table-scroll">\n<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>\n</div>`;
}

export interface HtmlPlot {
  title: string;
  svg: string;
}

const STYLE = `
body { font-family: 'DejaVu Sans', system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
.table-scroll { max-width: 100%; overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }
th { background: #f3f3f3; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; } figcaption { font-size: 0.85rem; color: #555; }
.meta { color: #555; font-size: 0.9rem; }
`;

/** The whole report page. */
export function htmlReport(summary: StudySummary, study: StudyRecord | null, plots: readonly HtmlPlot[], generatedAt = new Date(), tune?: TuneSummary): string {
  const title = study ? `${tune ? 'Search' : 'Study'} ${study.name}` : 'nnlab report';
  const meta = [
    study ? `study ${study.id}, created ${study.createdAt}` : null,
    study?.file ? `experiment file ${study.file}` : null,
    study && study.testLooks.length > 0 ? testLooksLine(study.testLooks) : null,
    `${summary.runs.length} run${summary.runs.length === 1 ? '' : 's'} in ${summary.configs.length} config${summary.configs.length === 1 ? '' : 's'}`,
    `generated ${generatedAt.toISOString()}`,
  ].filter((m): m is string => m !== null);
  const figures = plots.map(
    (p) =>
      `<figure><img alt="${escapeHtml(p.title)}" src="data:image/svg+xml;base64,${Buffer.from(p.svg).toString('base64')}">` +
      `<figcaption>${escapeHtml(p.title)}</figcaption></figure>`,
  );
  const comparison = summary.comparison && summary.comparison.tests.length ? renderHtmlTable(comparisonTable(summary)) : '';
  const body = tune ? searchBody(tune, figures) : studyBody(summary, figures, comparison);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${meta.map(escapeHtml).join(' · ')}</p>
${body}
</body>
</html>
`;
}

/** A search's page body: what was searched, the best trial beside its test score, plots, trials, importance. */
function searchBody(tune: TuneSummary, figures: string[]): string {
  const scores = bestScoresTable(tune);
  const imp = importanceTable(tune);
  return `<h2>Search</h2>
<p>${escapeHtml(searchSentence(tune))}</p>
<h2>Best trial</h2>
<p>${escapeHtml(bestSentence(tune))}</p>
${scores ? renderHtmlTable(scores) : ''}
<h2>Plots</h2>
${figures.join('\n')}
<h2>Trials</h2>
<p>Best first; a pruned trial's value is over the epochs it trained.</p>
${renderHtmlTable(trialsTable(tune))}
${imp ? `<h2>Parameter importance</h2>\n<p>${escapeHtml(IMPORTANCE)}</p>\n${renderHtmlTable(imp)}` : ''}`;
}

/** How configs told apart by their stored configs differ, one field a line (empty for a study's own configs). */
export function differencesHtml(summary: StudySummary): string {
  const diff = configDifferences(summary);
  if (!diff) return '';
  const items = diff.configs.map((c) => `<li>${escapeHtml(c.name)}<ul>${c.changes.map((x) => `<li><code>${escapeHtml(x)}</code></li>`).join('')}</ul></li>`);
  return `<p>${escapeHtml(diff.heading)}</p>\n<ul class="diff">${items.join('\n')}</ul>`;
}

function studyBody(summary: StudySummary, figures: string[], comparison: string): string {
  return `<h2>Summary</h2>
<p>Mean ± sample standard deviation over each config's repeats. ${escapeHtml(INTERVALS)}</p>
${renderHtmlTable(configColumnsTable(summary))}
${differencesHtml(summary)}
<h2>Comparison</h2>
<p>${escapeHtml(comparisonSentence(summary))}</p>
${summary.baseline ? `<p>${escapeHtml(baselineSentence(summary))}</p>` : ''}
${comparison}
<h2>Plots</h2>
${figures.join('\n')}
<h2>Runs</h2>
<p>Best epoch by validation accuracy (else validation loss); "To 95%" / "To 99%": epochs until validation accuracy first
reached that share of its best; gaps are train − validation accuracy and validation − train loss (positive: over-fitting).</p>
${renderHtmlTable(runsTable(summary))}`;
}
