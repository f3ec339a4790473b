// Graph models written in code, as Keras's functional API writes them: symbolic values from `input(shape)`,
// each layer applied to the values it takes, and the model made from the input and the output. It writes the
// same config an experiment file does (layers with names and inputs, the output), so the model round-trips
// through getConfig() and saved model folders like any other.
//
//   const x = input([3, 32, 32]);
//   const c = apply({ type: 'conv2d', filters: 3, kernelSize: 3, padding: 'same' }, x);
//   const y = apply({ type: 'flatten' }, apply({ type: 'add' }, c, x));
//   const model = graphModel(x, apply({ type: 'dense', units: 10, activation: 'softmax' }, y));
import { ConfigError } from '../engine/errors.js';
import { Graph, GRAPH_INPUT } from './graph.js';
import type { LayerConfig } from './layers/layer.js';
import { layerType } from './layers/registry.js';

/** A value of a graph being written: the model's input, or a layer's output. */
export class SymbolicValue {
  /** @internal */
  constructor(
    readonly config: LayerConfig | null,
    readonly inputs: readonly SymbolicValue[],
    readonly shape: number[] | null,
  ) {}
}

/** The model's input, of per-sample `shape` (no batch axis): [784], [3, 32, 32]. */
export function input(shape: number[]): SymbolicValue {
  return new SymbolicValue(null, [], [...shape]);
}

/** The output of the layer `config` applied to `inputs` (one, or several for a merge layer: add, concatenate). */
export function apply(config: LayerConfig, ...inputs: SymbolicValue[]): SymbolicValue {
  if (inputs.length === 0) throw new ConfigError(`layer ${JSON.stringify(config.name ?? config.type)}`, 'apply() needs the value(s) the layer takes');
  if (!inputs.every((v) => v instanceof SymbolicValue)) throw new ConfigError(`layer ${JSON.stringify(config.name ?? config.type)}`, 'apply() takes values made by input() or apply()');
  return new SymbolicValue({ ...config }, inputs, null);
}

/**
 * The graph model from `inputValue` to `output`: every layer on the way, named (a config's name, else
 * `<type>_<n>`), in an order that builds. `seed` seeds the weights as ModelConfig.seed does.
 */
export function graphModel(inputValue: SymbolicValue, output: SymbolicValue, options: { seed?: number } = {}): Graph {
  if (inputValue.config !== null || inputValue.shape === null) throw new ConfigError('graphModel', 'the first argument must be the value input() made');
  const order: SymbolicValue[] = [];
  const seen = new Set<SymbolicValue>();
  const visit = (v: SymbolicValue): void => {
    if (v === inputValue || seen.has(v)) return;
    if (v.config === null) throw new ConfigError('graphModel', 'the output depends on an input() other than the model input given');
    seen.add(v);
    for (const i of v.inputs) visit(i);
    order.push(v);
  };
  visit(output);
  if (order.length === 0) throw new ConfigError('graphModel', 'the output is the input itself: apply at least one layer');
  const names = new Map<SymbolicValue, string>([[inputValue, GRAPH_INPUT]]);
  const counts = new Map<string, number>();
  const taken = new Set(order.map((v) => v.config!.name).filter((n): n is string => typeof n === 'string'));
  for (const v of order) {
    let name = v.config!.name;
    if (typeof name !== 'string') {
      const type = layerType(String(v.config!.type)) ?? String(v.config!.type);
      let n = counts.get(type) ?? 0;
      do n++;
      while (taken.has(`${type}_${n}`));
      counts.set(type, n);
      name = `${type}_${n}`;
      taken.add(name);
    }
    names.set(v, name);
  }
  const layers = order.map((v) => ({ ...v.config!, name: names.get(v)!, inputs: v.inputs.map((i) => names.get(i)!) }));
  return new Graph({ inputShape: inputValue.shape, layers, outputs: names.get(output)!, ...(options.seed === undefined ? {} : { seed: options.seed }) });
}
