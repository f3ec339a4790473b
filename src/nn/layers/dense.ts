// Dense (fully connected): y = activation(x Wᵀ + b), W of shape [units, inputFeatures] as in PyTorch's Linear.
import { keep, ops, type Tensor } from '../../tensor/index.js';
import { activation, type Activation } from '../activations.js';
import { initializer, type Initializer } from '../initializers.js';
import { regularizer } from '../regularizers.js';
import { Layer, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';

const SPEC = {
  units: { type: 'number', integer: true, min: 1 },
  activation: { type: 'component', default: 'linear' },
  useBias: { type: 'boolean', default: true },
  kernelInitializer: { type: 'component', default: 'glorotUniform' },
  biasInitializer: { type: 'component', default: 'zeros' },
  kernelRegularizer: { type: 'component', default: null },
} satisfies LayerSpec;

export class Dense extends Layer {
  readonly type = 'dense';
  readonly units: number;
  readonly useBias: boolean;
  readonly activation: Activation;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;

  constructor(config: Record<string, unknown>, path = 'dense') {
    super();
    const f = readLayer(config, SPEC, path, 'dense');
    this.units = f.units as number;
    this.useBias = f.useBias as boolean;
    this.activation = activation(f.activation as string, `${path}.activation`);
    this.kernelInit = initializer(f.kernelInitializer as string, `${path}.kernelInitializer`);
    this.biasInit = initializer(f.biasInitializer as string, `${path}.biasInitializer`);
    if (f.kernelRegularizer !== null) {
      this.regularizers.set('weight', regularizer(f.kernelRegularizer as string, `${path}.kernelRegularizer`));
    }
  }

  protected outputShapeFor(input: Shape): Shape {
    if (input.length !== 1) {
      throw this.shapeError(input, `does not fit: dense expects [features]${input.length > 1 ? '; add a flatten layer before it' : ''}`);
    }
    return [this.units];
  }

  protected override createWeights(input: Shape): void {
    this.weights.set('weight', keep(this.kernelInit.init([this.units, input[0]])));
    if (this.useBias) this.weights.set('bias', keep(this.biasInit.init([this.units])));
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const y = ops.linear(x, this.weights.get('weight')!, this.weights.get('bias') ?? null);
    return ctx.skipActivation ? y : this.activation.apply(y);
  }

  protected fields() {
    return {
      units: this.units,
      activation: this.activation.getConfig(),
      useBias: this.useBias,
      kernelInitializer: this.kernelInit.getConfig(),
      biasInitializer: this.biasInit.getConfig(),
      kernelRegularizer: this.regularizers.get('weight')?.getConfig() ?? null,
    };
  }
}
