// A sequential model: layers applied in order to inputs of a known per-sample shape. Building it checks every
// layer's shapes (a mismatch names the layer and both shapes) and creates the weights, seeded through libtorch.
// Weights are named `<layer index>.<weight>` (e.g. `0.weight`, `1.running_mean`), PyTorch's names for the same
// nn.Sequential, so state dicts move between the two.
import { ConfigError } from '../engine/errors.js';
import type { Tensor } from '../tensor/index.js';
import type { CallContext, Layer, Shape } from './layers/layer.js';
import { layer } from './layers/registry.js';
import { checkModelConfig, LayerModel, nameLayers } from './layer-model.js';
import type { ModelConfig } from './model.js';
import type { SummaryRow } from './summary.js';
import { WeightMemory } from './weight-memory.js';

export class Sequential extends LayerModel {
  readonly layers: Layer[];
  readonly inputShape: Shape;
  readonly outputShape: Shape;

  constructor(config: ModelConfig, path = 'model') {
    super();
    checkModelConfig(config, path);
    this.inputShape = config.inputShape;
    this.layers = config.layers.map((c, i) => {
      if (c.inputs !== undefined) throw new ConfigError(`${path}.layers[${i}].inputs`, 'a layer with inputs makes a graph model: build it as a Graph (buildModel does)');
      return layer(c, `${path}.layers[${i}]`);
    });
    nameLayers(this.layers, path);
    let shape: Shape = this.inputShape;
    const memory = new WeightMemory();
    try {
      for (const [i, l] of this.layers.entries()) shape = this.buildLayer(l, [shape], memory, `${path}.layers[${i}]`, path);
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.outputShape = shape;
  }

  get outputLayer(): Layer {
    return this.layers[this.layers.length - 1];
  }

  /**
   * The model on a batch [N, ...inputShape]. Run it inside tidy(); training mode enables dropout and batch
   * statistics. `logits`: leave out the last layer's activation (for a loss computed from logits).
   */
  forward(x: Tensor, ctx: CallContext, options: { logits?: boolean } = {}): Tensor {
    this.checkInput(x);
    let y = x;
    const last = this.layers.length - 1;
    for (let i = 0; i < last; i++) y = this.layers[i].call(y, ctx);
    return this.layers[last].call(y, options.logits ? { ...ctx, skipActivation: true } : ctx);
  }

  /** Every weight and buffer by name (`<index>.<name>`), for saving. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    this.layers.forEach((l, i) => {
      for (const [n, t] of [...l.weights, ...l.buffers]) out[`${i}.${n}`] = t;
    });
    return out;
  }

  getConfig(): ModelConfig {
    return { inputShape: [...this.inputShape], layers: this.layers.map((l) => l.getConfig()) };
  }

  connections(): { layer: Layer; inputs: string[] }[] {
    return this.layers.map((layer, i) => ({ layer, inputs: [i === 0 ? 'input' : this.layers[i - 1].name] }));
  }

  summaryRows(): SummaryRow[] {
    return this.layers.map((l) => {
      const c = l.countParams();
      return { layer: l.name, type: l.type, outputShape: [...l.outputShape!], params: c.trainable + c.nonTrainable };
    });
  }
}
