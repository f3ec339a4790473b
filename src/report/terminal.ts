// Plain-text tables for the terminal: columns padded to their widest cell, a rule under the header.
import type { StudySummary } from '../stats/index.js';
import { baselineSentence, comparisonSentence, configDifferences, configRowsTable, type Table } from './table.js';

/** Display width in code points ('±', '—' and 'é' are one column each). */
function width(text: string): number {
  return [...text].length;
}

function pad(text: string, w: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, w - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** A table as aligned text lines (two spaces between columns, no trailing spaces). */
export function renderTerminal(table: Table): string {
  const widths = table.headers.map((h, i) => Math.max(width(h), ...table.rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i], table.align[i] ?? 'left')).join('  ').trimEnd();
  return [line(table.headers), widths.map((w) => '─'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
}

/** How the intervals are computed, said wherever they are shown. */
export const INTERVALS =
  "95% CI: Student's t over the repeats; for metrics bounded in [0, 1] (accuracy, precision, recall, F1) on the logit scale, so it stays inside [0, 1]; for metrics that cannot be negative (loss, time) on the log scale, so it stays above 0 (cut at 0 where a value is 0).";

/** The study at a glance: one row per config, then which is best and whether the differences are significant. */
export function terminalSummary(summary: StudySummary): string {
  const note = summary.comparison && summary.comparison.tests.some((t) => t.significant) ? `\n* significant at α = ${summary.comparison.alpha}` : '';
  const baseline = baselineSentence(summary);
  const diff = configDifferences(summary);
  const differences = diff ? `\n\n${diff.heading}\n${diff.configs.map((c) => `  ${c.name}:\n${c.changes.map((x) => `    ${x}`).join('\n')}`).join('\n')}` : '';
  return `${renderTerminal(configRowsTable(summary))}${differences}\n\n${comparisonSentence(summary)}${note}${baseline ? `\n${baseline}` : ''}\n${INTERVALS}`;
}
