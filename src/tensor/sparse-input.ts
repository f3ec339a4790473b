// A dense layer's product when its input comes straight from the data: x·Wᵀ + b (aten::linear's result and
// gradients), computed over x's nonzeros where x is mostly zeros, as MNIST's pixels are (81%). The addon
// (native/src/sparse_linear.cc) scans each batch and takes the BLAS path where more than 40% of it is
// nonzero, on other devices and dtypes, so the caller needs no test of its own. NNLAB_SPARSE_INPUT=0 turns
// it off (every product through the BLAS, as PyTorch computes it).
import { getNative } from '../engine/native.js';
import { opError } from './op.js';
import { Tensor } from './tensor.js';

const native = getNative();

/** Whether dense layers fed from the data use the sparse path (NNLAB_SPARSE_INPUT=0 turns it off). */
export const sparseInputs = native.sparseLinearInfo().enabled;

/**
 * x·weightᵀ + bias, with aten::linear's autograd; `kernel` (weightᵀ, contiguous) is the product's BLAS
 * operand when the batch is not sparse enough (the inference layout). Errors read as aten::linear's.
 */
export function sparseInputLinear(x: Tensor, weight: Tensor, bias: Tensor | null, kernel: Tensor | null = null): Tensor {
  try {
    return new Tensor(native.sparseInputLinear(x.h, weight.h, bias?.h ?? null, kernel?.h ?? null));
  } catch (e) {
    throw opError('aten::linear', [x, weight, bias], e);
  }
}
