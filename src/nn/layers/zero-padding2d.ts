// Zeros around each image, [channels, height, width] -> [channels, height + top + bottom, width + left + right]:
// Keras's ZeroPadding2D (padding n, [h, w] or [[top, bottom], [left, right]]) and PyTorch's ZeroPad2d, whose
// four numbers are (left, right, top, bottom), its order, accepted as a flat list of four.
import { ops, type Tensor } from '../../tensor/index.js';
import { ConfigError } from '../../engine/errors.js';
import { Layer, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import type { OnnxGraph } from '../onnx/graph.js';

const SPEC = { padding: { type: 'component', default: null } } satisfies LayerSpec;

/** [[top, bottom], [left, right]] from any of the accepted forms, or null. */
function readPadding(p: unknown): [[number, number], [number, number]] | null {
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  const isPair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every(ok);
  if (ok(p)) return [[p, p], [p, p]];
  if (isPair(p)) return [[p[0], p[0]], [p[1], p[1]]];
  if (Array.isArray(p) && p.length === 2 && isPair(p[0]) && isPair(p[1])) return [[p[0][0], p[0][1]], [p[1][0], p[1][1]]];
  if (Array.isArray(p) && p.length === 4 && p.every(ok)) return [[p[2], p[3]], [p[0], p[1]]];
  return null;
}

export class ZeroPadding2d extends Layer {
  readonly type = 'zeroPadding2d';
  /** [[top, bottom], [left, right]]. */
  readonly padding: [[number, number], [number, number]];

  constructor(config: Record<string, unknown>, path = 'zeroPadding2d') {
    super();
    const p = readLayer(config, SPEC, path, 'zeroPadding2d').padding ?? 1; // Keras's default: one pixel all round
    const read = readPadding(p);
    if (read === null) {
      throw new ConfigError(
        `${path}.padding`,
        `expected pixels as n, [h, w], [[top, bottom], [left, right]] or PyTorch's [left, right, top, bottom], got ${JSON.stringify(p)}`,
      );
    }
    this.padding = read;
  }

  protected outputShapeFor(input: Shape): Shape {
    if (input.length !== 3) throw this.shapeError(input, 'does not fit: zeroPadding2d expects [channels, height, width]');
    const [[top, bottom], [left, right]] = this.padding;
    return [input[0], input[1] + top + bottom, input[2] + left + right];
  }

  call(x: Tensor, _ctx: CallContext): Tensor {
    const [[top, bottom], [left, right]] = this.padding;
    return ops.constantPadNd(x, [left, right, top, bottom], 0);
  }

  /** Pad with zeros (its default mode and value); pads are every axis's start, then every axis's end. */
  override toOnnx(g: OnnxGraph, x: string): string {
    const [[top, bottom], [left, right]] = this.padding;
    return g.node('Pad', [x, g.int64('pads', [0, 0, top, left, 0, 0, bottom, right])]);
  }

  protected fields() {
    return { padding: this.padding };
  }
}
