// Reusable blocks of a model's layer list, expanded into plain layers before the model is built:
//
//   model:
//     blocks:
//       residual:
//         params: { filters: 16, strides: 1 }          # the block's parameters and their defaults
//         layers:
//           - { type: conv2d, name: conv1, filters: $filters, kernelSize: 3, strides: $strides, padding: same }
//           - { type: batchNorm, name: bn1 }
//           - { type: conv2d, name: conv2, filters: $filters, kernelSize: 3, padding: same }
//           - { type: add, inputs: [conv2, $input] }   # $input: the block's input ($input0, $input1: of several)
//     layers:
//       - { type: conv2d, filters: 16, kernelSize: 3, padding: same }
//       - { block: residual, name: b1 }                # a use: its name, inputs and parameter values
//       - { block: residual, name: b2, filters: 16 }
//
// A use's layers are named `<use>.<layer>` (`b1.conv1`; an unnamed one by its index, `b1.3`, as PyTorch names
// the children of an nn.Sequential), so their weights are `b1.conv1.weight`, as PyTorch's module tree names them.
// Inside a block, `inputs` name the block's own layers or `$input`; the first layer takes the block's input, each
// other the layer before it. Outside, a use's name stands for its output: its last layer (or the block's
// `outputs`). A `$name` value is the parameter's value at the use (else its default); a `$name` the block does
// not declare, or a use's field that is not a parameter, is an error at its line. Blocks may use other blocks.
import { closest, ConfigError } from '../../engine/errors.js';
import type { LayerConfig } from '../../nn/layers/layer.js';
import { layerType } from '../../nn/layers/registry.js';
import type { Segment } from './paths.js';
import { formatPath, isRecord } from './paths.js';

/** A block as the file declares it. */
export interface BlockDef {
  params?: Record<string, unknown>;
  layers: LayerConfig[];
  outputs?: string;
}

/** The expanded layers, each with where it came from in the file (for errors). */
export interface Expanded {
  layers: LayerConfig[];
  origins: Segment[][];
  /** The model's output, with a block's name resolved to its output layer (when `outputs` was given). */
  outputs?: string;
}

/** The model input's name, as inputs name it (nn/graph.ts GRAPH_INPUT). */
const INPUT = 'input';

const fail = (at: readonly Segment[], problem: string) => new ConfigError(formatPath(at), problem);

/** Whether a layer list uses blocks (then it is expanded; else it stays as written). */
export function usesBlocks(layers: readonly unknown[]): boolean {
  return layers.some((l) => isRecord(l) && l.block !== undefined);
}

/**
 * Expands every use of a block in `layers` (at `model.layers`), giving each layer of the result a name and its
 * inputs, so the list is a graph model's.
 */
export function expandBlocks(layers: readonly LayerConfig[], blocks: Record<string, BlockDef> | undefined, outputs: string | undefined): Expanded {
  const out: LayerConfig[] = [];
  const origins: Segment[][] = [];
  /** A use's name -> its output layer's name. */
  const uses = new Map<string, string>();
  let previous = INPUT;
  const counts = new Map<string, number>();
  layers.forEach((entry, i) => {
    const at: Segment[] = ['model', 'layers', i];
    if (!isRecord(entry) || entry.block === undefined) {
      const name = typeof entry.name === 'string' ? entry.name : autoName(entry, counts);
      out.push({ ...entry, name, inputs: entry.inputs === undefined ? [previous] : typeof entry.inputs === 'string' ? [entry.inputs] : entry.inputs });
      origins.push(at);
      previous = name;
      return;
    }
    const inputs = entry.inputs === undefined ? [previous] : Array.isArray(entry.inputs) ? entry.inputs : [entry.inputs];
    if (inputs.length === 0 || !inputs.every((n) => typeof n === 'string' && n !== '')) {
      throw fail([...at, 'inputs'], `expected a layer name or a list of layer names (or '${INPUT}'), got ${JSON.stringify(entry.inputs)}`);
    }
    const name = typeof entry.name === 'string' ? entry.name : autoName({ type: String(entry.block) }, counts);
    previous = expandUse(entry, name, inputs as string[], blocks ?? {}, at, at, [], out, origins);
    uses.set(name, previous);
  });
  // Outside a use, its name stands for its output.
  for (const l of out) if (Array.isArray(l.inputs)) l.inputs = l.inputs.map((n) => (typeof n === 'string' ? (uses.get(n) ?? n) : n));
  return { layers: out, origins, ...(outputs === undefined ? {} : { outputs: uses.get(outputs) ?? outputs }) };
}

/** `dense_1`, `residual_2`: as a model names unnamed layers, by type. */
function autoName(entry: Record<string, unknown>, counts: Map<string, number>): string {
  const type = (typeof entry.type === 'string' ? layerType(entry.type) : null) ?? String(entry.type ?? 'layer');
  const n = (counts.get(type) ?? 0) + 1;
  counts.set(type, n);
  return `${type}_${n}`;
}

