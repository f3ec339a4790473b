// Schedules against torch.optim.lr_scheduler: the learning rate at every epoch of StepLR, ExponentialLR,
// CosineAnnealingLR and LinearLR warm-up then cosine (SequentialLR), from the same base rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedule, type ScheduleConfig } from './schedules.js';
import { closeness, runTorch } from '../testing/torch-oracle.js';
import { ConfigError } from '../engine/errors.js';

interface Case {
  name: string;
  config: ScheduleConfig;
  /** A Python expression building the scheduler over `opt` (an SGD with the base rate). */
  torch: string;
  epochs: number;
}

const BASE = 0.3;
const cases: Case[] = [
  { name: 'step', config: { name: 'step', stepSize: 3 }, torch: 'L.StepLR(opt, step_size=3)', epochs: 12 },
  { name: 'step gamma 0.5', config: { name: 'step', stepSize: 2, gamma: 0.5 }, torch: 'L.StepLR(opt, step_size=2, gamma=0.5)', epochs: 9 },
  { name: 'exponential gamma', config: { name: 'exponential', gamma: 0.85 }, torch: 'L.ExponentialLR(opt, gamma=0.85)', epochs: 15 },
  // Keras's ExponentialDecay: decayRate^(t / decaySteps) is ExponentialLR with gamma = decayRate^(1 / decaySteps)...
  { name: 'exponential (Keras)', config: { name: 'exponential', decayRate: 0.5, decaySteps: 4 }, torch: 'L.ExponentialLR(opt, gamma=0.5 ** (1 / 4))', epochs: 15 },
  // ...and, floored (staircase), StepLR with step_size = decaySteps and gamma = decayRate.
  { name: 'exponential staircase', config: { name: 'exponential', decayRate: 0.5, decaySteps: 4, staircase: true }, torch: 'L.StepLR(opt, 4, 0.5)', epochs: 15 },
  { name: 'cosine', config: { name: 'cosine', tMax: 10 }, torch: 'L.CosineAnnealingLR(opt, T_max=10)', epochs: 11 },
  { name: 'cosine etaMin', config: { name: 'cosine', tMax: 7, etaMin: 0.01 }, torch: 'L.CosineAnnealingLR(opt, T_max=7, eta_min=0.01)', epochs: 8 },
  {
    name: 'cosine with warm-up',
    config: { name: 'cosine', tMax: 6, warmup: 4, warmupStartFactor: 0.2 },
    torch: 'L.SequentialLR(opt, [L.LinearLR(opt, start_factor=0.2, total_iters=4), L.CosineAnnealingLR(opt, T_max=6)], milestones=[4])',
    epochs: 11,
  },
];

const script = `
import warnings
warnings.simplefilter('ignore')
L = torch.optim.lr_scheduler
output = {}
for c in input['cases']:
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=input['base'])
    sched = eval(c['torch'], {'L': L, 'opt': opt})
    lrs = []
    for epoch in range(c['epochs']):
        lrs.append(opt.param_groups[0]['lr'])
        opt.step()
        sched.step()
    output[c['name']] = lrs
`;

test('schedules agree with torch.optim.lr_scheduler at every epoch', () => {
  const expected = runTorch<Record<string, number[]>>(script, { base: BASE, cases: cases.map(({ name, torch, epochs }) => ({ name, torch, epochs })) });
  const failures: string[] = [];
  for (const c of cases) {
    const s = schedule(c.config);
    const got = Array.from({ length: c.epochs }, (_, t) => s.lrAt(t, BASE));
    const err = closeness(got, expected[c.name], 1e-9, 1e-12);
    if (err > 1) failures.push(`${c.name}: ${got.join(', ')} vs ${expected[c.name].join(', ')}`);
    // Rates must change over the run, or the comparison would prove little.
    if (!(new Set(got).size > 2)) failures.push(`${c.name}: the rate hardly changes`);
  }
  assert.deepEqual(failures, []);
});

test('cosine stays at etaMin after tMax (PyTorch would rise again); warm-up starts at the start factor', () => {
  const s = schedule({ name: 'cosine', tMax: 10, etaMin: 0.001, warmup: 5 });
  assert.equal(s.lrAt(0, 1), 0.1);
  assert.equal(s.lrAt(5, 1), 1);
  for (const t of [15, 16, 40]) assert.equal(s.lrAt(t, 1), 0.001);
  assert.ok(s.lrAt(14, 1) > 0.001);
});

