// A run's model as the dashboard shows it: the Keras-style summary its weights folder keeps (config.json's
// `summary`, written since the dashboard came), else one built from the weights file's header alone (each
// layer's tensors, shapes and parameter counts; read without loading the tensors or libtorch).
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { headerLength, parseHeader } from '../io/safetensors-header.js';

function readAt(fd: number, length: number, position: number): Uint8Array {
  const buffer = Buffer.alloc(length);
  readSync(fd, buffer, 0, length, position);
  return buffer;
}

/** Parameters by layer from a safetensors file's header (tensor `a.b.weight` belongs to layer `a.b`). */
export function weightsTable(file: string): string {
  const fd = openSync(file, 'r');
  let entries;
  try {
    const size = fstatSync(fd).size;
    const n = headerLength(readAt(fd, Math.min(8, size), 0), size, file);
    entries = parseHeader(readAt(fd, n, 8), size - 8 - n, file).entries;
  } finally {
    closeSync(fd);
  }
  const layers = new Map<string, { tensors: string[]; params: number }>();
  for (const e of entries) {
    const dot = e.name.lastIndexOf('.');
    const layer = dot > 0 ? e.name.slice(0, dot) : e.name;
    const l = layers.get(layer) ?? { tensors: [], params: 0 };
    l.tensors.push(`${e.name.slice(dot + 1)} (${e.shape.join(', ')})`);
    l.params += e.shape.reduce((a, b) => a * b, 1);
    layers.set(layer, l);
  }
  const rows = [...layers].map(([name, l]) => [name, l.tensors.join(', '), l.params.toLocaleString('en-US')]);
  const header = ['Layer', 'Tensors (shape)', 'Params'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('   ');
  const total = [...layers.values()].reduce((a, l) => a + l.params, 0);
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 3, -3));
  return [line(header), rule, ...rows.map(line), rule, `Total params: ${total.toLocaleString('en-US')} (from the weights file; buffers such as batch-norm statistics included)`].join('\n');
}

/** The model summary of a weights folder, or null when the folder is not on this machine or unreadable. */
export function modelSummary(dir: string): string | null {
  try {
    const summary = (JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { summary?: unknown }).summary;
    if (typeof summary === 'string') return summary;
  } catch {
    // no config.json here: try the weights alone
  }
  try {
    return weightsTable(path.join(dir, 'weights.safetensors'));
  } catch {
    return null;
  }
}
