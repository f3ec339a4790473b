// A graph model, in the style of Keras's functional API: each layer names its inputs (other layers, or `input`,
// the model's input), so a model can branch and merge (a residual block adds its input to its output). Its config
// is the layer list with `name` and `inputs` on each entry (default: the entry before; the first, the model's
// input) and `outputs`, the layer whose output is the model's (default: the last). Building it checks the
// connections before any weight exists: an unknown input, a cycle, a layer whose output reaches nothing, a merge
// of shapes that do not fit; each a ConfigError or ShapeError naming the layer (and the shapes).
//
// Weights are named `<layer name>.<weight>`: a layer named `layer1.0.conv1` holds `layer1.0.conv1.weight`, as
// PyTorch's module tree names it, so a PyTorch state dict with the same names loads unchanged.
import { ConfigError, closest } from '../engine/errors.js';
import type { Tensor } from '../tensor/index.js';
import type { CallContext, Layer, LayerConfig, Shape } from './layers/layer.js';
import { layer } from './layers/registry.js';
import { checkModelConfig, LayerModel, nameLayers } from './layer-model.js';
import type { ModelConfig } from './model.js';
import type { SummaryRow } from './summary.js';
import { WeightMemory } from './weight-memory.js';

/** The name of the model's input, as a layer's `inputs` names it. */
export const GRAPH_INPUT = 'input';

/** A layer of a graph with its inputs, by name, and where its config is (for errors). */
interface Node {
  layer: Layer;
  inputs: string[];
  at: string;
}

/** A layer config's `inputs` as a list of names (default: `previous`), checked to be names. */
function inputsOf(config: LayerConfig, previous: string, at: string): string[] {
  const given = config.inputs;
  if (given === undefined) return [previous];
  const list = Array.isArray(given) ? given : [given];
  if (list.length === 0 || !list.every((n) => typeof n === 'string' && n !== '')) {
    throw new ConfigError(`${at}.inputs`, `expected a layer name or a list of layer names (or '${GRAPH_INPUT}', the model's input), got ${JSON.stringify(given)}`);
  }
  return list as string[];
}

/**
 * Orders the nodes so each comes after its inputs (the file's order where it allows), checking the
 * connections: every input names a layer or the model input, no cycle, and every layer leads to `output`.
 */
export function orderGraph(nodes: readonly Node[], output: string, path: string): Node[] {
  const byName = new Map(nodes.map((n) => [n.layer.name, n]));
  const names = [GRAPH_INPUT, ...byName.keys()];
  for (const n of nodes) {
    for (const name of n.inputs) {
      if (name === n.layer.name) throw new ConfigError(`${n.at}.inputs`, `${n.layer.describe()} names itself as its input`);
      if (!byName.has(name) && name !== GRAPH_INPUT) {
        const near = closest(name, names);
        throw new ConfigError(`${n.at}.inputs`, `${n.layer.describe()}: no layer '${name}'${near ? ` (did you mean '${near}'?)` : ''}; inputs name layers of the model or '${GRAPH_INPUT}'`);
      }
    }
  }
  if (!byName.has(output)) {
    const near = closest(output, [...byName.keys()]);
    throw new ConfigError(`${path}.outputs`, `no layer '${output}'${near ? ` (did you mean '${near}'?)` : ''} to be the model's output`);
  }
  // Kahn's algorithm, taking ready nodes in file order.
  const placed = new Set<string>([GRAPH_INPUT]);
  const order: Node[] = [];
  let rest = [...nodes];
  while (rest.length > 0) {
    const ready = rest.filter((n) => n.inputs.every((i) => placed.has(i)));
    if (ready.length === 0) {
      const cycle = rest.map((n) => `'${n.layer.name}'`).join(', ');
      throw new ConfigError(`${rest[0].at}.inputs`, `the layers ${cycle} wait on each other's outputs (a cycle): a graph model's connections must lead from '${GRAPH_INPUT}' to the output`);
    }
    for (const n of ready) {
      order.push(n);
      placed.add(n.layer.name);
    }
    rest = rest.filter((n) => !placed.has(n.layer.name));
  }
  // Every layer must lead to the output, or it would be built and trained for nothing.
  const used = new Set<string>([output]);
  for (let i = order.length - 1; i >= 0; i--) if (used.has(order[i].layer.name)) for (const name of order[i].inputs) used.add(name);
  const dead = order.find((n) => !used.has(n.layer.name));
  if (dead) throw new ConfigError(dead.at, `${dead.layer.describe()}: its output reaches nothing on the way to the model's output '${output}' (use it as an input, or remove it)`);
  if (!used.has(GRAPH_INPUT)) throw new ConfigError(`${path}.layers`, `no layer takes the model's input '${GRAPH_INPUT}'`);
  return order;
}