test('getConfig round-trips with defaults filled in; every defaults to epoch', () => {
  const configs: [ScheduleConfig, ScheduleConfig][] = [
    [{ name: 'step', stepSize: 3 }, { name: 'step', stepSize: 3, gamma: 0.1, every: 'epoch' }],
    [{ name: 'exponential', gamma: 0.9, every: 'step' }, { name: 'exponential', gamma: 0.9, every: 'step' }],
    [{ name: 'exponential', decayRate: 0.9, decaySteps: 100 }, { name: 'exponential', decayRate: 0.9, decaySteps: 100, staircase: false, every: 'epoch' }],
    [{ name: 'cosine', tMax: 5 }, { name: 'cosine', tMax: 5, etaMin: 0, warmup: 0, warmupStartFactor: 0.1, every: 'epoch' }],
  ];
  for (const [given, full] of configs) {
    assert.deepEqual(schedule(given).getConfig(), full);
    assert.deepEqual(schedule(JSON.parse(JSON.stringify(full))).getConfig(), full);
  }
  // Keras's and PyTorch's spellings.
  assert.equal(schedule({ name: 'cosine', T_max: 4, eta_min: 0.1 } as never).getConfig().name, 'cosine');
  assert.deepEqual(schedule({ name: 'step', step_size: 2 } as never).getConfig(), { name: 'step', stepSize: 2, gamma: 0.1, every: 'epoch' });
});

test('bad schedule configs are ConfigErrors naming the field', () => {
  const bad: [unknown, RegExp][] = [
    [{ name: 'cosin', tMax: 3 }, /^optimizer\.schedule\.name: unknown schedule 'cosin' \(did you mean 'cosine'\?\); valid: step, exponential, cosine$/],
    [{ name: 'step' }, /^optimizer\.schedule\.stepSize: schedule 'step' needs 'stepSize'/],
    [{ name: 'step', stepSize: 2.5 }, /^optimizer\.schedule\.stepSize: expected an integer/],
    [{ name: 'step', stepSize: 2, gamma: 0 }, /^optimizer\.schedule\.gamma: must be > 0/],
    [{ name: 'exponential' }, /^optimizer\.schedule\.decayRate: schedule 'exponential' needs 'gamma', or 'decayRate' with 'decaySteps'/],
    [{ name: 'exponential', decayRate: 0.5 }, /^optimizer\.schedule\.decaySteps: /],
    [{ name: 'exponential', gamma: 0.5, decayRate: 0.5 }, /^optimizer\.schedule\.decayRate: give either 'gamma' or/],
    [{ name: 'cosine', tMax: -1 }, /^optimizer\.schedule\.tMax: must be > 0/],
    [{ name: 'cosine', tMax: 3, every: 'batch' }, /^optimizer\.schedule\.every: unknown value 'batch'; valid: epoch, step/],
    [{ name: 'cosine', tMax: 3, warmupStartFactor: 0 }, /^optimizer\.schedule\.warmupStartFactor: must be > 0/],
    [{ name: 'cosine', tMax: 3, tmin: 0 }, /^optimizer\.schedule\.tmin: unknown field of schedule 'cosine'/],
    // The optimizer's hints for other libraries' field names, in any spelling.
    [{ name: 'cosine', tMax: 3, betas: [0.9, 0.99] }, /^optimizer\.schedule\.betas: unknown field of schedule 'cosine': nnlab takes 'beta1' and 'beta2' separately$/],
    [{ name: 'step', stepSize: 2, nesterov_momentum: true }, /^optimizer\.schedule\.nesterov_momentum: unknown field of schedule 'step': use 'momentum' with 'nesterov': true$/],
    ['cosine', /^optimizer\.schedule: expected a learning-rate schedule as \{ name, \.\.\.fields \}/],
  ];
  for (const [config, message] of bad) {
    assert.throws(() => schedule(config, 'optimizer.schedule'), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(config));
  }
  assert.throws(() => schedule({ name: 'step', stepSize: 1 }).lrAt(-1, 0.1), RangeError);
});
