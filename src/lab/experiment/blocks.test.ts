// Graph models in experiment files: layers that name their inputs, the model's outputs, and reusable blocks with
// parameters, expanded to layers named as PyTorch's module tree; every connection mistake is an error at its line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../engine/errors.js';
import { parseExperiment } from './experiment.js';
import { expandBlocks } from './blocks.js';
import type { LayerConfig } from '../../nn/layers/layer.js';

const HEAD = `name: graph
data: { dataset: mnist, subset: { perClass: 5 } }
model:
`;

const RESIDUAL = `${HEAD}  blocks:
    residual:
      params: { filters: 8, kernel: 3 }
      layers:
        - { type: conv2d, name: conv1, filters: $filters, kernelSize: $kernel, padding: same }
        - { type: batchNorm, name: bn1 }
        - { type: conv2d, name: conv2, filters: $filters, kernelSize: $kernel, padding: same }
        - { type: add, inputs: [conv2, $input] }
  layers:
    - { type: conv2d, name: stem, filters: 8, kernelSize: 3, padding: same }
    - { block: residual, name: b1 }
    - { block: residual, name: b2, kernel: 5 }
    - { type: flatten }
    - { type: dense, units: classes, activation: softmax }
`;

/** The one run spec's model of an experiment text. */
const modelOf = (text: string) => parseExperiment(text, 'g.yaml').cells[0].spec.model;

test('a block use expands to layers named <use>.<layer> (unnamed ones by index), with its parameters and inputs resolved', () => {
  const model = modelOf(RESIDUAL);
  const brief = model.layers.map((l) => [l.name, l.type, l.inputs, l.kernelSize ?? null]);
  assert.deepEqual(brief, [
    ['stem', 'conv2d', ['input'], 3],
    ['b1.conv1', 'conv2d', ['stem'], 3],
    ['b1.bn1', 'batchNorm', ['b1.conv1'], null],
    ['b1.conv2', 'conv2d', ['b1.bn1'], 3],
    ['b1.3', 'add', ['b1.conv2', 'stem'], null],
    ['b2.conv1', 'conv2d', ['b1.3'], 5],
    ['b2.bn1', 'batchNorm', ['b2.conv1'], null],
    ['b2.conv2', 'conv2d', ['b2.bn1'], 5],
    ['b2.3', 'add', ['b2.conv2', 'b1.3'], null],
    ['flatten_1', 'flatten', ['b2.3'], null],
    ['dense_1', 'dense', ['flatten_1'], null],
  ]);
  assert.equal(model.layers[1].filters, 8, 'the default of a parameter');
});

test('a use stands for its output outside, blocks may use blocks, and $inputN names a use\'s inputs in order', () => {
  const blocks = {
    pair: { params: {}, layers: [{ type: 'dense', name: 'a', units: 4 }, { type: 'subtract', inputs: ['a', '$input1'] }] },
    twice: { params: { n: 4 }, layers: [{ block: 'pair', name: 'p', inputs: ['$input', '$input'] }, { type: 'dense', name: 'out', units: '$n' }] },
  } as const;
  const layers = [
    { type: 'dense', name: 'h', units: 4 },
    { block: 'twice', name: 't', n: 6 },
    { type: 'concatenate', inputs: ['t', 'h'] },
  ] as unknown as LayerConfig[];
  const out = expandBlocks(layers, blocks as never, 't');
  assert.deepEqual(out.layers.map((l) => [l.name, l.inputs, l.units ?? null]), [
    ['h', ['input'], 4],
    ['t.p.a', ['h'], 4],
    ['t.p.1', ['t.p.a', 'h'], null],
    ['t.out', ['t.p.1'], 6],
    ['concatenate_1', ['t.out', 'h'], null],
  ]);
  assert.equal(out.outputs, 't.out', "the model's output names a use: its output layer");
  assert.deepEqual(out.origins.map((o) => o.join('.')), ['model.layers.0', 'model.layers.1', 'model.layers.1', 'model.layers.1', 'model.layers.2']);
});

