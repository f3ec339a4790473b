// The model-level part of the export, for any model (a stack or a graph): the layers in the order they run
// (Model.connections()), each written on the values of the layers it takes its inputs from ('input': the
// model's input). A one-input layer writes itself with Layer.toOnnx, a merge with Layer.toOnnxInputs.
import { NnlabError } from '../../engine/errors.js';
import { GRAPH_INPUT } from '../graph.js';
import type { Layer } from '../layers/layer.js';
import type { Model } from '../model.js';
import type { OnnxGraph } from './graph.js';

/** Whether the layer has an ONNX form for the inputs it takes. */
function exportable(l: Layer): boolean {
  return typeof l.toOnnxInputs === 'function' || (l.arity === 'one' && typeof l.toOnnx === 'function');
}

/** Writes the model's layers into `g` from the value `input`; returns the value of the model's output layer. */
export function layersToOnnx(g: OnnxGraph, model: Model, input: string): string {
  const connections = model.connections();
  // Every layer is checked first: a model that cannot be exported is refused before any weight is copied.
  const refused = connections.map((c) => c.layer).filter((l) => !exportable(l));
  if (refused.length > 0) {
    throw new NnlabError(`${refused.map((l) => l.describe()).join(', ')} cannot be exported to ONNX (no ONNX form for ${refused.length === 1 ? 'this layer type' : 'these layer types'})`);
  }
  // Each value by the name inputs use for it. Set after the layer is written, so a stack's layer that happens
  // to be named 'input' is what the layer after it reads, and the model's input is what it reads itself.
  const values = new Map<string, string>([[GRAPH_INPUT, input]]);
  for (const { layer, inputs } of connections) {
    const xs = inputs.map((name) => {
      const x = values.get(name);
      if (x === undefined) throw new Error(`ONNX export: ${layer.describe()} takes '${name}', which no layer before it wrote`);
      return x;
    });
    g.enter(layer.name);
    values.set(layer.name, layer.toOnnxInputs ? layer.toOnnxInputs(g, xs) : layer.toOnnx!(g, xs[0]));
  }
  return values.get(model.outputLayer.name)!;
}
