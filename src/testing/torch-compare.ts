// Test support: trains the same small MLP with an nnlab optimizer and with torch.optim from the same initial
// weights and batch, and reports where the per-step losses and weights differ. One Python run covers many
// cases. The model: cross-entropy(linear(tanh(linear(x, w1, b1)), w2, b2), y), x of 8 × 5, 3 classes.
import { ops, tensor, tidy, type Tensor } from '../tensor/index.js';
import { closeness, randomValues, runTorch, seededRandom } from './torch-oracle.js';
import { setThreads } from '../engine/threads.js';
import { optimizer } from '../optim/optimizers.js';
import type { Optimizer } from '../optim/optimizer.js';

export const SHAPES = { x: [8, 5], w1: [6, 5], b1: [6], w2: [3, 6], b2: [3] } as const;
export const LABELS = [0, 2, 1, 1, 0, 2, 2, 1];
const PARAM_NAMES = ['w1', 'b1', 'w2', 'b2'] as const;

export interface Fixture {
  x: number[];
  y: number[];
  params: Record<(typeof PARAM_NAMES)[number], number[]>;
}

/** The fixed batch and initial weights (float32 values from a seeded generator). */
export function fixture(seed = 7): Fixture {
  const rand = seededRandom(seed);
  const n = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  const x = randomValues(rand, n(SHAPES.x), -2, 2);
  const params = {
    w1: randomValues(rand, n(SHAPES.w1), -0.8, 0.8),
    b1: randomValues(rand, n(SHAPES.b1), -0.1, 0.1),
    w2: randomValues(rand, n(SHAPES.w2), -0.8, 0.8),
    b2: randomValues(rand, n(SHAPES.b2), -0.1, 0.1),
  };
  return { x, y: LABELS, params };
}

/** Fresh parameter tensors (requiresGrad) holding the fixture's initial weights. */
export function makeParams(f: Fixture): Tensor[] {
  return PARAM_NAMES.map((k) => tensor(Float32Array.from(f.params[k]), SHAPES[k]).requiresGrad_());
}

/** The batch as tensors. */
export function makeBatch(f: Fixture): { x: Tensor; y: Tensor } {
  return { x: tensor(Float32Array.from(f.x), SHAPES.x), y: tensor(f.y, [f.y.length], 'int64') };
}

/** The model's loss on the batch (a graph to call backward on). */
export function lossOf(params: readonly Tensor[], x: Tensor, y: Tensor): Tensor {
  const [w1, b1, w2, b2] = params;
  return ops.crossEntropyLoss(ops.linear(ops.tanh(ops.linear(x, w1, b1)), w2, b2), y);
}

/** Per step: the loss before the update, and all weights (flattened, in order) after it. */
export interface Trajectory {
  losses: number[];
  weights: number[][];
}

/** One training step: zeroGrad, loss, backward, step; returns the loss. Frees everything it makes. */
export function trainStep(opt: Optimizer, params: readonly Tensor[], x: Tensor, y: Tensor): number {
  return tidy(() => {
    opt.zeroGrad();
    const loss = lossOf(params, x, y);
    loss.backward();
    opt.step();
    return loss.item();
  });
}

/** The parameters' values, flattened and concatenated. */
export function weightsOf(params: readonly Tensor[]): number[] {
  return params.flatMap((p) => p.toNumbers());
}

export interface Case {
  name: string;
  /** The nnlab optimizer config. */
  config: Record<string, unknown>;
  /** A Python expression building the torch optimizer over `params`. */
  torch: string;
  /** torch.nn.utils clipping before each torch step. */
  clipNorm?: number;
  clipValue?: number;
  /** Learning rates to set on the torch optimizer before each step (e.g. Keras decay computed by hand). */
  torchLrs?: number[];
  /** A Python expression building a torch scheduler over `opt`, stepped after every optimizer step. */
  torchScheduler?: string;
  steps?: number;
}

