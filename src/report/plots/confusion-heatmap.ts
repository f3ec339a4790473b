// (d) A confusion matrix as a heatmap: rows the true class, columns the predicted one (sklearn's layout, as
// the confusionMatrix metric stores it); colour is the row share (per-class recall), text the count.
import type { TopLevelSpec } from 'vega-lite';
import { NnlabError } from '../../engine/errors.js';
import { CONFIG, SCHEMA } from './render.js';

export interface ConfusionCell {
  truth: string;
  predicted: string;
  count: number;
  /** count / row total (0 for an empty row). */
  share: number;
}

/** Checks that `matrix` is C×C of finite counts, and returns C. */
export function checkMatrix(matrix: readonly (readonly number[])[], where: string): number {
  const c = matrix.length;
  if (c === 0 || matrix.some((row) => row.length !== c || row.some((v) => !Number.isFinite(v) || v < 0))) {
    throw new NnlabError(`${where}: a confusion matrix must be square with non-negative counts, got ${c} rows of lengths ${matrix.map((r) => r.length).join(', ')}`);
  }
  return c;
}

/** Sums confusion matrices of the same size (e.g. a config's repeats). */
export function sumMatrices(matrices: readonly (readonly (readonly number[])[])[], where: string): number[][] {
  const c = checkMatrix(matrices[0], where);
  const sum = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (const m of matrices) {
    if (checkMatrix(m, where) !== c) throw new NnlabError(`${where}: confusion matrices of different sizes (${c} and ${m.length} classes)`);
    m.forEach((row, i) => row.forEach((v, j) => (sum[i][j] += v)));
  }
  return sum;
}

/** The heatmap's cells; class names default to the class indices. */
export function confusionCells(matrix: readonly (readonly number[])[], classNames?: readonly string[], where = 'confusion matrix'): ConfusionCell[] {
  const c = checkMatrix(matrix, where);
  if (classNames && classNames.length !== c) throw new NnlabError(`${where}: ${classNames.length} class names for a ${c}×${c} matrix`);
  const names = classNames ? [...classNames] : Array.from({ length: c }, (_, i) => String(i));
  return matrix.flatMap((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, j) => ({ truth: names[i], predicted: names[j], count, share: total ? count / total : 0 }));
  });
}

/** Vega-Lite spec of the heatmap. */
export function confusionSpec(matrix: readonly (readonly number[])[], title: string, classNames?: readonly string[]): TopLevelSpec {
  const cells = confusionCells(matrix, classNames, title);
  const order = cells.slice(0, matrix.length).map((c) => c.predicted);
  const side = Math.min(480, Math.max(160, 36 * matrix.length));
  return {
    $schema: SCHEMA,
    title,
    config: { ...CONFIG, axis: { grid: false } },
    width: side,
    height: side,
    data: { values: cells },
    encoding: {
      x: { field: 'predicted', type: 'ordinal', sort: order, title: 'Predicted class' },
      y: { field: 'truth', type: 'ordinal', sort: order, title: 'True class' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: { field: 'share', type: 'quantitative', title: 'Row share', scale: { scheme: 'blues', domain: [0, 1] } },
          tooltip: [{ field: 'truth' }, { field: 'predicted' }, { field: 'count' }, { field: 'share', format: '.3f' }],
        },
      },
      {
        mark: { type: 'text', fontSize: matrix.length > 12 ? 7 : 10 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
  } as TopLevelSpec;
}
