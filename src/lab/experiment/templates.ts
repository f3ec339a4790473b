// Model templates: short model descriptions that expand to the layer configs of src/nn/layers (Sequential's
// `layers`). The output layer's size depends on the data, so it is written `units: 'classes'` (CLASSES) and the
// runner replaces it with the number of classes of the task (after subset.classes and oneVsRest) before it
// builds the model. A layer list written by hand may use `units: classes` the same way.
//
// Every dense and conv2d layer a template makes gets its `initializer` (kernelInitializer), `biasInitializer`
// (default zeros) and `regularizer` (kernelRegularizer, default none), the output layer included, as a Keras
// user passes the same kernel_initializer / kernel_regularizer to each layer.
//
//   mlp  flatten, then per entry u of `units`:
//          dense(u, activation, kernelInitializer)                                  without batchNorm
//          dense(u, useBias: false, kernelInitializer), batchNorm, activation(…)    with batchNorm
//          dropout(rate)                                                            when its rate > 0 (`dropout`
//                                                                                   is one rate, or one per entry)
//        then dense('classes', outputActivation, kernelInitializer).
//   cnn  per entry f of `filters`:
//          conv2d(f, kernelSize, padding, activation, kernelInitializer)            without batchNorm
//          conv2d(f, …, useBias: false), batchNorm, activation(…)                   with batchNorm
//          maxPool2d(poolSize) or avgPool2d(poolSize)                               unless pool: none
//        then flatten; before each dense layer of the head dropout(rate) when dropout > 0; per entry u of
//        `dense`: dense(u, activation, kernelInitializer); then dense('classes', outputActivation, kernelInitializer).
import type { LayerConfig } from '../../nn/layers/layer.js';
import { expandBlocks, usesBlocks, type BlockDef } from './blocks.js';
import { expandResnet, type ResnetTemplate } from './resnet.js';

/** The `units` of an output layer sized by the runner: one unit per class. */
export const CLASSES = 'classes';

type Component = string | Record<string, unknown>;

export interface MlpTemplate {
  template: 'mlp';
  units: number | number[];
  activation?: Component;
  initializer?: Component;
  biasInitializer?: Component;
  regularizer?: Component;
  dropout?: number | number[];
  batchNorm?: boolean;
  outputActivation?: Component;
}

export interface CnnTemplate {
  template: 'cnn';
  filters: number | number[];
  kernelSize?: number | [number, number];
  padding?: 'same' | 'valid';
  activation?: Component;
  initializer?: Component;
  biasInitializer?: Component;
  regularizer?: Component;
  batchNorm?: boolean;
  pool?: 'max' | 'avg' | 'none';
  poolSize?: number | [number, number];
  dense?: number | number[];
  dropout?: number;
  outputActivation?: Component;
}

/** A layer list: a stack, or a graph when layers name their `inputs` (see blocks.ts for `blocks`). */
export interface LayerList {
  layers: LayerConfig[];
  /** A graph's output layer (or block use), by name; default the last. */
  outputs?: string;
  blocks?: Record<string, BlockDef>;
}

export type ModelSection = MlpTemplate | CnnTemplate | ResnetTemplate | LayerList;

/** The defaults of both templates, as Keras users expect them. */
export const TEMPLATE_DEFAULTS = {
  activation: 'relu',
  initializer: 'glorotUniform',
  outputActivation: 'softmax',
  dropout: 0,
  batchNorm: false,
  kernelSize: 3,
  padding: 'same',
  pool: 'max',
  poolSize: 2,
  dense: [] as number[],
} as const;

const list = (n: number | number[]): number[] => (typeof n === 'number' ? [n] : n);

/** A weighted layer followed by its activation, with batch normalisation in between when asked. */
function withActivation(weighted: LayerConfig, activation: Component, batchNorm: boolean): LayerConfig[] {
  if (!batchNorm) return [{ ...weighted, activation }];
  return [{ ...weighted, useBias: false }, { type: 'batchNorm' }, { type: 'activation', activation }];
}

/** The weight fields every weighted layer of a template shares. */
function weightFields(m: MlpTemplate | CnnTemplate): Record<string, Component> {
  return {
    kernelInitializer: m.initializer ?? TEMPLATE_DEFAULTS.initializer,
    ...(m.biasInitializer === undefined ? {} : { biasInitializer: m.biasInitializer }),
    ...(m.regularizer === undefined ? {} : { kernelRegularizer: m.regularizer }),
  };
}

function expandMlp(m: MlpTemplate): LayerConfig[] {
  const activation = m.activation ?? TEMPLATE_DEFAULTS.activation;
  const w = weightFields(m);
  const batchNorm = m.batchNorm ?? TEMPLATE_DEFAULTS.batchNorm;
  const dropout = m.dropout ?? TEMPLATE_DEFAULTS.dropout;
  const layers: LayerConfig[] = [{ type: 'flatten' }];
  list(m.units).forEach((units, i) => {
    layers.push(...withActivation({ type: 'dense', units, ...w }, activation, batchNorm));
    const rate = typeof dropout === 'number' ? dropout : (dropout[i] ?? 0);
    if (rate > 0) layers.push({ type: 'dropout', rate });
  });
  layers.push({ type: 'dense', units: CLASSES, activation: m.outputActivation ?? TEMPLATE_DEFAULTS.outputActivation, ...w });
  return layers;
}

function expandCnn(m: CnnTemplate): LayerConfig[] {
  const d = TEMPLATE_DEFAULTS;
  const activation = m.activation ?? d.activation;
  const w = weightFields(m);
  const batchNorm = m.batchNorm ?? d.batchNorm;
  const dropout = m.dropout ?? d.dropout;
  const pool = m.pool ?? d.pool;
  const layers: LayerConfig[] = [];
  for (const filters of list(m.filters)) {
    const conv = { type: 'conv2d', filters, kernelSize: m.kernelSize ?? d.kernelSize, padding: m.padding ?? d.padding, ...w };
    layers.push(...withActivation(conv, activation, batchNorm));
    if (pool !== 'none') layers.push({ type: pool === 'max' ? 'maxPool2d' : 'avgPool2d', poolSize: m.poolSize ?? d.poolSize });
  }
  layers.push({ type: 'flatten' });
  const drop = (): LayerConfig[] => (dropout > 0 ? [{ type: 'dropout', rate: dropout }] : []);
  for (const units of list(m.dense ?? d.dense)) layers.push(...drop(), { type: 'dense', units, activation, ...w });
  layers.push(...drop(), { type: 'dense', units: CLASSES, activation: m.outputActivation ?? d.outputActivation, ...w });
  return layers;
}

/** The layer configs of a model section (a template, or a layer list copied as written, its blocks expanded). */
export function expandModel(model: ModelSection): LayerConfig[] {
  if ('layers' in model) return usesBlocks(model.layers) ? expandBlocks(model.layers, model.blocks, model.outputs).layers : structuredClone(model.layers);
  if (model.template === 'resnet') return expandResnet(model);
  return structuredClone(model.template === 'cnn' ? expandCnn(model) : expandMlp(model));
}
