// The optimizer base: clipping, Keras decay and schedules inside training (against torch.optim with
// torch.nn.utils clipping and lr_scheduler), learning-rate changes, config round trips and errors, the state
// dict round trip, and memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWithTorch, fixture, makeBatch, makeParams, trainNnlab, trainStep, weightsOf, type Case } from '../testing/torch-compare.js';
import { optimizer, OPTIMIZER_NAMES } from './optimizers.js';
import type { Optimizer, OptimizerState } from './optimizer.js';
import { ConfigError, ShapeError } from '../engine/errors.js';
import { dispose, liveTensors, ops, tensor, tidy, type Tensor } from '../tensor/index.js';

const kerasDecay = (lr: number, decay: number) => Array.from({ length: 20 }, (_, k) => lr / (1 + decay * k));

test('clipping, Keras decay and per-step schedules agree with PyTorch over 20 training steps', () => {
  const cases: Case[] = [
    { name: 'clipNorm (adam)', config: { name: 'adam', lr: 0.02, clipNorm: 0.3 }, torch: 'torch.optim.Adam(params, lr=0.02)', clipNorm: 0.3 },
    { name: 'clipNorm (sgd)', config: { name: 'sgd', lr: 0.5, clipNorm: 0.3 }, torch: 'torch.optim.SGD(params, lr=0.5)', clipNorm: 0.3 },
    { name: 'clipValue (sgd momentum)', config: { name: 'sgd', lr: 0.1, momentum: 0.9, clipValue: 0.05 }, torch: 'torch.optim.SGD(params, lr=0.1, momentum=0.9)', clipValue: 0.05 },
    {
      name: 'clipValue then clipNorm (rmsprop)',
      config: { name: 'rmsprop', lr: 0.005, clipValue: 0.1, clipNorm: 0.2 },
      torch: 'torch.optim.RMSprop(params, lr=0.005)',
      clipValue: 0.1,
      clipNorm: 0.2,
    },
    { name: 'Keras decay (sgd)', config: { name: 'sgd', lr: 0.3, decay: 0.1 }, torch: 'torch.optim.SGD(params, lr=0.3)', torchLrs: kerasDecay(0.3, 0.1) },
    { name: 'Keras decay (adam)', config: { name: 'adam', lr: 0.02, decay: 0.05 }, torch: 'torch.optim.Adam(params, lr=0.02)', torchLrs: kerasDecay(0.02, 0.05) },
    {
      name: 'step schedule per step (sgd momentum)',
      config: { name: 'sgd', lr: 0.1, momentum: 0.9, schedule: { name: 'step', stepSize: 5, gamma: 0.5, every: 'step' } },
      torch: 'torch.optim.SGD(params, lr=0.1, momentum=0.9)',
      torchScheduler: 'torch.optim.lr_scheduler.StepLR(opt, 5, 0.5)',
    },
    {
      name: 'exponential schedule per step (rmsprop)',
      config: { name: 'rmsprop', lr: 0.01, schedule: { name: 'exponential', gamma: 0.9, every: 'step' } },
      torch: 'torch.optim.RMSprop(params, lr=0.01)',
      torchScheduler: 'torch.optim.lr_scheduler.ExponentialLR(opt, 0.9)',
    },
    {
      name: 'cosine schedule per step (adam)',
      config: { name: 'adam', lr: 0.03, schedule: { name: 'cosine', tMax: 20, etaMin: 0.001, every: 'step' } },
      torch: 'torch.optim.Adam(params, lr=0.03)',
      torchScheduler: 'torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20, eta_min=0.001)',
    },
    {
      name: 'cosine with warm-up per step (adamw)',
      config: { name: 'adamw', lr: 0.03, schedule: { name: 'cosine', tMax: 15, warmup: 5, warmupStartFactor: 0.2, every: 'step' } },
      torch: 'torch.optim.AdamW(params, lr=0.03)',
      torchScheduler:
        'torch.optim.lr_scheduler.SequentialLR(opt, [torch.optim.lr_scheduler.LinearLR(opt, 0.2, total_iters=5), torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=15)], [5])',
    },
  ];
  assert.deepEqual(compareWithTorch(cases), []);
  // Each feature must change the trajectory, or agreeing with PyTorch would not show it works.
  const f = fixture();
  for (const c of cases) {
    const { clipNorm, clipValue, decay, schedule, ...plain } = c.config;
    void [clipNorm, clipValue, decay, schedule];
    const a = trainNnlab(f, c.config, 20).losses;
    const b = trainNnlab(f, plain, 20).losses;
    assert.ok(Math.abs(a[19] - b[19]) > 1e-4, `${c.name}: the feature made no difference`);
  }
});

