// A sequential model: layers applied in order to inputs of a known per-sample shape. Building it checks every
// layer's shapes (a mismatch names the layer and both shapes) and creates the weights, seeded through libtorch.
// Weights are named `<layer index>.<weight>` (e.g. `0.weight`, `1.running_mean`), PyTorch's names for the same
// nn.Sequential, so state dicts move between the two.
import { ConfigError, NnlabError, ShapeError } from '../engine/errors.js';
import { manualSeed } from '../engine/seed.js';
import { keep, noGrad, ops, type Tensor } from '../tensor/index.js';
import { fmtShape, type CallContext, type Layer, type LayerConfig, type Shape } from './layers/layer.js';
import { layer } from './layers/registry.js';
import { Dense } from './layers/dense.js';
import { WeightMemory } from './weight-memory.js';

export interface ModelConfig {
  inputShape: number[];
  layers: LayerConfig[];
  /**
   * Seeds libtorch's generator before the weights are drawn, so the same seed builds the same weights (as
   * torch.manual_seed before building a PyTorch model; fit's seed covers the run's randomness, not these).
   * Not part of getConfig(): a saved model keeps its weights.
   */
  seed?: number;
}

export class Sequential {
  readonly layers: Layer[];
  readonly inputShape: Shape;
  readonly outputShape: Shape;

  constructor(config: ModelConfig, path = 'model') {
    if (!Array.isArray(config.inputShape) || config.inputShape.length === 0 || !config.inputShape.every((n) => Number.isInteger(n) && n > 0)) {
      throw new ConfigError(`${path}.inputShape`, `expected positive integers such as [784] or [1, 28, 28], got ${JSON.stringify(config.inputShape)}`);
    }
    if (!Array.isArray(config.layers) || config.layers.length === 0) {
      throw new ConfigError(`${path}.layers`, 'a model needs at least one layer');
    }
    if (config.seed !== undefined) {
      if (!Number.isSafeInteger(config.seed) || config.seed < 0) throw new ConfigError(`${path}.seed`, `expected an integer >= 0, got ${JSON.stringify(config.seed)}`);
      manualSeed(config.seed);
    }
    this.inputShape = config.inputShape;
    this.layers = config.layers.map((c, i) => layer(c, `${path}.layers[${i}]`));
    const counts = new Map<string, number>();
    const names = new Set<string>();
    for (const l of this.layers) {
      if (!l.name) {
        const n = (counts.get(l.type) ?? 0) + 1;
        counts.set(l.type, n);
        l.name = `${l.type}_${n}`;
      }
      if (names.has(l.name)) throw new ConfigError(`${path}.layers`, `two layers are named '${l.name}'`);
      names.add(l.name);
    }
    let shape: Shape = this.inputShape;
    // Sizes that cannot be allocated are refused, naming the layer, before its weights are created.
    const memory = new WeightMemory();
    try {
      for (const [i, l] of this.layers.entries()) shape = l.build(shape, (shapes) => memory.add(l, shapes, `${path}.layers[${i}]`));
    } catch (e) {
      this.dispose();
      if (e instanceof ShapeError) throw new ShapeError(`${path}: ${e.message}`);
      throw e;
    }
    this.outputShape = shape;
  }

  /**
   * The model on a batch [N, ...inputShape]. Run it inside tidy(); training mode enables dropout and batch
   * statistics. `logits`: leave out the last layer's activation (for a loss computed from logits).
   */
  forward(x: Tensor, ctx: CallContext, options: { logits?: boolean } = {}): Tensor {
    const want = this.inputShape;
    const got = x.shape.slice(1);
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
      throw new ShapeError(`model input: expected a batch of ${fmtShape(want)}, got ${fmtShape(x.shape)}`);
    }
    let y = x;
    const last = this.layers.length - 1;
    for (let i = 0; i < last; i++) y = this.layers[i].call(y, ctx);
    return this.layers[last].call(y, options.logits ? { ...ctx, skipActivation: true } : ctx);
  }

  /** The device of the model's weights ('cpu' for a model without weights). */
  get device(): string {
    return this.parameters()[0]?.device ?? 'cpu';
  }

  /**
   * Moves every weight and buffer to `device` (as PyTorch's module.to(device)); a no-op where they already are.
   * The moved weights are new tensors: make the optimizer after moving the model (the Trainer does).
   */
  to(device: string): this {
    noGrad(() => {
      for (const l of this.layers) {
        for (const [map, trainable] of [[l.weights, true], [l.buffers, false]] as const) {
          for (const [name, t] of map) {
            if (t.device === device) continue;
            const moved = keep(t.to({ device }));
            if (trainable) moved.requiresGrad_(true);
            t.dispose();
            map.set(name, moved);
          }
        }
      }
    });
    return this;
  }

  /**
   * Weights laid out for inference (each dense kernel transposed once, about 13% faster products at batch 32,
   * 5% at 1000), to pass as CallContext.inference while the weights stay as they are; dispose() frees them.
   */
  inferenceWeights(): { weights: ReadonlyMap<Layer, Tensor>; dispose(): void } {
    const weights = new Map<Layer, Tensor>();
    noGrad(() => {
      for (const l of this.layers) if (l instanceof Dense && l.weights.has('weight')) weights.set(l, keep(l.inferenceWeight()));
    });
    return { weights, dispose: () => weights.forEach((t) => t.dispose()) };
  }

  /** Trainable weights, in layer order. */
  parameters(): Tensor[] {
    return this.layers.flatMap((l) => [...l.weights.values()]);
  }

  /** Every weight and buffer by name (`<index>.<name>`), for saving. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    this.layers.forEach((l, i) => {
      for (const [n, t] of [...l.weights, ...l.buffers]) out[`${i}.${n}`] = t;
    });
    return out;
  }

  /**
   * Copies weights in: every entry of stateDict() must be present with its shape. PyTorch's extra
   * `num_batches_tracked` buffers are ignored; any other unexpected name is an error.
   */
  loadStateDict(tensors: Record<string, Tensor>, source = 'state dict'): void {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in tensors));
    const unexpected = Object.keys(tensors).filter((k) => !(k in own) && !k.endsWith('num_batches_tracked'));
    if (missing.length || unexpected.length) {
      throw new NnlabError(
        `${source} does not match the model:${missing.length ? ` missing ${missing.join(', ')};` : ''}${unexpected.length ? ` unexpected ${unexpected.join(', ')}` : ''}`,
      );
    }
    for (const [k, t] of Object.entries(own)) {
      const src = tensors[k];
      if (src.shape.join() !== t.shape.join()) {
        throw new ShapeError(`${source}: ${k} has shape ${fmtShape(src.shape)}, the model's is ${fmtShape(t.shape)}`);
      }
    }
    noGrad(() => {
      for (const [k, t] of Object.entries(own)) t.copy_(tensors[k]);
    });
  }

  /** The sum of all weight penalties (regularizers), or null. */
  penalty(): Tensor | null {
    let total: Tensor | null = null;
    for (const l of this.layers) {
      const p = l.penalty();
      if (p !== null) total = total === null ? p : ops.add(total, p);
    }
    return total;
  }

  countParams(): { trainable: number; nonTrainable: number; total: number } {
    let trainable = 0;
    let nonTrainable = 0;
    for (const l of this.layers) {
      const c = l.countParams();
      trainable += c.trainable;
      nonTrainable += c.nonTrainable;
    }
    return { trainable, nonTrainable, total: trainable + nonTrainable };
  }

  getConfig(): ModelConfig {
    return { inputShape: [...this.inputShape], layers: this.layers.map((l) => l.getConfig()) };
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
  }
}
