// Markdown for summary.md: the seeds' table (a column per config), the comparison with the best config, and
// the per-run table.
import type { StudyRecord } from '../store/types.js';
import type { StudySummary } from '../stats/index.js';
import { baselineSentence, comparisonSentence, comparisonTable, configColumnsTable, configDifferences, runsTable, type Table } from './table.js';
import { INTERVALS } from './terminal.js';
import { testLooksLine, visible } from './format.js';
import type { TuneSummary } from '../tune/summary.js';
import { bestScoresTable, bestSentence, IMPORTANCE, importanceTable, searchSentence, trialsTable } from './tune-table.js';

/** Escapes what would break a Markdown table cell: pipes, line breaks and other control characters. */
function cell(text: string): string {
  return visible(text).replace(/\|/g, '\\|');
}

/** A GitHub-flavoured Markdown table (right-aligned columns get `---:`). */
export function renderMarkdown(table: Table): string {
  const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${table.headers.map((_, i) => (table.align[i] === 'right' ? ' ---: ' : ' --- ')).join('|')}|`;
  return [row(table.headers), rule, ...table.rows.map(row)].join('\n');
}

/** The whole summary.md: title, seeds' table, comparison, runs, and links to the plots (relative paths). */
export function markdownReport(summary: StudySummary, study: StudyRecord | null, plots: { title: string; file: string }[] = [], tune?: TuneSummary): string {
  const parts = [`# ${study ? `${tune ? 'Search' : 'Study'} ${visible(study.name)}` : 'nnlab report'}`, ''];
  if (study?.file) parts.push(`Experiment file: \`${visible(study.file)}\``, '');
  if (study && study.testLooks.length > 0) parts.push(`${testLooksLine(study.testLooks)[0].toUpperCase()}${testLooksLine(study.testLooks).slice(1)}.`, '');
  if (tune) return searchMarkdown(parts, tune, plots);
  parts.push('## Summary', '', `Mean ± sample standard deviation over each config's repeats. ${INTERVALS}`, '', renderMarkdown(configColumnsTable(summary)), '');
  const diff = configDifferences(summary);
  if (diff) parts.push(diff.heading, '', ...diff.configs.flatMap((c) => [`- ${c.name}:`, ...c.changes.map((x) => `  - \`${x}\``)]), '');
  parts.push('## Comparison', '', comparisonSentence(summary), '');
  if (summary.baseline) parts.push(baselineSentence(summary), '');
  if (summary.comparison && summary.comparison.tests.length) parts.push(renderMarkdown(comparisonTable(summary)), '');
  parts.push(
    '## Runs',
    '',
    'Best epoch by validation accuracy (else validation loss); "To 95%" / "To 99%": epochs until validation accuracy ' +
      'first reached that share of its best; gaps are train − validation accuracy and validation − train loss ' +
      '(positive: over-fitting).',
    '',
    renderMarkdown(runsTable(summary)),
    '',
  );
  if (plots.length) parts.push('## Plots', '', ...plots.flatMap((p) => [`![${visible(p.title)}](${p.file})`, '']));
  return parts.join('\n');
}

/** A search's summary.md: what was searched, the best trial beside its test score, the trials, importance, plots. */
function searchMarkdown(parts: string[], tune: TuneSummary, plots: { title: string; file: string }[]): string {
  parts.push('## Search', '', searchSentence(tune), '', '## Best trial', '', bestSentence(tune), '');
  const scores = bestScoresTable(tune);
  if (scores) parts.push(renderMarkdown(scores), '');
  parts.push('## Trials', '', 'Best first; a pruned trial\'s value is over the epochs it trained.', '', renderMarkdown(trialsTable(tune)), '');
  const imp = importanceTable(tune);
  if (imp) parts.push('## Parameter importance', '', IMPORTANCE, '', renderMarkdown(imp), '');
  if (plots.length) parts.push('## Plots', '', ...plots.flatMap((p) => [`![${visible(p.title)}](${p.file})`, '']));
  return parts.join('\n');
}
