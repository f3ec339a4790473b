// The tensor core's public surface. Importing it installs the generated Tensor methods.
import './methods.generated.js';

export { Tensor, liveTensors } from './tensor.js';
export * as ops from './ops.generated.js';
export type { Scalar, MemoryFormat } from './ops.generated.js';
export { tensor, scalar, zeros, ones, full, randn, rand, arange, type Options } from './create.js';
export { tidy, keep, dispose, scopeDepth } from './scope.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd.js';
export { DTYPES, isDType, isFloating, type DType, type TypedArray } from './dtype.js';
export { opId } from './op.js';
export { sparseInputLinear, sparseInputs } from './sparse-input.js';
