// A run's model as the dashboard shows it: the Keras-style summary its weights folder keeps (config.json's
// `summary`, written since the dashboard came), else one built from the weights file's header alone (each
// layer's tensors, shapes and parameter counts; read without loading the tensors or libtorch).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readSafetensorsHeader } from '../io/safetensors-file.js';
import { renderTerminal } from '../report/terminal.js';

/** Parameters by layer from a safetensors file's header (tensor `a.b.weight` belongs to layer `a.b`). */
export function weightsTable(file: string): string {
  const { entries } = readSafetensorsHeader(file);
  const layers = new Map<string, { tensors: string[]; params: number }>();
  for (const e of entries) {
    const dot = e.name.lastIndexOf('.');
    const layer = dot > 0 ? e.name.slice(0, dot) : e.name;
    const l = layers.get(layer) ?? { tensors: [], params: 0 };
    l.tensors.push(`${e.name.slice(dot + 1)} (${e.shape.join(', ')})`);
    l.params += e.shape.reduce((a, b) => a * b, 1);
    layers.set(layer, l);
  }
  const total = [...layers.values()].reduce((a, l) => a + l.params, 0);
  const table = renderTerminal({
    headers: ['Layer', 'Tensors (shape)', 'Params'],
    rows: [...layers].map(([name, l]) => [name, l.tensors.join(', '), l.params.toLocaleString('en-US')]),
    align: ['left', 'left', 'right'],
  });
  return `${table}\nTotal params: ${total.toLocaleString('en-US')} (from the weights file; buffers such as batch-norm statistics included)`;
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