/**
 * A graph config's layers (made, not built: no weights yet), named, connected and ordered so each comes after its
 * inputs, with the output layer: every connection problem is a ConfigError here, before anything is allocated.
 */
export function graphConnections(config: Pick<ModelConfig, 'layers' | 'outputs'>, path = 'model'): { order: Node[]; output: Layer } {
  const made: { layer: Layer; config: LayerConfig; at: string }[] = [];
  try {
    for (const [i, c] of config.layers.entries()) {
      const { inputs: _inputs, ...own } = c;
      made.push({ layer: layer(own, `${path}.layers[${i}]`), config: c, at: `${path}.layers[${i}]` });
    }
    nameLayers(made.map((m) => m.layer), path, [GRAPH_INPUT]);
    const nodes = made.map((m, i) => ({ layer: m.layer, at: m.at, inputs: inputsOf(m.config, i === 0 ? GRAPH_INPUT : made[i - 1].layer.name, m.at) }));
    const output = config.outputs ?? made[made.length - 1].layer.name;
    if (typeof output !== 'string') throw new ConfigError(`${path}.outputs`, `expected the name of the output layer, got ${JSON.stringify(output)}`);
    const order = orderGraph(nodes, output, path);
    return { order, output: order.find((n) => n.layer.name === output)!.layer };
  } catch (e) {
    for (const m of made) m.layer.dispose();
    throw e;
  }
}

export class Graph extends LayerModel {
  readonly layers: Layer[];
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  readonly outputLayer: Layer;
  /** Each layer's inputs, by name, in the order the layer takes them. */
  private readonly inputs: Map<Layer, string[]>;

  constructor(config: ModelConfig, path = 'model') {
    super();
    checkModelConfig(config, path);
    this.inputShape = config.inputShape;
    const { order, output } = graphConnections(config, path);
    try {
      this.layers = order.map((n) => n.layer);
      this.inputs = new Map(order.map((n) => [n.layer, n.inputs]));
      this.outputLayer = output;
      const shapes = new Map<string, Shape>([[GRAPH_INPUT, this.inputShape]]);
      const memory = new WeightMemory();
      for (const n of order) shapes.set(n.layer.name, this.buildLayer(n.layer, n.inputs.map((name) => shapes.get(name)!), memory, n.at, path));
      this.outputShape = shapes.get(output.name)!;
    } catch (e) {
      for (const n of order) n.layer.dispose();
      throw e;
    }
  }

  /**
   * The model on a batch [N, ...inputShape]: each layer on its inputs' outputs, in order. Run it inside tidy().
   * `logits`: leave out the output layer's activation (for a loss computed from logits).
   */
  forward(x: Tensor, ctx: CallContext, options: { logits?: boolean } = {}): Tensor {
    this.checkInput(x);
    const values = new Map<string, Tensor>([[GRAPH_INPUT, x]]);
    for (const l of this.layers) {
      const own = options.logits && l === this.outputLayer ? { ...ctx, skipActivation: true } : ctx;
      values.set(l.name, l.callInputs(this.inputs.get(l)!.map((name) => values.get(name)!), own));
    }
    return values.get(this.outputLayer.name)!;
  }

  /** Every weight and buffer by name (`<layer name>.<weight>`), for saving. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const l of this.layers) for (const [n, t] of [...l.weights, ...l.buffers]) out[`${l.name}.${n}`] = t;
    return out;
  }

  /** The layers with their names and inputs (in an order that builds), and the output: it builds the same model. */
  getConfig(): ModelConfig {
    return {
      inputShape: [...this.inputShape],
      layers: this.layers.map((l) => ({ ...l.getConfig(), inputs: [...this.inputs.get(l)!] })),
      outputs: this.outputLayer.name,
    };
  }

  connections(): { layer: Layer; inputs: string[] }[] {
    return this.layers.map((layer) => ({ layer, inputs: [...this.inputs.get(layer)!] }));
  }

  summaryRows(): SummaryRow[] {
    return this.layers.map((l) => {
      const c = l.countParams();
      return { layer: l.name, type: l.type, outputShape: [...l.outputShape!], params: c.trainable + c.nonTrainable, connectedTo: [...this.inputs.get(l)!] };
    });
  }
}
