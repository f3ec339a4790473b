// A model summary as Keras prints it: layer, output shape, parameter count, and the totals.
import { fmtShape } from './layers/layer.js';
import type { Sequential } from './model.js';

export interface SummaryRow {
  layer: string;
  type: string;
  outputShape: number[];
  params: number;
}

export function summaryRows(model: Sequential): SummaryRow[] {
  return model.layers.map((l) => {
    const c = l.countParams();
    return { layer: l.name, type: l.type, outputShape: [...l.outputShape!], params: c.trainable + c.nonTrainable };
  });
}

export function formatSummary(model: Sequential): string {
  const rows = summaryRows(model).map((r) => [`${r.layer} (${r.type})`, fmtShape(r.outputShape), r.params.toLocaleString('en-US')]);
  const header = ['Layer (type)', 'Output shape', 'Params'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('   ');
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
