// Layer sizes that cannot be allocated are refused before anything is: as a model is built, each layer's
// weights (from the shapes it will create, float32) are added up, and the layer that takes the model past this
// machine's memory is a ConfigError naming it (libtorch would otherwise fail at allocation with its own message,
// after the layers before it were allocated, or the machine would swap). Normal models use a tiny fraction of it.
import os from 'node:os';
import { ConfigError } from '../engine/errors.js';
import type { Layer, Shape } from './layers/layer.js';

/** Weights are float32. */
const BYTES_PER_WEIGHT = 4;

// Sizes beyond any machine (units: 1e300) in exponent form rather than hundreds of digits.
const gib = (bytes: number) => `${bytes < 1024 ** 3 * 1e12 ? (bytes / 1024 ** 3).toFixed(1) : (bytes / 1024 ** 3).toExponential(1)} GiB`;
const count = (n: number) => (n < 1e15 ? n.toLocaleString('en-US') : n.toExponential(2));

/** The weights of a model being built, layer by layer, against a memory limit (default: the machine's memory). */
export class WeightMemory {
  private weights = 0;

  constructor(readonly limitBytes = os.totalmem()) {}

  /**
   * Adds the weights of `layer` (`shapes`, before they are created); a ConfigError at `path` when the model's
   * weights so far would not fit in the limit.
   */
  add(layer: Layer, shapes: readonly Shape[], path: string): void {
    const own = shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
    this.weights += own;
    const bytes = this.weights * BYTES_PER_WEIGHT;
    if (bytes <= this.limitBytes) return;
    const before = this.weights - own;
    throw new ConfigError(
      path,
      `${layer.describe()} would have ${count(own)} weights (${gib(own * BYTES_PER_WEIGHT)} as float32` +
        `${before > 0 ? `, ${gib(bytes)} with the layers before it` : ''}), more than this machine's memory ` +
        `(${gib(this.limitBytes)}); use fewer units or filters`,
    );
  }
}