/**
 * Appends the layers of one use of a block (written at `at`; `origin`: the use in model.layers it belongs to, where
 * errors about its layers point); returns the name of its output layer.
 */
function expandUse(
  use: Record<string, unknown>,
  prefix: string,
  inputs: readonly string[],
  blocks: Record<string, BlockDef>,
  at: Segment[],
  origin: Segment[],
  stack: readonly string[],
  out: LayerConfig[],
  origins: Segment[][],
): string {
  const blockName = use.block;
  if (typeof blockName !== 'string' || !(blockName in blocks)) {
    const names = Object.keys(blocks);
    const near = typeof blockName === 'string' ? closest(blockName, names) : null;
    throw fail([...at, 'block'], `no block '${String(blockName)}'${near ? ` (did you mean '${near}'?)` : ''}; ${names.length ? `model.blocks declares ${names.join(', ')}` : 'model.blocks declares none'}`);
  }
  if (stack.includes(blockName)) throw fail([...at, 'block'], `block '${blockName}' uses itself (${[...stack, blockName].join(' -> ')})`);
  const def = blocks[blockName];
  const defAt: Segment[] = ['model', 'blocks', blockName];
  if (!isRecord(def) || !Array.isArray(def.layers) || def.layers.length === 0) throw fail(defAt, 'a block needs layers: a non-empty list');
  const declared = isRecord(def.params) ? def.params : {};
  const values: Record<string, unknown> = { ...declared };
  for (const [k, v] of Object.entries(use)) {
    if (k === 'block' || k === 'name' || k === 'inputs') continue;
    if (!(k in declared)) {
      const near = closest(k, Object.keys(declared));
      throw fail([...at, k], `block '${blockName}' has no parameter '${k}'${near ? ` (did you mean '${near}'?)` : ''}; its parameters: ${Object.keys(declared).join(', ') || 'none'}`);
    }
    values[k] = v;
  }
  const local = new Map<string, string>();
  def.layers.forEach((l, j) => local.set(typeof l.name === 'string' ? l.name : String(j), `${prefix}.${typeof l.name === 'string' ? l.name : j}`));
  const resolve = (name: unknown, where: Segment[]): string => {
    if (typeof name !== 'string') throw fail(where, `expected a layer name of the block or $input, got ${JSON.stringify(name)}`);
    const input = /^\$input(\d*)$/.exec(name);
    if (input) {
      const k = input[1] === '' ? 0 : Number(input[1]);
      if (k >= inputs.length) throw fail(where, `block '${blockName}' used with ${inputs.length} input${inputs.length === 1 ? '' : 's'} has no ${name}`);
      return inputs[k];
    }
    const found = local.get(name);
    if (found === undefined) {
      const near = closest(name, [...local.keys(), '$input']);
      throw fail(where, `block '${blockName}' has no layer '${name}'${near ? ` (did you mean '${near}'?)` : ''}; inputs inside a block name its layers or $input`);
    }
    return found;
  };
  let previous = inputs[0];
  def.layers.forEach((raw, j) => {
    const where: Segment[] = [...defAt, 'layers', j];
    if (!isRecord(raw)) throw fail(where, `expected a layer, got ${JSON.stringify(raw)}`);
    const layer = substitute(raw, values, blockName, where) as LayerConfig;
    const own = local.get(typeof raw.name === 'string' ? raw.name : String(j))!;
    const given = layer.inputs === undefined ? undefined : Array.isArray(layer.inputs) ? layer.inputs : [layer.inputs];
    const ins = given === undefined ? [previous] : given.map((n, k) => resolve(n, [...where, 'inputs', ...(Array.isArray(layer.inputs) ? [k] : [])]));
    if (layer.block !== undefined) {
      previous = expandUse(layer, own, ins, blocks, where, origin, [...stack, blockName], out, origins);
      return;
    }
    out.push({ ...layer, name: own, inputs: ins });
    origins.push(origin);
    previous = own;
  });
  return def.outputs === undefined ? previous : resolve(def.outputs, [...defAt, 'outputs']);
}

/** A block's layer with each `$param` value replaced by the parameter's value at the use. */
function substitute(value: unknown, params: Record<string, unknown>, block: string, at: Segment[]): unknown {
  if (typeof value === 'string' && value.startsWith('$') && !/^\$input\d*$/.test(value)) {
    const name = value.slice(1);
    if (!(name in params)) {
      const near = closest(name, Object.keys(params));
      throw fail(at, `block '${block}' uses ${value}, which is not one of its parameters${near ? ` (did you mean '$${near}'?)` : ''}; declare it in model.blocks.${block}.params`);
    }
    return structuredClone(params[name]);
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, params, block, [...at, i]));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'inputs' ? v : substitute(v, params, block, [...at, k])]));
  return value;
}
