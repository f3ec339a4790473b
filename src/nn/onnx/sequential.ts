// The model-level part of the export for a stack of layers: each layer writes itself (Layer.toOnnx) on the
// output of the one before. Written against Sequential's public surface (its layers, in order), so it can move
// onto the model contract as the stack's own export; a graph model walks its connections the same way.
import { NnlabError } from '../../engine/errors.js';
import type { Layer } from '../layers/layer.js';
import type { OnnxGraph } from './graph.js';

/** Writes the layers into `g` from the value `input`; returns the last layer's output. */
export function sequentialToOnnx(g: OnnxGraph, model: { readonly layers: readonly Layer[] }, input: string): string {
  // Every layer is checked first: a model that cannot be exported is refused before any weight is copied.
  const refused = model.layers.filter((l) => typeof l.toOnnx !== 'function');
  if (refused.length > 0) {
    throw new NnlabError(`${refused.map((l) => l.describe()).join(', ')} cannot be exported to ONNX (no ONNX form for ${refused.length === 1 ? 'this layer type' : 'these layer types'})`);
  }
  let y = input;
  for (const l of model.layers) {
    g.enter(l.name);
    y = l.toOnnx!(g, y);
  }
  return y;
}
