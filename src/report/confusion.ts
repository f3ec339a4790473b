// A confusion matrix as text: rows are the true classes, columns the predicted ones (scikit-learn's layout),
// each row with its recall, so a reader sees which classes a model mixes up. Class names are shown with
// control characters escaped.
import { visible } from './format.js';

/** Whether a stored metric value is a confusion matrix (square, counts). */
export function isConfusionMatrix(v: unknown): v is number[][] {
  return Array.isArray(v) && v.length > 0 && v.every((row) => Array.isArray(row) && row.length === v.length && row.every((n) => typeof n === 'number'));
}

/**
 * The matrix as aligned text lines. `classes` names the rows and columns (indices where it is missing or of
 * another length).
 */
export function confusionText(matrix: number[][], classes?: readonly string[]): string {
  const names = classes && classes.length === matrix.length ? classes.map(visible) : matrix.map((_, k) => String(k));
  const header = ['true \\ predicted', ...names, 'recall'];
  const rows = matrix.map((row, k) => {
    const n = row.reduce((a, b) => a + b, 0);
    return [names[k], ...row.map(String), n ? (row[k] / n).toFixed(4) : '—'];
  });
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
