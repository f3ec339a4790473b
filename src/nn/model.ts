// The model contract: what the trainer, the outputs, the summary, model files, checkpoints, predict and the
// dashboard take, whatever the model's shape. Two implementations: Sequential (a stack of layers, PyTorch's
// nn.Sequential names) and Graph (layers that name their inputs, Keras's functional style, PyTorch's module
// names). buildModel() makes the one a config describes: a graph when any layer names its inputs, merges
// several, or the config names its output; a stack otherwise, so a plain layer list is the model it always was.
import type { Tensor } from '../tensor/index.js';
import type { CallContext, Layer, LayerConfig, Shape } from './layers/layer.js';
import { layer } from './layers/registry.js';
import { Graph } from './graph.js';
import { Sequential } from './sequential.js';
import type { SummaryRow } from './summary.js';

export interface ModelConfig {
  inputShape: number[];
  /** The layers; in a graph each may have `name` and `inputs` (a layer name, a list of them, or 'input'). */
  layers: LayerConfig[];
  /** A graph model's output: the name of its output layer (default: the last layer). */
  outputs?: string;
  /**
   * Seeds libtorch's generator before the weights are drawn, so the same seed builds the same weights (as
   * torch.manual_seed before building a PyTorch model; fit's seed covers the run's randomness, not these).
   * Not part of getConfig(): a saved model keeps its weights.
   */
  seed?: number;
}

export interface Model {
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  /** The layers, in the order they run. */
  readonly layers: readonly Layer[];
  /** The layer whose output is the model's (its activation says what the outputs are: src/nn/outputs.ts). */
  readonly outputLayer: Layer;
  /** Where the weights are: 'cpu' or 'cuda:N'. */
  readonly device: string;
  /** 'conv' when convolutions dominate the work (the thread policy: engine/threads.ts), else 'dense'. */
  readonly workload: 'conv' | 'dense';
  /**
   * The model on a batch [N, ...inputShape]. Run it inside tidy(); training mode enables dropout and batch
   * statistics. `logits`: leave out the output layer's activation (for a loss computed from logits).
   */
  forward(x: Tensor, ctx: CallContext, options?: { logits?: boolean }): Tensor;
  /** Moves the weights and buffers to `device` (make the optimizer after). */
  to(device: string): this;
  /** Weights laid out for inference, to pass as CallContext.inference while the weights stay as they are. */
  inferenceWeights(): { weights: ReadonlyMap<Layer, Tensor>; dispose(): void };
  /** Trainable weights, in layer order. */
  parameters(): Tensor[];
  /** Every weight and buffer by PyTorch's name. */
  stateDict(): Record<string, Tensor>;
  /** Copies weights in; every name of stateDict() must be there with its shape. */
  loadStateDict(tensors: Record<string, Tensor>, source?: string): void;
  /** The sum of the weight penalties (regularizers), or null. */
  penalty(): Tensor | null;
  countParams(): { trainable: number; nonTrainable: number; total: number };
  /** The config that builds the same model (buildModel). */
  getConfig(): ModelConfig;
  /** One row per layer for the summary (Keras's model.summary(); a graph's rows say what each is connected to). */
  summaryRows(): SummaryRow[];
  /**
   * Each layer with the names of the layers its inputs come from ('input': the model's input), in the order the
   * layers run (a stack's: the layer before): what an exporter walks.
   */
  connections(): { layer: Layer; inputs: string[] }[];
  dispose(): void;
}

/** Whether a config describes a graph: a layer names its inputs or merges several, or the output is named. */
export function isGraphConfig(config: ModelConfig): boolean {
  if (config.outputs !== undefined) return true;
  return (config.layers ?? []).some((c) => c !== null && typeof c === 'object' && (c.inputs !== undefined || isMerge(c.type)));
}

/** Whether a layer type is a merge layer (several inputs), in any of its spellings. */
function isMerge(type: unknown): boolean {
  if (typeof type !== 'string') return false;
  try {
    const probe = layer({ type }, 'probe');
    const many = probe.arity === 'many';
    probe.dispose();
    return many;
  } catch {
    return false; // not a type on its own (it needs fields): the model reports it where it is built
  }
}

/** The model a config describes: a Graph or a Sequential (see isGraphConfig). */
export function buildModel(config: ModelConfig, path = 'model'): Model {
  return isGraphConfig(config) ? new Graph(config, path) : new Sequential(config, path);
}

export { Graph, GRAPH_INPUT } from './graph.js';
export { Sequential } from './sequential.js';
