// Seeds libtorch's generators (CPU, and CUDA when present). nnlab's own random choices (shuffles, splits)
// draw from libtorch too, so one seed makes a CPU run repeatable.
import { getNative } from './native.js';

export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new TypeError(`manualSeed: the seed must be a non-negative integer, got ${seed}`);
  }
  getNative().manualSeed(seed);
}