/** Trains with nnlab: a fresh optimizer from `config`, `steps` steps. */
export function trainNnlab(f: Fixture, config: Record<string, unknown>, steps: number): Trajectory {
  const params = makeParams(f);
  const { x, y } = makeBatch(f);
  const opt = optimizer(config, params);
  const out: Trajectory = { losses: [], weights: [] };
  for (let i = 0; i < steps; i++) {
    out.losses.push(trainStep(opt, params, x, y));
    out.weights.push(weightsOf(params));
  }
  opt.dispose();
  for (const t of [...params, x, y]) t.dispose();
  return out;
}

const script = `
f = input['fixture']
def T(k, shape):
    return torch.tensor(f['params'][k], dtype=torch.float32).reshape(shape).requires_grad_(True)
x = torch.tensor(f['x'], dtype=torch.float32).reshape(${JSON.stringify(SHAPES.x)})
y = torch.tensor(f['y'], dtype=torch.int64)
output = {}
for case in input['cases']:
    params = [T(k, s) for k, s in input['shapes']]
    w1, b1, w2, b2 = params
    opt = eval(case['torch'], {'torch': torch, 'params': params})
    sched = eval(case['scheduler'], {'torch': torch, 'opt': opt}) if case['scheduler'] else None
    losses, weights = [], []
    for i in range(case['steps']):
        if case['lrs'] is not None:
            for g in opt.param_groups:
                g['lr'] = case['lrs'][i]
        opt.zero_grad()
        loss = F.cross_entropy(F.linear(torch.tanh(F.linear(x, w1, b1)), w2, b2), y)
        loss.backward()
        if case['clipValue'] is not None:
            torch.nn.utils.clip_grad_value_(params, case['clipValue'])
        if case['clipNorm'] is not None:
            torch.nn.utils.clip_grad_norm_(params, case['clipNorm'])
        opt.step()
        if sched is not None:
            sched.step()
        losses.append(loss.item())
        weights.append(torch.cat([p.detach().flatten() for p in params]).double().tolist())
    output[case['name']] = {'losses': losses, 'weights': weights}
`;

/** Trains every case with torch.optim in one Python run. */
export function trainTorch(f: Fixture, cases: readonly Case[]): Record<string, Trajectory> {
  return runTorch<Record<string, Trajectory>>(script, {
    fixture: f,
    shapes: PARAM_NAMES.map((k) => [k, SHAPES[k]]),
    cases: cases.map((c) => ({
      name: c.name,
      torch: c.torch,
      scheduler: c.torchScheduler ?? null,
      lrs: c.torchLrs ?? null,
      clipNorm: c.clipNorm ?? null,
      clipValue: c.clipValue ?? null,
      steps: c.steps ?? 20,
    })),
  });
}

/**
 * Runs every case both ways; returns one line per case whose losses or weights differ beyond rtol (relative,
 * with a tiny absolute floor for values near zero), so `assert.deepEqual(failures, [])` shows them all.
 */
export function compareWithTorch(cases: readonly Case[], rtol = 1e-5, atol = 1e-7): string[] {
  setThreads({ intraOp: 1 });
  const f = fixture();
  const expected = trainTorch(f, cases);
  const failures: string[] = [];
  for (const c of cases) {
    const got = trainNnlab(f, c.config, c.steps ?? 20);
    const want = expected[c.name];
    const lossErr = closeness(got.losses, want.losses, rtol, atol);
    if (lossErr > 1) failures.push(`${c.name}: losses differ (closeness ${lossErr.toFixed(2)}): ${got.losses.slice(-2)} vs ${want.losses.slice(-2)}`);
    got.weights.forEach((w, i) => {
      const err = closeness(w, want.weights[i], rtol, atol);
      if (err > 1 && !failures.some((m) => m.startsWith(`${c.name}: weights`))) {
        failures.push(`${c.name}: weights differ from step ${i + 1} (closeness ${err.toFixed(2)})`);
      }
    });
    // The case must actually train, or agreeing with torch would prove little.
    if (!(got.losses[got.losses.length - 1] < got.losses[0] - 1e-3)) failures.push(`${c.name}: the loss did not fall (${got.losses[0]} -> ${got.losses[got.losses.length - 1]})`);
  }
  return failures;
}
