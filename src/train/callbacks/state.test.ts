// Callback state for checkpoints: each stateful callback's getState, carried through exact JSON (and its
// tensors copied) into a fresh instance by setState, makes that instance act as the original from then on;
// a state that does not fit is a CallbackStateError naming the callback and the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { manualSeed } from '../../engine/seed.js';
import { parseExact, stringifyExact } from '../../io/exact-json.js';
import { Sequential } from '../../nn/model.js';
import { liveTensors, noGrad, ops, tidy } from '../../tensor/index.js';
import { optimizer } from '../../optim/index.js';
import type { EpochLog } from '../../record/history.js';
import type { Callback, CallbackState, TrainContext } from './callback.js';
import { CsvLogger } from './csv-logger.js';
import { EarlyStopping } from './early-stopping.js';
import { KeepBestWeights } from './keep-best-weights.js';
import { ModelCheckpoint } from './model-checkpoint.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { CallbackStateError } from './state.js';

const VAL = [1.0, 0.8, 0.85, 0.9, 0.95, 0.96, 0.7, 0.97, 0.98];
const log = (epoch: number): EpochLog => ({ epoch, train: { loss: VAL[epoch] }, val: { loss: VAL[epoch], accuracy: 1 - VAL[epoch] }, lr: 0.1, timeS: 1, trainTimeS: 1, samplesPerS: 1 });

/** A context with a real model and optimizer; stop() records the message. */
function context(): TrainContext & { stopped: string[]; dispose(): void } {
  manualSeed(0);
  const model = new Sequential({ inputShape: [2], layers: [{ type: 'dense', units: 2 }] });
  const opt = optimizer({ name: 'sgd', lr: 0.1 }, model.parameters());
  const stopped: string[] = [];
  return {
    model,
    optimizer: opt,
    epochs: VAL.length,
    batchesPerEpoch: 1,
    samplesPerEpoch: 1,
    history: { epochs: [], status: 'completed', message: null },
    stop: (_s, m) => void stopped.push(m),
    stopped,
    dispose: () => [opt.dispose(), model.dispose()],
  };
}

/** Moves the model's weights, so that kept weights of different epochs differ. */
const nudge = (ctx: TrainContext, epoch: number) => noGrad(() => tidy(() => void ops.fill_(ctx.model.stateDict()['0.bias'], epoch)));

/** A state through checkpoint JSON; the tensors stay the original's (setState must copy them). */
const carried = (s: CallbackState): CallbackState => ({ json: parseExact(stringifyExact(s.json)), tensors: s.tensors });

/**
 * Runs `make()` for epochs 0..k-1, hands its state to a second `make()` at k, then runs both to the end
 * on their own contexts: their states, lr and stop messages must agree epoch by epoch.
 */
function check(name: string, make: () => Callback, k: number): void {
  const base = liveTensors().tensors;
  const [a, b] = [context(), context()];
  const first = make();
  const second = make();
  first.onTrainBegin?.(a);
  for (let e = 0; e < k; e++) {
    nudge(a, e);
    first.onEpochEnd?.(log(e), a);
  }
  const stopsBefore = a.stopped.length; // a stop before k ends the run: the checkpoint records it, not the callback
  second.onTrainBegin?.(b);
  second.setState!(carried(first.getState!()), b);
  noGrad(() => tidy(() => void ops.copy_(b.model.stateDict()['0.bias'], a.model.stateDict()['0.bias'])));
  b.optimizer.setLr(a.optimizer.lr);
  for (let e = k; e < VAL.length; e++) {
    for (const [cb, ctx] of [[first, a], [second, b]] as const) {
      nudge(ctx, e);
      cb.onEpochEnd?.(log(e), ctx);
    }
    const [sa, sb] = [first.getState!(), second.getState!()];
    assert.deepStrictEqual(sb.json, sa.json, `${name} from epoch ${k}: state after epoch ${e}`);
    const values = (s: CallbackState) => Object.fromEntries(Object.entries(s.tensors ?? {}).map(([n, t]) => [n, t.toNumbers()]));
    assert.deepStrictEqual(values(sb), values(sa), `${name} from epoch ${k}: tensors after epoch ${e}`);
    assert.equal(b.optimizer.lr, a.optimizer.lr, `${name}: lr after epoch ${e}`);
    assert.deepEqual(b.stopped, a.stopped.slice(stopsBefore), `${name} from epoch ${k}: stops after epoch ${e}`);
  }
  for (const [cb, ctx] of [[first, a], [second, b]] as const) cb.onTrainEnd?.(ctx);
  assert.deepEqual(b.model.stateDict()['0.bias'].toNumbers(), a.model.stateDict()['0.bias'].toNumbers(), `${name}: the final weights`);
  a.dispose();
  b.dispose();
  assert.equal(liveTensors().tensors, base, `${name}: no tensor leaks`);
}

test('each stateful callback resumed from its state at any epoch acts as the original', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cbstate-'));
  try {
    const makers: [string, () => Callback][] = [
      ['earlyStopping', () => new EarlyStopping({ patience: 3, restoreBestWeights: true, minDelta: 0.01 })],
      ['reduceLROnPlateau', () => new ReduceLROnPlateau({ patience: 2, factor: 0.5, cooldown: 2 })],
      ['keepBestWeights', () => new KeepBestWeights('val_accuracy', 'max')],
      ['modelCheckpoint', () => new ModelCheckpoint({ path: path.join(dir, 'm-{epoch}'), saveBestOnly: true })],
    ];
    for (const [name, make] of makers) for (let k = 0; k <= VAL.length; k++) check(name, make, k);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('csvLogger resumed from its state rewrites the whole file: the rows before the checkpoint and the new ones', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cbstate-'));
  try {
    const [whole, part] = [path.join(dir, 'whole.csv'), path.join(dir, 'part.csv')];
    const a = new CsvLogger(whole);
    a.onTrainBegin();
    VAL.forEach((_, e) => a.onEpochEnd(log(e)));
    const b = new CsvLogger(part);
    b.onTrainBegin();
    for (let e = 0; e < 3; e++) b.onEpochEnd(log(e));
    const state = b.getState();
    b.onEpochEnd(log(3)); // what a crashed run wrote after its checkpoint is rewritten
    const c = new CsvLogger(part);
    c.onTrainBegin();
    c.setState(carried(state));
    for (let e = 3; e < VAL.length; e++) c.onEpochEnd(log(e));
    assert.equal(readFileSync(part, 'utf8'), readFileSync(whole, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a state that does not fit is a CallbackStateError naming the callback and the field', () => {
  const es = new EarlyStopping();
  es.onTrainBegin();
  assert.throws(() => es.setState({ json: [1] }), (e: unknown) => e instanceof CallbackStateError && /earlyStopping state: expected an object/.test((e as Error).message));
  assert.throws(() => es.setState({ json: { wait: -1, best: 1, bestEpoch: 0 } }), /earlyStopping state: 'wait' must be an integer >= 0, got -1/);
  const r = new ReduceLROnPlateau();
  r.onTrainBegin();
  assert.throws(() => r.setState({ json: { wait: 0, cooldownLeft: 0, best: '1' } }), /reduceLROnPlateau state: 'best' must be a number, got "1"/);
  const k = new KeepBestWeights('val_loss', 'min');
  assert.throws(() => k.setState({ json: { best: null, bestEpoch: 'x', lastEpoch: 0 } }), /keepBestWeights state: 'bestEpoch' must be an integer >= -1/);
  assert.throws(() => new CsvLogger('x.csv').setState({ json: { rows: [{}] } }), /csvLogger state: 'rows' must be a list of epoch logs/);
});
