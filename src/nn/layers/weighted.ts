// What dense and conv2d share: an activation, kernel and bias initialisers, and an optional kernel
// regularizer, read from their config fields and written back by getConfig.
import { activation, type Activation } from '../activations.js';
import { initializer, type Initializer } from '../initializers.js';
import { regularizer, type Regularizer } from '../regularizers.js';
import type { LayerSpec } from './fields.js';

/** The config fields of a weighted layer, with Keras's defaults. */
export const WEIGHTED_FIELDS = {
  activation: { type: 'component', default: 'linear' },
  useBias: { type: 'boolean', default: true, aliases: ['bias'] }, // PyTorch's bias=False
  kernelInitializer: { type: 'component', default: 'glorotUniform' },
  biasInitializer: { type: 'component', default: 'zeros' },
  kernelRegularizer: { type: 'component', default: null },
} satisfies LayerSpec;

export interface Weighted {
  activation: Activation;
  useBias: boolean;
  kernelInit: Initializer;
  biasInit: Initializer;
  kernelRegularizer: Regularizer | null;
}

/** The parts built from read fields; each factory checks its own config and names its field path. */
export function readWeighted(f: Record<string, unknown>, path: string): Weighted {
  return {
    activation: activation(f.activation as string, `${path}.activation`),
    useBias: f.useBias as boolean,
    kernelInit: initializer(f.kernelInitializer as string, `${path}.kernelInitializer`),
    biasInit: initializer(f.biasInitializer as string, `${path}.biasInitializer`),
    kernelRegularizer: f.kernelRegularizer === null ? null : regularizer(f.kernelRegularizer as string, `${path}.kernelRegularizer`),
  };
}

/** The same fields as plain data, for getConfig. */
export function weightedFields(w: Weighted) {
  return {
    activation: w.activation.getConfig(),
    useBias: w.useBias,
    kernelInitializer: w.kernelInit.getConfig(),
    biasInitializer: w.biasInit.getConfig(),
    kernelRegularizer: w.kernelRegularizer?.getConfig() ?? null,
  };
}
