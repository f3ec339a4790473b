// A store for the dashboard's tests, written through the store's own API: a study of two configs × two
// repeats (final metrics, confusion matrices, weights on disk), a search of four trials, a study with a
// hostile name, and a run still running that a test can add epochs to.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../store/sqlite.js';
import { openStore } from '../store/open.js';
import type { RunEnvironment, RunRecord, RunStore } from '../store/types.js';
import type { EpochLog } from '../record/history.js';

export const HOSTILE_NAME = '<img src=x onerror="window.__xss=1">';

export const ENV: RunEnvironment = {
  nnlab: '0.1.0',
  libtorch: '2.x',
  node: process.version,
  threads: { intraOp: 2, interOp: 1, blas: 2 },
  dataFingerprint: 'fixture',
  host: 'fixture-host',
};

/** An epoch whose values follow from (epoch, level): accuracy rises towards `level`, loss falls. */
export function fixtureEpoch(epoch: number, level: number): EpochLog {
  const acc = level * (1 - Math.exp(-(epoch + 1) / 2));
  return { epoch, train: { loss: 1 / (epoch + 1), accuracy: acc + 0.01 }, val: { loss: 1.1 / (epoch + 1), accuracy: acc }, lr: 0.01, timeS: 0.1, trainTimeS: 0.09, samplesPerS: 1000 };
}

export interface WebFixture {
  dir: string;
  /** The SQLite file (unused when the fixture went to another store). */
  storeFile: string;
  store: RunStore;
  studyId: number;
  tuneId: number;
  hostileId: number;
  /** The study's runs: [relu seed 1, relu seed 2, tanh seed 1, tanh seed 2]. */
  runs: RunRecord[];
  /** A run of the hostile study still running, with two epochs. */
  running: RunRecord;
  weightsDir: string;
  cleanup(): Promise<void>;
}

/** The fixture in a new SQLite file (default), or in `url` (a PostgreSQL database, say). */
export async function makeWebFixture(url?: string): Promise<WebFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nnlab-web-'));
  const storeFile = path.join(dir, 'runs.db');
  const store = url ? await openStore(url) : await openSqliteStore(storeFile);
  const config = (activation: string) => ({ data: { dataset: 'mnist' }, model: { units: [32], activation }, training: { epochs: 3, optimizer: { name: 'adam', lr: 0.001 } }, classes: ['zero', 'one'] });

  const study = await store.createStudy({ name: 'activations', file: null, experiment: { study: { metric: 'val.accuracy' } } });
  const runs: RunRecord[] = [];
  const levels: Record<string, number[]> = { relu: [0.9, 0.92], tanh: [0.8, 0.82] };
  for (const activation of ['relu', 'tanh']) {
    for (let repeat = 0; repeat < 2; repeat++) {
      const level = levels[activation][repeat];
      const run = await store.createRun({ studyId: study.id, label: `activation=${activation}`, values: { 'model.activation': activation }, config: config(activation), seed: repeat + 1, repeat, environment: ENV });
      for (let e = 0; e < 3; e++) await store.addEpoch(run.id, fixtureEpoch(e, level));
      const last = fixtureEpoch(2, level);
      runs.push(
        await store.finishRun(run.id, {
          status: 'completed',
          message: null,
          wallTimeS: 1.5 + repeat,
          metrics: { train: last.train, val: { ...last.val!, confusionMatrix: [[40, 10], [5, 45]] } },
        }),
      );
    }
  }
  const weightsDir = path.join(dir, 'artifacts', `run-${runs[0].id}`);
  mkdirSync(weightsDir, { recursive: true });
  writeFileSync(path.join(weightsDir, 'config.json'), JSON.stringify({ format: 'nnlab.model/1', summary: 'Input shape: (784)\nTotal params: 25,450 (trainable 25,450, non-trainable 0)' }));
  writeFileSync(path.join(weightsDir, 'weights.safetensors'), Buffer.from('fixture weights bytes'));
  await store.addArtifact({ runId: runs[0].id, studyId: study.id, kind: 'weights', path: weightsDir });

  const tune = await store.createStudy({
    name: 'lr-search',
    file: null,
    kind: 'tune',
    experiment: {
      seed: 3,
      tune: { objective: { metric: 'val.accuracy', direction: 'max' }, sampler: 'random', pruner: 'none', trials: 4, space: { 'training.optimizer.lr': { type: 'float', low: 0.0001, high: 0.1, log: true } } },
    },
  });
  const lrs = [0.001, 0.01, 0.05, 0.0003];
  for (let trial = 0; trial < lrs.length; trial++) {
    const level = 0.7 + 0.05 * trial;
    const run = await store.createRun({ studyId: tune.id, label: `lr=${lrs[trial]}`, values: { 'training.optimizer.lr': lrs[trial] }, config: config('relu'), seed: 3, repeat: 0, trial, environment: ENV });
    for (let e = 0; e < 3; e++) await store.addEpoch(run.id, fixtureEpoch(e, level));
    await store.finishRun(run.id, { status: 'completed', message: null, wallTimeS: 1, metrics: { val: fixtureEpoch(2, level).val! } });
  }

  const hostile = await store.createStudy({ name: HOSTILE_NAME, file: null, experiment: {} });
  const running = await store.createRun({ studyId: hostile.id, label: `units=<b>64</b>`, values: {}, config: config('relu'), seed: 9, repeat: 0, environment: ENV });
  for (let e = 0; e < 2; e++) await store.addEpoch(running.id, fixtureEpoch(e, 0.85));

  return {
    dir,
    storeFile,
    store,
    studyId: study.id,
    tuneId: tune.id,
    hostileId: hostile.id,
    runs,
    running,
    weightsDir,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
