// What the convolution layers share beyond their weights: reading integer sizes that are not pairs (1-d
// kernels, strides, dilations), Keras's 'same' padding split (the extra element of an even span goes after),
// and the groups rule (groups divide the input channels and the filters).
import { ConfigError } from '../../engine/errors.js';

/** A positive integer read from a raw config value (1-d sizes: kernel, stride, dilation). */
export function positiveInt(value: unknown, at: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw new ConfigError(at, `expected a positive integer, got ${JSON.stringify(value)}`);
}

/** A non-negative integer, or a pair of them (explicit padding: n or [h, w]). */
export function pixels(value: unknown): [number, number] | null {
  const ok = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (ok(value)) return [value as number, value as number];
  if (Array.isArray(value) && value.length === 2 && value.every(ok)) return [value[0], value[1]];
  return null;
}

/**
 * Keras's 'same' padding of one axis: the output is ceil(size / stride), and the padding this takes is split
 * with the odd element after (bottom, right), as TensorFlow does; PyTorch's padding='same' splits it the same
 * way. `kernel` is the dilated span, dilation · (kernel − 1) + 1.
 */
export function samePads(size: number, span: number, stride: number): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + span - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** The span a dilated kernel covers. */
export function dilatedSpan(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1;
}

/** `groups` must divide `filters` (a config error at `path.groups`; the input channels are checked at build). */
export function checkGroups(groups: number, filters: number, path: string): void {
  if (filters % groups !== 0) throw new ConfigError(`${path}.groups`, `groups ${groups} must divide filters ${filters}`);
}