test('layers that name their inputs make a graph model; outputs names its output', () => {
  const model = modelOf(`${HEAD}  layers:
    - { type: flatten, name: flat }
    - { type: dense, name: a, units: 16, activation: relu }
    - { type: dense, name: b, units: 16, activation: relu, inputs: flat }
    - { type: concatenate, name: both, inputs: [a, b] }
    - { type: dense, name: head, units: classes, activation: softmax }
    - { type: dense, name: extra, units: 3, inputs: flat }
  outputs: head
`.replace('    - { type: dense, name: extra, units: 3, inputs: flat }\n', ''));
  assert.equal(model.outputs, 'head');
  assert.deepEqual(model.layers.map((l) => l.inputs ?? null), [null, null, 'flat', ['a', 'b'], null]);
});

test('mistakes in a graph or a block are errors at their file and line, before any data loads', () => {
  const fails = (text: string, pattern: RegExp) =>
    assert.throws(() => parseExperiment(text, 'g.yaml'), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match((e as Error).message, pattern);
      return true;
    });
  fails(RESIDUAL.replace('kernelSize: $kernel, padding: same }\n        - { type: batchNorm', 'kernelSize: $kernl, padding: same }\n        - { type: batchNorm'), /^g\.yaml:8: model\.blocks\.residual\.layers\[0\]\.kernelSize: block 'residual' uses \$kernl, which is not one of its parameters \(did you mean '\$kernel'\?\)/);
  fails(RESIDUAL.replace('{ block: residual, name: b2, kernel: 5 }', '{ block: residual, name: b2, kernal: 5 }'), /^g\.yaml:15: model\.layers\[2\]\.kernal: block 'residual' has no parameter 'kernal' \(did you mean 'kernel'\?\); its parameters: filters, kernel/);
  fails(RESIDUAL.replace('{ block: residual, name: b2, kernel: 5 }', '{ block: residual2, name: b2 }'), /^g\.yaml:15: model\.layers\[2\]\.block: no block 'residual2' \(did you mean 'residual'\?\)/);
  fails(RESIDUAL.replace('inputs: [conv2, $input]', 'inputs: [bn2, $input]'), /^g\.yaml:11: model\.blocks\.residual\.layers\[3\]\.inputs\[0\]: block 'residual' has no layer 'bn2' \(did you mean 'bn1'\?\)/);
  fails(RESIDUAL.replace('- { type: add, inputs: [conv2, $input] }', '- { block: residual }'), /model\.blocks\.residual\.layers\[3\]\.block: block 'residual' uses itself \(residual -> residual\)/);
  const graph = `${HEAD}  layers:
    - { type: flatten, name: flat }
    - { type: dense, name: a, units: 16 }
    - { type: add, name: sum, inputs: [a, falt] }
    - { type: dense, units: classes, activation: softmax }
`;
  fails(graph, /^g\.yaml:7: model\.layers\[2\]\.inputs: layer 'sum' \(add\): no layer 'falt' \(did you mean 'flat'\?\)/);
  fails(graph.replace('inputs: [a, falt]', 'inputs: [a, flat]').replace('units: classes, activation: softmax }', 'units: classes, activation: softmax }\n    - { type: dense, name: lost, units: 2, inputs: a }\n  outputs: dense_1'), /^g\.yaml:9: model\.layers\[4\]: layer 'lost' \(dense\): its output reaches nothing/);
  fails(graph.replace('{ type: dense, name: a, units: 16 }', '{ type: dense, name: a, units: 16, inputs: sum }').replace('inputs: [a, falt]', 'inputs: [a, flat]'), /wait on each other's outputs \(a cycle\)/);
  fails(graph.replace('inputs: [a, falt]', 'inputs: [a, flat]').concat('  outputs: hed\n'), /^g\.yaml:9: model\.outputs: no layer 'hed'/);
});