function make(config: Record<string, unknown>): { opt: Optimizer; params: Tensor[]; x: Tensor; y: Tensor } {
  const f = fixture();
  const params = makeParams(f);
  return { opt: optimizer(config, params), params, ...makeBatch(f) };
}

function free(m: { opt: Optimizer; params: Tensor[]; x: Tensor; y: Tensor }): void {
  m.opt.dispose();
  dispose([m.params, m.x, m.y]);
}

test('per-epoch schedules follow setEpoch; decay follows iterations; setLr rescales what follows', () => {
  const m = make({ name: 'sgd', lr: 0.4, schedule: { name: 'step', stepSize: 2, gamma: 0.5 } });
  assert.equal(m.opt.lr, 0.4);
  trainStep(m.opt, m.params, m.x, m.y);
  assert.equal(m.opt.lr, 0.4, 'a per-epoch schedule does not move within an epoch');
  m.opt.setEpoch(2);
  assert.equal(m.opt.lr, 0.2);
  m.opt.setLr(0.05); // reduceLROnPlateau, say: a quarter of the scheduled rate
  assert.equal(m.opt.lr, 0.05);
  m.opt.setEpoch(4);
  assert.ok(Math.abs(m.opt.lr - 0.025) < 1e-15, `${m.opt.lr}`);
  assert.equal(m.opt.baseLr, 0.4);
  assert.throws(() => m.opt.setLr(-1), RangeError);
  assert.throws(() => m.opt.setEpoch(1.5), RangeError);
  free(m);

  const d = make({ name: 'adam', lr: 0.01, decay: 0.5 });
  for (let i = 0; i < 3; i++) trainStep(d.opt, d.params, d.x, d.y);
  assert.equal(d.opt.iterations, 3);
  assert.equal(d.opt.lr, 0.01 / (1 + 0.5 * 3));
  d.opt.setLr(0.001);
  assert.ok(Math.abs(d.opt.lr - 0.001) < 1e-15);
  free(d);
});

