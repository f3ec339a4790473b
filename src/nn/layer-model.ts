// What every model made of layers shares, whatever connects them (a stack, a graph): building the layers with
// their shapes checked and their weights counted against memory, the weights and buffers as PyTorch names
// them, moving them to a device, inference layouts, penalties and parameter counts. Sequential and Graph say
// how the layers connect (their order, their names in the state dict, the forward pass, the config).
import { ConfigError, NnlabError, ShapeError } from '../engine/errors.js';
import { manualSeed } from '../engine/seed.js';
import { keep, noGrad, ops, type Tensor } from '../tensor/index.js';
import { fmtShape, type CallContext, type Layer, type Shape } from './layers/layer.js';
import type { Model, ModelConfig } from './model.js';
import type { SummaryRow } from './summary.js';
import { WeightMemory } from './weight-memory.js';

/** Checks a model config's input shape and seed (seeding libtorch before any weight is drawn). */
export function checkModelConfig(config: ModelConfig, path: string): void {
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
}

/** Names the layers that have none (`dense_1`, `conv2d_2`, ...); two layers of one name are an error. */
export function nameLayers(layers: readonly Layer[], path: string, reserved: readonly string[] = []): void {
  const counts = new Map<string, number>();
  const names = new Set<string>(reserved);
  for (const l of layers) {
    if (!l.name) {
      let n = counts.get(l.type) ?? 0;
      do n++;
      while (names.has(`${l.type}_${n}`));
      counts.set(l.type, n);
      l.name = `${l.type}_${n}`;
    }
    if (names.has(l.name)) throw new ConfigError(`${path}.layers`, reserved.includes(l.name) ? `'${l.name}' names the model's input: give the layer another name` : `two layers are named '${l.name}'`);
    names.add(l.name);
  }
}

export abstract class LayerModel implements Model {
  abstract readonly inputShape: Shape;
  abstract readonly outputShape: Shape;
  /** The layers in the order they run. */
  abstract readonly layers: readonly Layer[];
  /** The layer whose output is the model's. */
  abstract readonly outputLayer: Layer;

  abstract forward(x: Tensor, ctx: CallContext, options?: { logits?: boolean }): Tensor;
  abstract stateDict(): Record<string, Tensor>;
  abstract getConfig(): ModelConfig;
  abstract summaryRows(): SummaryRow[];
  abstract connections(): { layer: Layer; inputs: string[] }[];

  /**
   * Builds `layer` on its input shapes, first adding its weights to `memory` (a layer too large for the machine
   * is refused before anything is allocated); a shape error names the model's path.
   */
  protected buildLayer(layer: Layer, shapes: readonly Shape[], memory: WeightMemory, at: string, path: string): Shape {
    try {
      return layer.buildInputs(shapes, (w) => memory.add(layer, w, at));
    } catch (e) {
      if (e instanceof ShapeError) throw new ShapeError(`${path}: ${e.message}`);
      throw e;
    }
  }

  /** The batch `x` must be [N, ...inputShape]. */
  protected checkInput(x: Tensor): void {
    const want = this.inputShape;
    const got = x.shape.slice(1);
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
      throw new ShapeError(`model input: expected a batch of ${fmtShape(want)}, got ${fmtShape(x.shape)}`);
    }
  }

  /** The device of the model's weights ('cpu' for a model without weights). */
  get device(): string {
    return this.parameters()[0]?.device ?? 'cpu';
  }

  /** 'conv' when any layer's work is convolutions (libtorch's threads serve it best), else 'dense'. */
  get workload(): 'conv' | 'dense' {
    return this.layers.some((l) => l.workload === 'conv') ? 'conv' : 'dense';
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
            if (trainable && !l.frozenWeights.has(name)) moved.requiresGrad_(true);
            t.dispose();
            map.set(name, moved);
          }
        }
      }
    });
    return this;
  }

  /**
   * Weights laid out for inference (each layer's own: a dense kernel transposed once, about 13% faster products
   * at batch 32), to pass as CallContext.inference while the weights stay as they are; dispose() frees them.
   */
  inferenceWeights(): { weights: ReadonlyMap<Layer, Tensor>; dispose(): void } {
    const weights = new Map<Layer, Tensor>();
    noGrad(() => {
      for (const l of this.layers) {
        const w = l.inferenceWeight();
        if (w !== null) weights.set(l, keep(w));
      }
    });
    return { weights, dispose: () => weights.forEach((t) => t.dispose()) };
  }

  /** Trainable weights (not frozen), in layer order. */
  parameters(): Tensor[] {
    return this.layers.flatMap((l) => [...l.weights].filter(([n]) => !l.frozenWeights.has(n)).map(([, t]) => t));
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

  dispose(): void {
    for (const l of this.layers) l.dispose();
  }
}
