// Upsampling by whole factors, [channels, height, width] -> [channels, height·sh, width·sw]: Keras's
// UpSampling2D (size, interpolation 'nearest' or 'bilinear') and PyTorch's Upsample(scale_factor, mode).
// Bilinear is half-pixel (PyTorch's align_corners=False, TensorFlow's resize), at the edges as both do.
import { ops, type Tensor } from '../../tensor/index.js';
import { ConfigError } from '../../engine/errors.js';
import { nameKey } from '../../engine/fields.js';
import { Layer, pair, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import { str, type OnnxAttribute } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';

const SPEC = {
  size: { type: 'size', default: 2, aliases: ['scaleFactor'] },
  interpolation: { type: 'choice', default: 'nearest', choices: ['nearest', 'bilinear'], aliases: ['mode'] },
} satisfies LayerSpec;

export class UpSampling2d extends Layer {
  readonly type = 'upSampling2d';
  readonly size: [number, number];
  readonly interpolation: 'nearest' | 'bilinear';

  constructor(config: Record<string, unknown>, path = 'upSampling2d') {
    super();
    // Under PyTorch's spelling, `size` would be Upsample's output size, not Keras's factor: refuse the mix-up.
    if (typeof config.type === 'string' && nameKey(config.type) === 'upsample' && 'size' in config) {
      throw new ConfigError(`${path}.size`, "PyTorch's Upsample(size) is an output size, which this layer does not take; give the factor as scaleFactor");
    }
    const f = readLayer(config, SPEC, path, 'upSampling2d');
    this.size = pair(f.size as number);
    this.interpolation = f.interpolation as 'nearest' | 'bilinear';
  }

  protected outputShapeFor(input: Shape): Shape {
    if (input.length !== 3) throw this.shapeError(input, 'does not fit: upSampling2d expects [channels, height, width]');
    return [input[0], input[1] * this.size[0], input[2] * this.size[1]];
  }

  call(x: Tensor, _ctx: CallContext): Tensor {
    // The scale factors (not the output size) are passed, as torch.nn.Upsample(scale_factor) passes them.
    const scales = [...this.size];
    return this.interpolation === 'nearest' ? ops.upsampleNearest2d(x, null, scales) : ops.upsampleBilinear2d(x, null, false, scales);
  }

  /**
   * Resize by the same scales, with the coordinates PyTorch uses for them: nearest takes the input cell
   * floor(out / scale) ('asymmetric', floor), bilinear samples at (out + 0.5) / scale − 0.5 (align_corners=False:
   * 'half_pixel'; the scales are whole, so the output is never one cell, where PyTorch's variant differs).
   */
  override toOnnx(g: OnnxGraph, x: string): string {
    const scales = g.constant('scales', [1, 1, ...this.size], [4]);
    const attributes: Record<string, OnnxAttribute> =
      this.interpolation === 'nearest'
        ? { mode: str('nearest'), coordinate_transformation_mode: str('asymmetric'), nearest_mode: str('floor') }
        : { mode: str('linear'), coordinate_transformation_mode: str('half_pixel') };
    return g.node('Resize', [x, '', scales], attributes);
  }

  protected fields() {
    return { size: this.size, interpolation: this.interpolation };
  }
}
