// The model's output head as ONNX nodes: the class probabilities `predict` reads, computed from the model's
// outputs as nn/outputs.ts classProbabilities computes them (with the outputs as forward() returns them, the
// last activation applied). A one-unit head gives the two columns [1 − p, p]; every row sums to 1.
import { NnlabError } from '../../engine/errors.js';
import { int } from '../../io/onnx.js';
import type { Shape } from '../layers/layer.js';
import type { OutputHead } from '../outputs.js';
import type { OnnxGraph } from './graph.js';

/** Adds the nodes from the model's output `out` (per sample `outputShape`) to the class probabilities [N, C]. */
export function headToOnnx(g: OnnxGraph, out: string, outputShape: Shape, head: OutputHead): string {
  g.enter('probabilities');
  if (outputShape.reduce((a, b) => a * b, 1) !== head.units) {
    throw new NnlabError(`the model's output per sample is [${outputShape.join(', ')}], not ${head.units} class scores: it cannot be exported as class probabilities`);
  }
  const flat = outputShape.length === 1 ? out : g.node('Flatten', [out], { axis: int(1) });
  const binary = head.units === 1;
  const softmax = (x: string) => g.node('Softmax', [x], { axis: int(-1) });
  const squash = (x: string) => (binary || head.activation === 'sigmoid' ? g.node('Sigmoid', [x]) : softmax(x));
  // What classProbabilities' probabilities() does, kind by kind.
  let p = flat;
  if (head.kind === 'logits') p = squash(flat);
  else if (head.kind === 'scores') p = binary ? g.node('Clip', [flat, g.constant('zero', [0]), g.constant('one', [1])]) : softmax(flat);
  if (binary) return g.node('Concat', [g.node('Sub', [g.constant('one', [1]), p]), p], { axis: int(-1) });
  if (head.activation === 'sigmoid' && head.kind !== 'scores') {
    // Independent sigmoids, normalised so the row sums to 1 (the sum kept away from 0).
    const sum = g.node('ReduceSum', [p, g.int64('last_axis', [-1])], { keepdims: int(1) });
    return g.node('Div', [p, g.node('Max', [sum, g.constant('tiny', [1e-12])])]);
  }
  return p;
}
