// PyTorch's default initialisation of a convolution (torch.nn.Conv1d/ConvTranspose2d reset_parameters): the weight
// from kaiming_uniform_(a=√5), which is uniform(±1/√fanIn), then the bias from uniform(±1/√fanIn), fanIn being
// torch.nn.init's for the weight as laid out (shape[1] · the kernel's size). Drawn in that order from libtorch's
// generator, so after the same seed the weights are the ones torch.manual_seed(seed); nn.Conv1d(...) makes.
// A layer that takes it leaves kernelInitializer and biasInitializer null (its config says so); an initializer
// given by name replaces its part.
import { keep, ops, type Tensor } from '../../tensor/index.js';
import { computeFans, type Initializer } from '../initializers.js';
import type { LayerSpec } from './fields.js';

/** The initializer fields with PyTorch's default (null) in place of Keras's. */
export const TORCH_INIT_FIELDS = {
  kernelInitializer: { type: 'component', default: null },
  biasInitializer: { type: 'component', default: null },
} satisfies LayerSpec;

/** Which parts use PyTorch's default, from the read fields; the fields to pass on to readWeighted. */
export function readTorchInit(f: Record<string, unknown>): { kernel: boolean; bias: boolean; fields: Record<string, unknown> } {
  return {
    kernel: f.kernelInitializer === null,
    bias: f.biasInitializer === null,
    // Placeholders for readWeighted (it makes an initializer of each); unused where PyTorch's default applies.
    fields: { ...f, kernelInitializer: f.kernelInitializer ?? 'zeros', biasInitializer: f.biasInitializer ?? 'zeros' },
  };
}

/** The weight and bias (null without one), drawn in PyTorch's order. */
export function initConv(
  weightShape: readonly number[],
  biasShape: readonly number[] | null,
  init: { kernel: boolean; bias: boolean },
  kernelInit: Initializer,
  biasInit: Initializer,
): { weight: Tensor; bias: Tensor | null } {
  const bound = 1 / Math.sqrt(computeFans(weightShape).fanIn);
  const uniform = (shape: readonly number[]) => ops.uniform_(ops.empty([...shape]), -bound, bound);
  const weight = keep(init.kernel ? uniform(weightShape) : kernelInit.init(weightShape));
  const bias = biasShape === null ? null : keep(init.bias ? uniform(biasShape) : biasInit.init(biasShape));
  return { weight, bias };
}
