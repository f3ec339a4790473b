// Parameter importance as horizontal bars, most important on top, the value written beside each bar.
import type { TopLevelSpec } from 'vega-lite';
import type { ImportanceResult } from '../../tune/importance.js';
import { CONFIG, SCHEMA } from './render.js';

export function importanceSpec(result: ImportanceResult, title: string): TopLevelSpec {
  const rows = result.params.filter((p) => p.importance !== null).map((p) => ({ param: p.name, importance: p.importance }));
  const y = { field: 'param', type: 'nominal' as const, title: null, sort: rows.map((r) => r.param) };
  return {
    $schema: SCHEMA,
    title,
    config: CONFIG,
    width: 360,
    height: { step: 28 },
    data: { values: rows },
    layer: [
      { mark: { type: 'bar', color: '#54a24b' }, encoding: { y, x: { field: 'importance', type: 'quantitative', title: 'Importance (fANOVA, sums to 1)', scale: { domain: [0, 1] } } } },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { y, x: { field: 'importance', type: 'quantitative' }, text: { field: 'importance', type: 'quantitative', format: '.3f' } } },
    ],
  } as TopLevelSpec;
}
