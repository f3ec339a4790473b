// Layers, losses and metrics registered at run time (registerLayer, registerLoss, registerMetric): they are
// found by name in any spelling like the built-in ones (with a did-you-mean), a registered layer builds, trains
// through autograd (its gradients are PyTorch's), appears in the summary and round-trips through its config,
// and every name already held, in any spelling, is refused naming who holds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { full, keep, liveTensors, ops, tensor, tidy, type Tensor } from '../tensor/index.js';
import { ConfigError, ShapeError } from '../engine/errors.js';
import { closeness, randomValues, runTorch, seededRandom } from '../testing/torch-oracle.js';
import { Layer, type Shape } from './layers/layer.js';
import { readLayer } from './layers/fields.js';
import { layer, layerPlugin, layerType, layerTypes, registerLayer } from './layers/registry.js';
import { loss, lossNames, lossPlugin, registerLoss } from './losses.js';
import { metric, metricNames, registerMetric } from './metrics.js';
import { buildModel } from './model.js';
import { formatSummary } from './summary.js';

/** A learnable scale per feature: y = x · weight, weight of the last axis's size (PyTorch: x * nn.Parameter). */
class Scale extends Layer {
  readonly type = 'scale';
  readonly init: number;
  constructor(config: Record<string, unknown>, path: string) {
    super();
    this.init = readLayer(config, { init: { type: 'number', default: 1 } }, path, 'scale').init as number;
  }
  protected outputShapeFor(input: Shape): Shape {
    return input;
  }
  override weightShapes(input: Shape): Shape[] {
    return [[input[input.length - 1]]];
  }
  protected override createWeights(input: Shape): void {
    this.weights.set('weight', keep(full([input[input.length - 1]], this.init)));
  }
  call(x: Tensor): Tensor {
    return ops.mul(x, this.weights.get('weight')!);
  }
  protected fields() {
    return { init: this.init };
  }
}

registerLayer('scale', Scale, { aliases: ['featureScale'] });

test('a registered layer is a layer type like the built-in ones: any spelling, its aliases, a did-you-mean', () => {
  assert.ok(layerTypes().includes('scale'));
  assert.deepEqual([layerType('Scale'), layerType('feature_scale'), layerType('FeatureScale')], ['scale', 'scale', 'scale']);
  assert.equal(layerPlugin('scale'), null, 'registered in code, not by a plugin');
  const made = layer({ type: 'FeatureScale', init: 2 }, 'model.layers[1]');
  assert.deepEqual(made.getConfig(), { type: 'scale', name: '', init: 2 });
  made.dispose();
  assert.throws(() => layer({ type: 'scael' }, 'model.layers[1]'), (e: Error) => e instanceof ConfigError && /model\.layers\[1\]\.type: unknown layer type 'scael' \(did you mean 'scale'\?\); valid: .*, scale$/.test(e.message));
  assert.throws(() => layer({ type: 'scale', inti: 2 }, 'model.layers[1]'), (e: Error) => e instanceof ConfigError && /model\.layers\[1\]\.inti: unknown field of scale 'inti' \(did you mean 'init'\?\)/.test(e.message));
});

test("a model with a registered layer computes PyTorch's outputs, input and weight gradients on the same weights", () => {
  const base = liveTensors().tensors;
  const model = buildModel({ inputShape: [4], layers: [{ type: 'dense', units: 3 }, { type: 'scale' }, { type: 'activation', activation: 'tanh' }] });
  const rand = seededRandom(5);
  const state = { '0.weight': randomValues(rand, 12), '0.bias': randomValues(rand, 3), '1.weight': randomValues(rand, 3, 0.5, 2) };
  const shapes: Record<string, number[]> = { '0.weight': [3, 4], '0.bias': [3], '1.weight': [3] };
  assert.deepEqual(Object.keys(model.stateDict()), Object.keys(state), "the layer's weight under its PyTorch-style name");
  tidy(() => model.loadStateDict(Object.fromEntries(Object.entries(state).map(([k, v]) => [k, tensor(Float32Array.from(v), shapes[k])]))));
  const xs = randomValues(rand, 5 * 4);
  const gs = randomValues(rand, 5 * 3);
  const ref = runTorch<{ out: number[]; dx: number[]; grads: Record<string, number[]> }>(
    `
w = torch.tensor(input['w']).reshape(3, 4).requires_grad_(True)
b = torch.tensor(input['b']).requires_grad_(True)
s = torch.tensor(input['s']).requires_grad_(True)
x = torch.tensor(input['x']).reshape(5, 4).requires_grad_(True)
out = torch.tanh(F.linear(x, w, b) * s)
(out * torch.tensor(input['g']).reshape(5, 3)).sum().backward()
output = {'out': out.flatten().tolist(), 'dx': x.grad.flatten().tolist(), 'grads': {'0.weight': w.grad.flatten().tolist(), '0.bias': b.grad.tolist(), '1.weight': s.grad.tolist()}}
`,
    { w: state['0.weight'], b: state['0.bias'], s: state['1.weight'], x: xs, g: gs },
  );
  const x = tensor(Float32Array.from(xs), [5, 4]).requiresGrad_(true);
  tidy(() => {
    const out = model.forward(x, { training: true });
    assert.ok(closeness(out.toNumbers(), ref.out) <= 1, 'outputs');
    ops.sum(ops.mul(out, tensor(Float32Array.from(gs), [5, 3]))).backward();
  });
  tidy(() => {
    assert.ok(closeness(x.grad!.toNumbers(), ref.dx) <= 1, 'input gradient');
    const params = model.stateDict();
    for (const [name, grad] of Object.entries(ref.grads)) assert.ok(closeness(params[name].grad!.toNumbers(), grad) <= 1, `gradient of ${name}`);
  });
  x.dispose();
  model.dispose();
  assert.equal(liveTensors().tensors, base, 'no tensor left behind');
});

