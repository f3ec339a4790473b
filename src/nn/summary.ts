// A model summary as Keras prints it: layer, output shape, parameter count, and the totals; for a graph model,
// as Keras's functional summary, what each layer is connected to.
import { fmtShape } from './layers/layer.js';
import type { Model } from './model.js';

export interface SummaryRow {
  layer: string;
  type: string;
  outputShape: number[];
  params: number;
  /** A graph model's layer: the layers (or 'input') its inputs come from. */
  connectedTo?: string[];
}

export function summaryRows(model: Model): SummaryRow[] {
  return model.summaryRows();
}

export function formatSummary(model: Model): string {
  const all = summaryRows(model);
  const graph = all.some((r) => r.connectedTo !== undefined);
  const rows = all.map((r) => [`${r.layer} (${r.type})`, fmtShape(r.outputShape), r.params.toLocaleString('en-US'), ...(graph ? [(r.connectedTo ?? []).join(', ')] : [])]);
  const header = ['Layer (type)', 'Output shape', 'Params', ...(graph ? ['Connected to'] : [])];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('   ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 3, -3));
  const { trainable, nonTrainable, total } = model.countParams();
  return [
    `Input shape: ${fmtShape(model.inputShape)}`,
    rule,
    line(header),
    rule,
    ...rows.map(line),
    rule,
    `Total params: ${total.toLocaleString('en-US')} (trainable ${trainable.toLocaleString('en-US')}, non-trainable ${nonTrainable.toLocaleString('en-US')})`,
  ].join('\n');
}