test('configs round-trip through getConfig; unknown names and fields are errors naming the field', () => {
  const f = fixture();
  const params = makeParams(f);
  for (const name of OPTIMIZER_NAMES) {
    const config = { name, lr: 0.123, decay: 0.01, clipNorm: 2, clipValue: 0.5, schedule: { name: 'cosine', tMax: 10 } };
    const full = optimizer(config, params).getConfig();
    assert.equal(full.lr, 0.123);
    assert.deepEqual(full.schedule, { name: 'cosine', tMax: 10, etaMin: 0, warmup: 0, warmupStartFactor: 0.1, every: 'epoch' });
    assert.deepEqual(optimizer(JSON.parse(JSON.stringify(full)), params).getConfig(), full, name);
  }
  const cases: [unknown, RegExp][] = [
    [{ name: 'adm' }, /^training\.optimizer\.name: unknown optimizer 'adm' \(did you mean 'adam'\?\); valid: sgd, rmsprop, adagrad, adam, adamw$/],
    [{ name: 'lbfgs' }, /^training\.optimizer\.name: unknown optimizer 'lbfgs'; valid: sgd, rmsprop, adagrad, adam, adamw$/],
    [{ lr: 0.1 }, /^training\.optimizer\.name: the optimizer needs a name \(one of: sgd, rmsprop/],
    ['adam', /^training\.optimizer: expected an optimizer as \{ name, \.\.\.fields \}/],
    [{ name: 'sgd', lr: -0.1 }, /^training\.optimizer\.lr: must be >= 0, got -0\.1$/],
    [{ name: 'sgd', lr: '0.1' }, /^training\.optimizer\.lr: expected a finite number, got "0\.1"$/],
    [{ name: 'adam', decay: -1 }, /^training\.optimizer\.decay: must be >= 0/],
    [{ name: 'adam', clipNorm: 0 }, /^training\.optimizer\.clipNorm: must be > 0/],
    [{ name: 'adam', clipnorm: -2 }, /^training\.optimizer\.clipnorm: must be > 0/],
    [{ name: 'sgd', beta1: 0.9 }, /^training\.optimizer\.beta1: unknown field of optimizer 'sgd'.*valid: lr, momentum, nesterov, weightDecay, dampening, decay, clipNorm, clipValue, schedule$/],
    [{ name: 'sgd', schedule: { name: 'linear' } }, /^training\.optimizer\.schedule\.name: unknown schedule 'linear'/],
    [{ name: 'sgd', schedule: 'cosine' }, /^training\.optimizer\.schedule: expected an object/],
  ];
  for (const [config, message] of cases) {
    assert.throws(() => optimizer(config, params, 'training.optimizer'), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(config));
  }
  dispose(params);
});

test('parameters must be distinct leaf tensors with requiresGrad; those without a gradient are skipped', () => {
  const [w, b] = [tensor([[1, 2]]).requiresGrad_(), tensor([0.5]).requiresGrad_()];
  const frozen = tensor([3]);
  tidy(() => {
    assert.throws(() => optimizer({ name: 'sgd' }, []), /empty parameter list/);
    assert.throws(() => optimizer({ name: 'sgd' }, [w, frozen]), /parameter 1 does not require grad/);
    assert.throws(() => optimizer({ name: 'sgd' }, [w, ops.mul(w, 2)]), /parameter 1 is not a leaf tensor \(it was made by MulBackward\d\)/);
    assert.throws(() => optimizer({ name: 'sgd' }, [w, w]), /parameter 1 is the same tensor as parameter 0/);
    assert.throws(() => optimizer({ name: 'sgd' }, [tensor([1], [1], 'int64')]), /parameter 0 has dtype int64/);
  });
  const opt = optimizer({ name: 'adam', lr: 0.1 }, [w, b]);
  tidy(() => ops.sum(ops.mul(w, w)).backward()); // b gets no gradient
  opt.step();
  assert.deepEqual(b.toNumbers(), [0.5]);
  assert.notDeepEqual(w.toNumbers(), [1, 2]);
  assert.equal(opt.stateTensorCount, 2, "only w's moments");
  assert.deepEqual(opt.stateDict().meta.steps, [1, 0]);
  opt.dispose();
  assert.throws(() => opt.step(), /optimizer 'adam' was disposed/);
  dispose([w, b, frozen]);
});

/** What the checkpoint code does: metadata through JSON, tensors through their bytes. */
function serialise(state: OptimizerState): OptimizerState {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(state.tensors)) tensors[k] = tensor(t.toTypedArray(), t.shape);
  return { meta: JSON.parse(JSON.stringify(state.meta)), tensors };
}

test('stateDict round trip: 10 steps, save, load into a fresh optimizer, 10 more = 20 straight steps exactly', () => {
  const configs = [
    { name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true },
    { name: 'rmsprop', lr: 0.003, momentum: 0.5, centered: true },
    { name: 'adagrad', lr: 0.05, lrDecay: 0.01, initialAccumulatorValue: 0.1 },
    { name: 'adam', lr: 0.01, amsgrad: true, decay: 0.01 },
    { name: 'adamw', lr: 0.01, schedule: { name: 'cosine', tMax: 3, every: 'epoch' } },
  ];
  const f = fixture();
  for (const config of configs) {
    const straight = make(config);
    for (let i = 0; i < 20; i++) {
      if (i === 10) straight.opt.setEpoch(1);
      if (i === 5) straight.opt.setLr(straight.opt.lr * 0.5);
      trainStep(straight.opt, straight.params, straight.x, straight.y);
    }
    const first = make(config);
    for (let i = 0; i < 10; i++) {
      if (i === 5) first.opt.setLr(first.opt.lr * 0.5);
      trainStep(first.opt, first.params, first.x, first.y);
    }
    const saved = serialise(first.opt.stateDict());
    const weights = first.params.map((p) => tensor(p.toTypedArray(), p.shape));
    free(first);

    const params = weights.map((w) => w.requiresGrad_());
    const resumed = optimizer(config, params);
    resumed.loadStateDict(saved);
    dispose(saved.tensors); // loading copies
    assert.equal(resumed.iterations, 10);
    resumed.setEpoch(1);
    const { x, y } = makeBatch(f);
    for (let i = 0; i < 10; i++) trainStep(resumed, params, x, y);
    assert.deepEqual(weightsOf(params), weightsOf(straight.params), `${config.name}: resumed weights`);
    assert.deepEqual(resumed.stateDict().meta.steps, [20, 20, 20, 20]);
    resumed.dispose();
    dispose([params, x, y]);
    free(straight);
  }
});