test('a registered layer round-trips through its config, counts its weights and appears in the summary', () => {
  const model = buildModel({ inputShape: [2, 5], layers: [{ type: 'flatten' }, { type: 'scale', init: 0.5 }, { type: 'dense', units: 2 }] });
  const config = model.getConfig();
  assert.deepEqual(config.layers[1], { type: 'scale', name: 'scale_1', init: 0.5 });
  const again = buildModel(JSON.parse(JSON.stringify(config)));
  assert.deepEqual(again.getConfig(), config);
  assert.deepEqual(again.stateDict()['1.weight'].toNumbers(), new Array(10).fill(0.5));
  assert.match(formatSummary(model), /scale_1 \(scale\)\s+\[10\]\s+10\n/);
  assert.deepEqual(model.countParams(), { trainable: 10 + 22, nonTrainable: 0, total: 32 });
  model.dispose();
  again.dispose();
});

test('a layer name already held, in any spelling, or a class that is no layer, is refused naming who holds it', () => {
  const refused = (call: () => void, pattern: RegExp) => assert.throws(call, (e: Error) => e instanceof ConfigError && pattern.test(e.message), String(pattern));
  refused(() => registerLayer('dense', Scale), /^registerLayer\('dense'\): layer type 'dense' is taken: it is the built-in layer type 'dense'; choose another name$/);
  refused(() => registerLayer('Conv2D', Scale), /layer type 'Conv2D' is taken: it is the built-in layer type 'conv2d'/);
  refused(() => registerLayer('linear', Scale), /layer type 'linear' is taken: it is a spelling of the built-in layer type 'dense' \('linear'\)/);
  refused(() => registerLayer('ReLU', Scale), /it is a spelling of the built-in layer type 'activation'/);
  refused(() => registerLayer('SCALE', Scale), /layer type 'SCALE' is taken: it is the layer type 'scale' registered by your own code \(not a plugin\)/);
  refused(() => registerLayer('gain', Scale, { aliases: ['feature_scale'] }), /'feature_scale' is taken: it is a spelling \('featureScale'\) of the layer type 'scale'/);
  refused(() => registerLayer('my-scale', Scale), /a layer type name is a letter followed by letters, digits or underscores, got "my-scale"/);
  refused(() => registerLayer('gain', class {} as never), /^registerLayer\('gain'\): expected a class that extends nnlab's Layer/);
  assert.equal(layerType('gain'), null, 'nothing refused is registered');
  // A class whose `type` is not the one it is registered as would save a config that loads as another layer.
  class Mislabelled extends Scale {
    override readonly type = 'scale';
  }
  registerLayer('gain', Mislabelled);
  assert.throws(() => layer({ type: 'gain' }, 'model.layers[0]'), (e: Error) => e instanceof ConfigError && /model\.layers\[0\]\.type: the layer class registered as 'gain' says its type is "scale"; its `type` must be 'gain'/.test(e.message));
});

test('a registered loss: parameters checked and defaulted, sample weights and the batch mean applied, gradients through autograd', () => {
  registerLoss('absError', ({ scale }) => (yPred, yTrue) => ops.mul(ops.abs(ops.sub(yPred, yTrue)), scale as number), { params: { scale: { type: 'number', default: 1, min: 0 } }, aliases: ['l1'] });
  assert.ok(lossNames().includes('absError'));
  assert.equal(lossPlugin('abs_error'), null);
  const l = loss({ name: 'ABS_ERROR', scale: 2 }, 'training.loss');
  assert.deepEqual(l.getConfig(), { name: 'absError', scale: 2 });
  assert.deepEqual(loss('l1').getConfig(), { name: 'absError', scale: 1 });
  const p = [0.5, -1, 2, 0, 1, 1];
  const t = [0, 0, 0, 1, 1, 1];
  const w = [1, 3];
  const pred = tensor(Float32Array.from(p), [2, 3]).requiresGrad_(true);
  tidy(() => {
    const value = l.compute(pred, tensor(Float32Array.from(t), [2, 3]), tensor(Float32Array.from(w), [2]));
    // Each sample's mean |p − t| · 2, weighted, over the batch of 2: (3.5/3·2·1 + 1/3·2·3) / 2.
    assert.ok(Math.abs(value.item() - ((3.5 / 3) * 2 * 1 + (1 / 3) * 2 * 3) / 2) < 1e-6, `loss ${value.item()}`);
    value.backward();
  });
  const grad = p.map((v, i) => (Math.sign(v - t[i]) * 2 * w[Math.floor(i / 3)]) / (3 * 2));
  assert.ok(closeness(pred.grad!.toNumbers(), grad) <= 1, `gradient ${pred.grad!.toNumbers()} vs ${grad}`);
  pred.dispose();
  assert.throws(() => loss({ name: 'absError', sacle: 2 }, 'training.loss'), (e: Error) => e instanceof ConfigError && /training\.loss\.sacle: unknown parameter of loss 'absError'; valid: scale/.test(e.message));
  assert.throws(() => loss('absErorr', 'training.loss'), (e: Error) => e instanceof ConfigError && /unknown loss 'absErorr' \(did you mean 'absError'\?\)/.test(e.message));
  registerLoss('wholeBatch', () => (yPred) => ops.sum(yPred));
  assert.throws(
    () => tidy(() => loss('wholeBatch').compute(tensor([[1, 2]]), tensor([[1, 2]]))),
    (e: Error) => e instanceof ShapeError && /loss 'wholeBatch': must return each sample's loss, \[1\] for predictions \[1, 2\], got \[\]/.test(e.message),
  );
});

test('a loss or metric name already held, in any spelling, is refused naming who holds it', () => {
  const refused = (call: () => void, pattern: RegExp) => assert.throws(call, (e: Error) => e instanceof ConfigError && pattern.test(e.message), String(pattern));
  const f = () => (p: Tensor) => p;
  refused(() => registerLoss('mse', f), /^registerLoss\('mse'\): loss 'mse' is taken: it is the built-in loss 'meanSquaredError' \(as 'mse'\); choose another name$/);
  refused(() => registerLoss('Binary_Crossentropy', f), /it is the built-in loss 'binaryCrossentropy'/);
  refused(() => registerLoss('abs_error', f), /loss 'abs_error' is taken: it is the loss 'absError' registered by your own code/);
  refused(() => registerLoss('other', f, { aliases: ['L1'] }), /loss 'L1' is taken: it is the loss 'absError' \(as 'l1'\)/);
  refused(() => registerMetric('acc', f), /metric 'acc' is taken: it is the built-in metric 'accuracy' \(as 'acc'\)/);
  refused(() => registerMetric('F1', f), /it is the built-in metric 'f1'/);
  refused(() => registerLoss('x', 'not a function' as never), /^registerLoss\('x'\): expected a factory/);
  assert.ok(!lossNames().includes('other') && !metricNames().includes('F1'));
});

test('a registered metric: the mean of per-sample values over every batch since reset, or a metric of its own', () => {
  registerMetric('within', ({ tolerance }) => (yPred, yTrue) => ops.le(ops.abs(ops.sub(yPred, yTrue)), tolerance as number).to('float32').reshape([yPred.shape[0]]), {
    params: { tolerance: { type: 'number', default: 0.5 } },
  });
  const m = metric({ name: 'within', tolerance: 1 }, 'training.metrics[0]');
  assert.equal(m.name, 'within');
  assert.deepEqual(m.getConfig(), { name: 'within', tolerance: 1 });
  tidy(() => {
    m.update(tensor([[0], [5], [2]]), tensor([[0.5], [1], [1]])); // 2 of 3
    m.update(tensor([[0]]), tensor([[3]])); // 0 of 1
  });
  assert.equal(m.result(), 2 / 4);
  m.reset();
  assert.equal(m.result(), 0);

  let seen = 0;
  registerMetric('batches', (_params, hints) => ({
    update: () => void seen++,
    result: () => seen * (hints.classes ?? 0),
    reset: () => void (seen = 0),
  }));
  const own = metric('batches', 'metric', { classes: 10 });
  tidy(() => own.update(tensor([[1]]), tensor([[1]])));
  assert.deepEqual([own.name, own.result(), own.getConfig()], ['batches', 10, { name: 'batches' }]);

  registerMetric('scalarMetric', () => (yPred) => ops.sum(yPred));
  const bad = metric('scalarMetric');
  assert.throws(() => tidy(() => bad.update(tensor([[1], [2]]), tensor([[1], [2]]))), (e: Error) => e instanceof ShapeError && /metric 'scalarMetric': must return a value per sample, \[2\]/.test(e.message));
});
