// Activations as ONNX nodes (opset 17): one operator where ONNX has it, with the parameters nnlab uses; GELU,
// which opset 17 lacks (it came in opset 20), composed from Erf (or Tanh for the approximate form) exactly as
// PyTorch defines it. The table is keyed by every activation name, so a new activation does not compile until
// it says how it exports.
import { float, int } from '../../io/onnx.js';
import type { Activation, ActivationName } from '../activations.js';
import type { OnnxGraph } from './graph.js';

type Export = (g: OnnxGraph, x: string, p: Record<string, unknown>) => string;

const EXPORTS: Record<ActivationName, Export> = {
  linear: (_g, x) => x,
  sigmoid: (g, x) => g.node('Sigmoid', [x]),
  tanh: (g, x) => g.node('Tanh', [x]),
  relu: (g, x) => g.node('Relu', [x]),
  // ONNX's defaults are the constants of Klambauer et al., the ones PyTorch's selu uses.
  selu: (g, x) => g.node('Selu', [x]),
  elu: (g, x, p) => g.node('Elu', [x], { alpha: float(p.alpha as number) }),
  leakyRelu: (g, x, p) => g.node('LeakyRelu', [x], { alpha: float(p.alpha as number) }),
  gelu: (g, x, p) => (p.approximate ? geluTanh(g, x) : geluErf(g, x)),
  // No SiLU operator in opset 17: x·sigmoid(x).
  silu: (g, x) => g.node('Mul', [x, g.node('Sigmoid', [x])]),
  // Both count the axis with the batch axis, -1 the last.
  softmax: (g, x, p) => g.node('Softmax', [x], { axis: int(p.axis as number) }),
};

/** x·Φ(x) = 0.5·x·(1 + erf(x/√2)). */
function geluErf(g: OnnxGraph, x: string): string {
  const erf = g.node('Erf', [g.node('Mul', [x, g.constant('gelu_rsqrt2', [Math.SQRT1_2])])]);
  return halfXTimesOnePlus(g, x, erf);
}

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), PyTorch's approximate='tanh'. */
function geluTanh(g: OnnxGraph, x: string): string {
  const cube = g.node('Mul', [g.node('Mul', [x, x]), x]);
  const inner = g.node('Add', [x, g.node('Mul', [cube, g.constant('gelu_c', [0.044715])])]);
  const t = g.node('Tanh', [g.node('Mul', [inner, g.constant('gelu_sqrt2pi', [Math.sqrt(2 / Math.PI)])])]);
  return halfXTimesOnePlus(g, x, t);
}

function halfXTimesOnePlus(g: OnnxGraph, x: string, y: string): string {
  const onePlus = g.node('Add', [y, g.constant('gelu_one', [1])]);
  return g.node('Mul', [g.node('Mul', [x, onePlus]), g.constant('gelu_half', [0.5])]);
}

/** Adds the nodes of `activation` on `x`; returns its output (`x` itself for linear). */
export function activationToOnnx(g: OnnxGraph, activation: Activation, x: string): string {
  const { name, ...params } = activation.getConfig();
  return EXPORTS[name](g, x, params);
}
