// The model of a run, as its spec describes it: built for the data (input shape, one output unit per class),
// then the pretrained weights loaded (model.weights) and the backbone frozen (model.freeze), with lines saying
// what was loaded and kept. Every run, the preflight and a resume's checkpoint check build it here, so they all
// see the same model, with the same trainable weights (the optimizer's state fits only those).
import { ConfigError, ShapeError } from '../engine/errors.js';
import { activation } from '../nn/activations.js';
import { buildModel, type Model, type ModelConfig } from '../nn/model.js';
import { freezeWeights, loadWeights } from '../nn/transfer.js';
import { readSafetensors, SafetensorsError } from '../io/safetensors.js';
import { FileReadError } from '../io/regular-file.js';
import { dispose } from '../tensor/index.js';
import { CLASSES } from './experiment/templates.js';
import type { PreparedData } from './data-prep.js';
import type { RunSpec } from './types.js';

/**
 * The model config of a cell for its data: the input shape, and `units: 'classes'` filled in: one unit per class,
 * or one unit for a two-class task whose output is a single probability (a sigmoid output layer, or the
 * binaryCrossentropy loss on an output that is not a softmax), as a Keras user writes Dense(1, activation='sigmoid').
 */
export function completeModel(spec: RunSpec, data: PreparedData): ModelConfig {
  const loss = (spec.training.loss as { name: string }).name; // a loss config, as run-spec.ts resolved it
  const layers = spec.model.layers.map((l) => {
    if (l.units !== CLASSES) return l;
    const name = l.activation === undefined ? null : activation(l.activation as string, 'model.outputActivation').getConfig().name;
    // Never one softmax unit: its output is the constant 1. binaryCrossentropy with the template's softmax keeps two
    // units (the loss takes class labels for them); one unit is for a sigmoid, or a linear output read as logits.
    const single = data.classes.length === 2 && (name === 'sigmoid' || (loss === 'binaryCrossentropy' && name !== 'softmax'));
    return { ...l, units: single ? 1 : data.classes.length };
  });
  return { inputShape: data.inputShape, layers, ...(spec.model.outputs === undefined ? {} : { outputs: spec.model.outputs }) };
}

/**
 * The run's model with its weights loaded and frozen as the spec says, and lines about it (what was loaded, what
 * kept its initial values, what was frozen). A model whose shapes do not fit, a weights file that does not fit
 * it, a freeze glob that matches nothing: a ConfigError naming the experiment file (every run would fail alike).
 */
export function runModel(spec: RunSpec, data: PreparedData, path = 'model', file: string | null = null): { model: Model; notes: string[] } {
  const refuse = (e: unknown): unknown => {
    if (e instanceof ShapeError || e instanceof SafetensorsError || e instanceof FileReadError) return new ConfigError('', e.message, file ?? undefined);
    if (e instanceof ConfigError && e.file === undefined && file !== null) {
      const problem = e.path && e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message;
      return new ConfigError(e.path, problem, file, e.line);
    }
    return e;
  };
  let model: Model;
  try {
    model = buildModel(completeModel(spec, data), path);
  } catch (e) {
    throw refuse(e);
  }
  const notes: string[] = [];
  try {
    const w = spec.model.weights;
    if (w) {
      const { tensors } = readSafetensors(w.file);
      try {
        const r = loadWeights(model, tensors, { strict: w.strict, skip: w.skip, source: w.file });
        notes.push(
          `weights: ${r.loaded.length} tensors loaded from ${w.file}` +
            (r.skipped.length ? `; kept as built (skip): ${short(r.skipped)}` : '') +
            (r.missing.length ? `; not in the file, kept as built: ${short(r.missing)}` : '') +
            (r.unexpected.length ? `; in the file, not in the model: ${short(r.unexpected)}` : ''),
        );
      } finally {
        dispose(Object.values(tensors));
      }
    }
    if (spec.model.freeze) {
      const frozen = freezeWeights(model, spec.model.freeze);
      const { trainable, nonTrainable } = model.countParams();
      notes.push(`frozen: ${frozen.length} weights (${spec.model.freeze.join(', ')}); ${trainable.toLocaleString('en-US')} trainable parameters, ${nonTrainable.toLocaleString('en-US')} not`);
    }
  } catch (e) {
    model.dispose();
    throw refuse(e);
  }
  return { model, notes };
}

function short(names: readonly string[]): string {
  return names.length <= 6 ? names.join(', ') : `${names.slice(0, 6).join(', ')} and ${names.length - 6} more`;
}