test('a state that does not fit is refused with the field named, and nothing changes', () => {
  const a = make({ name: 'adam', lr: 0.01 });
  for (let i = 0; i < 3; i++) trainStep(a.opt, a.params, a.x, a.y);
  const state = a.opt.stateDict();
  const b = make({ name: 'adam', lr: 0.01, amsgrad: true });
  trainStep(b.opt, b.params, b.x, b.y);
  const before = JSON.stringify(b.opt.stateDict().meta);
  const live = liveTensors().tensors;
  assert.throws(() => b.opt.loadStateDict(state), (e: Error) => e instanceof ConfigError && /^optimizer state\.tensors\.0\.maxExpAvgSq: missing/.test(e.message));
  assert.equal(liveTensors().tensors, live, 'the half-built state was freed');
  assert.equal(JSON.stringify(b.opt.stateDict().meta), before);
  const c = make({ name: 'sgd', momentum: 0.9 });
  assert.throws(() => c.opt.loadStateDict(state), /^ConfigError: optimizer state\.name: the state is of optimizer 'adam', this optimizer is 'sgd'$/);
  const d = make({ name: 'sgd', momentum: 0.9 });
  trainStep(d.opt, d.params, d.x, d.y);
  const sgdState = d.opt.stateDict();
  const tooMany = { meta: sgdState.meta, tensors: { ...sgdState.tensors, '0.expAvg': sgdState.tensors['0.momentumBuffer'] } };
  assert.throws(() => c.opt.loadStateDict(tooMany), /optimizer state\.tensors\.0\.expAvg: unexpected/);
  const wrongShape = { meta: sgdState.meta, tensors: { ...sgdState.tensors, '1.momentumBuffer': sgdState.tensors['0.momentumBuffer'] } };
  assert.throws(() => c.opt.loadStateDict(wrongShape), (e: Error) => e instanceof ShapeError && /tensors\.1\.momentumBuffer: shape \[6, 5\] does not match parameter 1 of shape \[6\]/.test(e.message));
  const fewer = { meta: { ...sgdState.meta, steps: [1, 1] }, tensors: sgdState.tensors };
  assert.throws(() => c.opt.loadStateDict(fewer), /optimizer state\.steps: the state has 2 parameters, this optimizer 4/);
  for (const m of [a, b, c, d]) free(m);
});

test('no tensor leaks: 200 steps leave only the parameters, the batch and the counted state tensors', () => {
  for (const config of [
    { name: 'adam', amsgrad: true, clipNorm: 0.5, clipValue: 0.1, weightDecay: 0.01 },
    { name: 'rmsprop', centered: true, momentum: 0.9, weightDecay: 0.01 },
    { name: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  ]) {
    const baseline = liveTensors().tensors;
    const m = make(config);
    trainStep(m.opt, m.params, m.x, m.y);
    const expectedState = { adam: 3, rmsprop: 3, sgd: 1 }[config.name]! * 4;
    assert.equal(m.opt.stateTensorCount, expectedState);
    const afterOne = liveTensors().tensors;
    assert.equal(afterOne, baseline + 4 + 2 + expectedState);
    // Steps inside a caller's tidy must not free the state.
    tidy(() => {
      for (let i = 0; i < 200; i++) trainStep(m.opt, m.params, m.x, m.y);
    });
    assert.equal(liveTensors().tensors, afterOne, config.name);
    assert.ok(Number.isFinite(trainStep(m.opt, m.params, m.x, m.y)));
    free(m);
    assert.equal(liveTensors().tensors, baseline, `${config.name}: after dispose`);
  }
});
