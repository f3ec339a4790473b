// The conformance suite every RunStore implementation must pass (sqlite.test.ts and postgres.test.ts run it):
// every method, JSON round trips, ordering, filters, atomic finishRun, cascading deleteStudy, two stores writing
// to one database at once, and the error cases.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NnlabError } from '../engine/errors.js';
import type { EpochLog } from '../record/history.js';
import { TrialTakenError } from '../store/types.js';
import type { RunEnvironment, RunRecord, RunStore } from '../store/types.js';

/** A fresh, empty database; open() opens a store on it (call it twice for two connections or pools). */
export interface TestDatabase {
  open(): Promise<RunStore>;
}

export const environment: RunEnvironment = {
  nnlab: '0.1.0',
  libtorch: '1.13.1',
  node: 'v20.0.0',
  threads: { intraOp: 1, interOp: 1, blas: 2 },
  dataFingerprint: 'sha256:abc',
  host: 'test-host',
};

export function runInput(studyId: number | null, over: Partial<Parameters<RunStore['createRun']>[0]> = {}): Parameters<RunStore['createRun']>[0] {
  return { studyId, label: 'activation=relu', values: { 'model.activation': 'relu' }, config: { seed: 1 }, seed: 1, repeat: 0, trial: null, retryOf: null, cell: null, environment, ...over };
}

export function epochLog(epoch: number, over: Partial<EpochLog> = {}): EpochLog {
  return { epoch, train: { loss: 1 / (epoch + 1), accuracy: 0.5 }, val: { loss: 0.9, accuracy: 0.6 }, lr: 0.001, timeS: 1.5, trainTimeS: 1.25, samplesPerS: 40000, ...over };
}

/** Awaits `p`, expecting an NnlabError whose message matches every pattern. */
async function rejects(p: Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof NnlabError, `expected an NnlabError, got ${String(e)}`);
    for (const re of patterns) assert.match(e.message, re);
    return true;
  });
}

/** JSON with everything a run record may hold: nested numbers, matrices, nulls, non-finite numbers, unicode. */
const tricky = {
  numbers: [0, -1.5, 0.1 + 0.2, 1e-300, 1.7976931348623157e308, Number.MAX_SAFE_INTEGER, -7],
  nonFinite: [NaN, Infinity, -Infinity],
  matrix: [[1, 0, 2], [0, 3, 0.25]],
  nested: { a: { b: { c: [null, { d: [] }, {}] } } },
  nothing: null,
  text: 'ünïcødé ✓ "quoted" \\ back',
  flag: false,
};

/** Registers the suite; `freshDatabase` makes a new empty database for each test. */
export function runStoreConformance(name: string, freshDatabase: () => Promise<TestDatabase>): void {
  /** Runs `body` with a store on a fresh database and closes it after. */
  const withStore = (title: string, body: (store: RunStore, db: TestDatabase) => Promise<void>) =>
    test(title, async () => {
      const db = await freshDatabase();
      const store = await db.open();
      try {
        await body(store, db);
      } finally {
        await store.close();
      }
    });

  describe(`RunStore conformance: ${name}`, () => {
    withStore('studies: create, get by id and by name (newest of a name), list oldest first', async (store) => {
      assert.deepEqual(await store.listStudies(), []);
      const a = await store.createStudy({ name: 'acts', file: '/exp/acts.yaml', experiment: tricky });
      const b = await store.createStudy({ name: 'lr', file: null, experiment: null });
      const a2 = await store.createStudy({ name: 'acts', file: null, experiment: { v: 2 } });
      assert.ok(a.id < b.id && b.id < a2.id);
      assert.match(a.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual(await store.getStudy(a.id), a);
      assert.deepEqual((await store.getStudy(a.id))?.experiment, tricky);
      assert.deepEqual(await store.getStudy('acts'), a2);
      assert.deepEqual(await store.getStudy(String(b.id)), b);
      assert.equal((await store.getStudy(b.id))?.experiment, null);
      assert.equal(await store.getStudy(9999), null);
      assert.equal(await store.getStudy('nope'), null);
      assert.deepEqual(await store.listStudies(), [a, b, a2]);
      await rejects(store.createStudy({ name: '', file: null, experiment: {} }), /study name/);
    });

    withStore("studies have a kind: 'study' by default, or 'tune'; runs of a search carry their trial number", async (store) => {
      const plain = await store.createStudy({ name: 'plain', file: null, experiment: {} });
      const tune = await store.createStudy({ name: 'search', file: null, experiment: { tune: {} }, kind: 'tune' });
      assert.equal(plain.kind, 'study');
      assert.equal((await store.getStudy(tune.id))?.kind, 'tune');
      await rejects(store.createStudy({ name: 'x', file: null, experiment: {}, kind: 'grid' as never }), /unknown study kind 'grid'/);
      const trial = await store.createRun(runInput(tune.id, { trial: 7, repeat: 1 }));
      assert.equal((await store.getRun(trial.id))?.trial, 7);
      assert.equal((await store.createRun(runInput(tune.id))).trial, null);
      await rejects(store.createRun(runInput(tune.id, { trial: -1 })), /trial number/);
      await store.addEpoch(trial.id, epochLog(0));
      const pruned = await store.finishRun(trial.id, { status: 'pruned', message: 'pruned at epoch 1 by median', wallTimeS: 1, metrics: {} });
      assert.equal(pruned.status, 'pruned');
      assert.deepEqual((await store.listRuns({ studyId: tune.id, status: 'pruned' })).map((r) => r.id), [trial.id]);
      assert.equal((await store.getEpochs(trial.id)).length, 1);
    });

    withStore('runs: create and get round-trip every field; a new run is running with no end', async (store) => {
      const study = await store.createStudy({ name: 's', file: null, experiment: {} });
      const input = runInput(study.id, { values: { 'training.optimizer.lr': 0.07, 'model.units': [800, 10] }, config: tricky, seed: 2 ** 32 + 5, repeat: 3 });
      const run = await store.createRun(input);
      const { id, status, message, startedAt, endedAt, wallTimeS, metrics, ...rest } = run;
      assert.deepEqual(rest, input);
      assert.deepEqual({ status, message, endedAt, wallTimeS, metrics }, { status: 'running', message: null, endedAt: null, wallTimeS: null, metrics: {} });
      assert.ok(Math.abs(Date.parse(startedAt) - Date.now()) < 60_000);
      assert.deepEqual(await store.getRun(id), run);
      assert.equal(await store.getRun(id + 1000), null);
      const single = await store.createRun(runInput(null, { label: '' }));
      assert.equal((await store.getRun(single.id))?.studyId, null);
      await rejects(store.createRun(runInput(9999)), /no study 9999/);
      await rejects(store.createRun(runInput(null, { seed: 1.5 })), /seed/);
      await rejects(store.createRun(runInput(null, { repeat: -1 })), /repeat/);
    });

    withStore('epochs: stored in epoch order, logs round-trip (matrices, null val, NaN), per run', async (store) => {
      const run = await store.createRun(runInput(null));
      const other = await store.createRun(runInput(null));
      const logs = [
        epochLog(2, { train: { loss: NaN, confusion: [[5, 1], [0, 4]], perClass: [0.5, 1] }, val: null, lr: NaN, samplesPerS: Infinity }),
        epochLog(0, { train: { loss: 0.5, nested: tricky.matrix } as EpochLog['train'] }),
        epochLog(1),
      ];
      for (const log of logs) await store.addEpoch(run.id, log);
      await store.addEpoch(other.id, epochLog(0, { lr: 0.5 }));
      assert.deepEqual(await store.getEpochs(run.id), [logs[1], logs[2], logs[0]]);
      assert.deepEqual(await store.getEpochs(other.id), [epochLog(0, { lr: 0.5 })]);
      assert.deepEqual(await store.getEpochs(9999), []);
    });

    withStore('epochs: errors for a duplicate index, a bad index, a missing run, an ended run', async (store) => {
      const run = await store.createRun(runInput(null));
      await store.addEpoch(run.id, epochLog(0));
      await rejects(store.addEpoch(run.id, epochLog(0, { lr: 9 })), new RegExp(`run ${run.id} already has epoch 0`));
      await rejects(store.addEpoch(run.id, epochLog(-1)), /epoch index/);
      await rejects(store.addEpoch(9999, epochLog(1)), /no run 9999/);
      await store.finishRun(run.id, { status: 'completed', message: null, wallTimeS: 1, metrics: {} });
      await rejects(store.addEpoch(run.id, epochLog(1)), /has ended \(completed\)/);
      assert.deepEqual(await store.getEpochs(run.id), [epochLog(0)]);
    });

    withStore('finishRun: ends a run with status, message, wall time, metrics; only once', async (store) => {
      const run = await store.createRun(runInput(null));
      const metrics = { train: { loss: 0.1, accuracy: 0.99 }, val: { accuracy: 0.98, confusion: [[9, 1], [2, 8]] }, test: { loss: NaN } };
      const done = await store.finishRun(run.id, { status: 'diverged', message: 'loss is NaN at epoch 3', wallTimeS: 12.5, metrics });
      assert.equal(done.status, 'diverged');
      assert.equal(done.message, 'loss is NaN at epoch 3');
      assert.equal(done.wallTimeS, 12.5);
      assert.deepEqual(done.metrics, metrics);
      assert.ok(done.endedAt !== null && done.endedAt >= done.startedAt);
      assert.deepEqual(await store.getRun(run.id), done);
      await rejects(store.finishRun(run.id, { status: 'completed', message: null, wallTimeS: 1, metrics: {} }), /has ended \(diverged\)/);
      assert.deepEqual(await store.getRun(run.id), done);
      await rejects(store.finishRun(9999, { status: 'completed', message: null, wallTimeS: 1, metrics: {} }), /no run 9999/);
    });

    withStore('setStudyBaselines: recorded on the study (null before), replaced by a later call', async (store) => {
      const study = await store.createStudy({ name: 'b', file: null, experiment: {} });
      assert.equal(study.baselines, null);
      const baselines = [{ name: 'constant', predicts: 'not 3', val: { accuracy: 0.8978, precision: 0 }, test: null }];
      await store.setStudyBaselines(study.id, baselines);
      assert.deepEqual((await store.getStudy(study.id))?.baselines, baselines);
      await store.setStudyBaselines(study.id, []);
      assert.deepEqual((await store.getStudy(study.id))?.baselines, []);
      await rejects(store.setStudyBaselines(9999, []), /no study 9999/);
    });

    withStore('setRunMetrics: one split of an ended run, the others kept; not while running; concurrent writers both land', async (store, db) => {
      const run = await store.createRun(runInput(null));
      await rejects(store.setRunMetrics(run.id, 'test', { accuracy: 0.9 }), /still running/);
      await store.finishRun(run.id, { status: 'completed', message: null, wallTimeS: 1, metrics: { val: { accuracy: 0.8 } } });
      const done = await store.setRunMetrics(run.id, 'test', { accuracy: 0.9, confusionMatrix: [[1, 0], [0, 1]] });
      assert.deepEqual(done.metrics, { val: { accuracy: 0.8 }, test: { accuracy: 0.9, confusionMatrix: [[1, 0], [0, 1]] } });
      assert.deepEqual(await store.getRun(run.id), done);
      const other = await db.open();
      try {
        await Promise.all([store.setRunMetrics(run.id, 'train', { loss: 0.1 }), other.setRunMetrics(run.id, 'test', { accuracy: 0.95 })]);
      } finally {
        await other.close();
      }
      assert.deepEqual((await store.getRun(run.id))?.metrics, { val: { accuracy: 0.8 }, test: { accuracy: 0.95 }, train: { loss: 0.1 } });
      await rejects(store.setRunMetrics(9999, 'test', {}), /no run 9999/);
    });

    withStore('finishRun: a bad status, wall time or metrics changes nothing', async (store) => {
      const run = await store.createRun(runInput(null));
      const end = { status: 'completed' as const, message: null, wallTimeS: 1, metrics: {} };
      await rejects(store.finishRun(run.id, { ...end, status: 'running' as never }), /unknown run end status 'running'/, /completed, stopped, diverged, interrupted, pruned, failed/);
      await rejects(store.finishRun(run.id, { ...end, status: 'complete' as never }), /did you mean 'completed'/);
      await rejects(store.finishRun(run.id, { ...end, wallTimeS: -1 }), /wall time/);
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await rejects(store.finishRun(run.id, { ...end, metrics: { val: circular } as never }), /run\.metrics/);
      await rejects(store.finishRun(run.id, { ...end, metrics: { val: { big: 1n } } as never }), /run\.metrics/);
      assert.deepEqual(await store.getRun(run.id), run);
    });

    withStore('listRuns: oldest first, filtered by study and status, limit keeps the newest', async (store) => {
      const s1 = await store.createStudy({ name: 's1', file: null, experiment: {} });
      const s2 = await store.createStudy({ name: 's2', file: null, experiment: {} });
      const runs: RunRecord[] = [];
      for (const studyId of [s1.id, s2.id, s1.id, null, s1.id]) runs.push(await store.createRun(runInput(studyId)));
      await store.finishRun(runs[0].id, { status: 'completed', message: null, wallTimeS: 1, metrics: {} });
      await store.finishRun(runs[4].id, { status: 'interrupted', message: 'Ctrl-C', wallTimeS: 1, metrics: {} });
      const ids = (rs: RunRecord[]) => rs.map((r) => r.id);
      const [r0, r1, r2, r3, r4] = ids(runs);
      assert.deepEqual(ids(await store.listRuns()), [r0, r1, r2, r3, r4]);
      assert.deepEqual(ids(await store.listRuns({ studyId: s1.id })), [r0, r2, r4]);
      assert.deepEqual(ids(await store.listRuns({ status: 'running' })), [r1, r2, r3]);
      assert.deepEqual(ids(await store.listRuns({ studyId: s1.id, status: 'running' })), [r2]);
      assert.deepEqual(ids(await store.listRuns({ limit: 2 })), [r3, r4]);
      assert.deepEqual(ids(await store.listRuns({ studyId: s1.id, limit: 2 })), [r2, r4]);
      assert.deepEqual(ids(await store.listRuns({ status: 'failed' })), []);
      assert.equal((await store.listRuns({ status: 'interrupted' }))[0].message, 'Ctrl-C');
      await rejects(store.listRuns({ status: 'finished' as never }), /unknown run status 'finished'/, /running, completed/);
      await rejects(store.listRuns({ limit: 0 }), /limit/);
    });

    withStore('artifacts: added to runs and studies, listed by run, by study or all, oldest first', async (store) => {
      const study = await store.createStudy({ name: 's', file: null, experiment: {} });
      const run = await store.createRun(runInput(study.id));
      const w = await store.addArtifact({ runId: run.id, studyId: null, kind: 'weights', path: '/out/run1/model.safetensors' });
      const p = await store.addArtifact({ runId: run.id, studyId: study.id, kind: 'plot', path: '/out/run1/curves.svg' });
      const r = await store.addArtifact({ runId: null, studyId: study.id, kind: 'report', path: '/out/report.html' });
      assert.deepEqual({ ...w, id: 0, createdAt: '' }, { id: 0, runId: run.id, studyId: null, kind: 'weights', path: '/out/run1/model.safetensors', createdAt: '', sha256: null });
      assert.ok(w.id < p.id && p.id < r.id && !Number.isNaN(Date.parse(w.createdAt)));
      assert.deepEqual(await store.listArtifacts({ runId: run.id }), [w, p]);
      assert.deepEqual(await store.listArtifacts({ studyId: study.id }), [p, r]);
      assert.deepEqual(await store.listArtifacts({ runId: run.id, studyId: study.id }), [p]);
      assert.deepEqual(await store.listArtifacts({}), [w, p, r]);
      await rejects(store.addArtifact({ runId: 9999, studyId: null, kind: 'plot', path: '/x' }), /no run 9999/);
      await rejects(store.addArtifact({ runId: run.id, studyId: null, kind: '', path: '/x' }), /artifact kind/);
      assert.equal((await store.listArtifacts({})).length, 3);
    });

    withStore('deleteStudy: removes the study, its runs, epochs and artifacts, and nothing else', async (store) => {
      const doomed = await store.createStudy({ name: 'doomed', file: null, experiment: {} });
      const kept = await store.createStudy({ name: 'kept', file: null, experiment: {} });
      const runs = [await store.createRun(runInput(doomed.id)), await store.createRun(runInput(doomed.id))];
      const keptRun = await store.createRun(runInput(kept.id));
      const loneRun = await store.createRun(runInput(null));
      for (const r of [...runs, keptRun, loneRun]) await store.addEpoch(r.id, epochLog(0));
      await store.addArtifact({ runId: runs[0].id, studyId: null, kind: 'weights', path: '/a' });
      await store.addArtifact({ runId: null, studyId: doomed.id, kind: 'report', path: '/b' });
      const keptArtifact = await store.addArtifact({ runId: keptRun.id, studyId: kept.id, kind: 'plot', path: '/c' });
      await store.deleteStudy(doomed.id);
      assert.equal(await store.getStudy(doomed.id), null);
      assert.deepEqual((await store.listStudies()).map((s) => s.id), [kept.id]);
      assert.deepEqual((await store.listRuns()).map((r) => r.id), [keptRun.id, loneRun.id]);
      for (const r of runs) assert.deepEqual(await store.getEpochs(r.id), []);
      assert.equal((await store.getEpochs(keptRun.id)).length, 1);
      assert.deepEqual(await store.listArtifacts({}), [keptArtifact]);
      await rejects(store.deleteStudy(doomed.id), /no study/);
    });

    withStore('markStaleRuns: interrupts running runs with no recent sign of life only', async (store) => {
      const stale = await store.createRun(runInput(null));
      const active = await store.createRun(runInput(null));
      const ended = await store.createRun(runInput(null));
      await store.finishRun(ended.id, { status: 'completed', message: null, wallTimeS: 1, metrics: {} });
      assert.deepEqual(await store.markStaleRuns(3600), []);
      await new Promise((r) => setTimeout(r, 400));
      await store.addEpoch(active.id, epochLog(0));
      const marked = await store.markStaleRuns(0.3);
      assert.deepEqual(marked.map((r) => r.id), [stale.id]);
      assert.equal(marked[0].status, 'interrupted');
      assert.match(marked[0].message ?? '', /no activity/);
      assert.ok(marked[0].endedAt !== null);
      assert.deepEqual(await store.getRun(stale.id), marked[0]);
      assert.equal((await store.getRun(active.id))?.status, 'running');
      assert.equal((await store.getRun(ended.id))?.status, 'completed');
      await rejects(store.markStaleRuns(-1), /idle time/);
    });

    withStore('searches: one open study per name and key, whoever creates it; --fresh supersedes it and keeps it', async (store) => {
      const spec = { name: 'search', file: '/x/s.yaml', experiment: { tune: { space: {} } }, key: 'k1' };
      const all = await Promise.all(Array.from({ length: 6 }, () => store.openStudy(spec)));
      assert.equal(new Set(all.map((r) => r.study.id)).size, 1, 'concurrent workers get one study');
      assert.equal(all.filter((r) => r.created).length, 1);
      const first = all[0].study;
      assert.equal(first.kind, 'tune');
      const other = await store.openStudy({ ...spec, key: 'k2' });
      assert.ok(other.created && other.study.id !== first.id, 'another key is another search');
      const renewed = await store.openStudy({ ...spec, fresh: true });
      assert.ok(renewed.created && renewed.study.id > first.id);
      assert.equal((await store.openStudy(spec)).study.id, renewed.study.id, 'the superseded study is no longer found');
      assert.deepEqual(await store.getStudy(first.id), first, 'the superseded study is kept');
      assert.deepEqual((await store.listSearchStudies('search')).map((s) => [s.id, s.key]), [[other.study.id, 'k2'], [renewed.study.id, 'k1']].sort((a, b) => (b[0] as number) - (a[0] as number)));
    });

    withStore('trial claims: one run per (study, trial, execution), one retry per trial; others get TrialTakenError', async (store) => {
      const study = await store.createStudy({ name: 't', file: null, experiment: {}, kind: 'tune' });
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => store.createRun(runInput(study.id, { trial: 0 }))));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof TrialTakenError, String(r.reason));
      await store.createRun(runInput(study.id, { trial: 0, repeat: 1 }));
      const light = await store.listTrialRuns(study.id);
      assert.equal(light.length, 2);
      const full = await store.listRuns({ studyId: study.id });
      assert.deepEqual(light[0], { id: full[0].id, trial: 0, retryOf: null, repeat: 0, status: 'running', message: null, values: full[0].values, wallTimeS: null });
      const claimed = full[0];
      const updated = await store.updateRun(claimed.id, { label: 'lr=0.1', values: { lr: 0.1 }, config: { n: 1 }, environment: { ...claimed.environment, host: 'elsewhere' } });
      assert.deepEqual([updated.label, updated.values, updated.config, updated.environment.host, updated.trial], ['lr=0.1', { lr: 0.1 }, { n: 1 }, 'elsewhere', 0]);
      assert.deepEqual(await store.getRun(claimed.id), updated);
      await store.finishRun(claimed.id, { status: 'completed', message: null, wallTimeS: 1, metrics: {} });
      await rejects(store.updateRun(claimed.id, { label: 'x', values: {}, config: {}, environment: claimed.environment }), /cannot update run \d+: it has ended/);
      const retry = await store.createRun(runInput(study.id, { trial: 1, retryOf: 0 }));
      assert.equal(retry.retryOf, 0);
      await assert.rejects(store.createRun(runInput(study.id, { trial: 2, retryOf: 0 })), TrialTakenError);
      await rejects(store.createRun(runInput(study.id, { retryOf: 0 })), /a retry needs a trial number/);
      const elsewhere = await store.createStudy({ name: 'u', file: null, experiment: {}, kind: 'tune' });
      await store.createRun(runInput(elsewhere.id, { trial: 0 }));
      await store.createRun(runInput(null));
      await store.createRun(runInput(null));
    });

    withStore("a study's runs: one per (study, cell, repeat), whoever claims it; others get TrialTakenError", async (store) => {
      const spec = { name: 'acts', file: '/x/acts.yaml', experiment: { repeats: 2 }, key: 'study-key', kind: 'study' as const };
      const opened = await Promise.all(Array.from({ length: 4 }, () => store.openStudy(spec)));
      assert.equal(new Set(opened.map((o) => o.study.id)).size, 1, 'processes started at once share one study');
      const study = opened[0].study;
      assert.equal(study.kind, 'study');
      assert.deepEqual(await store.listSearchStudies('acts'), [], 'a study is not a search');
      const claims = await Promise.allSettled(Array.from({ length: 6 }, () => store.createRun(runInput(study.id, { cell: 1, repeat: 0 }))));
      assert.equal(claims.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of claims) if (r.status === 'rejected') assert.ok(r.reason instanceof TrialTakenError && /config 1 \(repeat 0\)/.test(r.reason.message), String(r.reason));
      const other = await store.createRun(runInput(study.id, { cell: 1, repeat: 1 }));
      assert.equal(other.cell, 1);
      assert.equal((await store.createRun(runInput(study.id, { cell: 0, repeat: 0 }))).cell, 0);
      await rejects(store.createRun(runInput(null, { cell: 0 })), /cell must be an integer ≥ 0 of a study/);
      await rejects(store.createRun(runInput(study.id, { cell: -1 })), /cell/);
      await store.closeStudy(study.id);
      const next = await store.openStudy(spec);
      assert.ok(next.created && next.study.id !== study.id, 'a closed study is not found again: the same file makes a new study');
      await store.createRun(runInput(next.study.id, { cell: 1, repeat: 0 }));
      await rejects(store.closeStudy(9999), /no study 9999/);
    });

    withStore('test looks: recorded once per target and one final look per study, in order; a second look changes nothing', async (store) => {
      const study = await store.createStudy({ name: 's', file: null, experiment: {} });
      assert.deepEqual(study.testLooks, []);
      const results = await Promise.all(Array.from({ length: 5 }, () => store.addTestLook(study.id, { target: 'lr=0.1', trial: null, runIds: [1, 2], how: 'final' })));
      assert.equal(results.filter((r) => r.added).length, 1, 'concurrent looks at the same target record one');
      const second = await store.addTestLook(study.id, { target: 'trial 7', trial: 7, runIds: [9], how: 'explicit' });
      assert.equal(second.added, true);
      const looks = (await store.getStudy(study.id))!.testLooks;
      assert.deepEqual(looks.map(({ at, ...rest }) => rest), [
        { target: 'lr=0.1', trial: null, runIds: [1, 2], how: 'final' },
        { target: 'trial 7', trial: 7, runIds: [9], how: 'explicit' },
      ]);
      assert.ok(looks.every((l) => !Number.isNaN(Date.parse(l.at))));
      assert.deepEqual(await store.addTestLook(study.id, { target: 'trial 7', trial: 7, runIds: [10], how: 'explicit' }), { added: false, looks });
      assert.deepEqual(await store.addTestLook(study.id, { target: 'lr=0.3', trial: null, runIds: [3], how: 'final' }), { added: false, looks }, 'one final look per study');
      await rejects(store.addTestLook(9999, { target: 'x', trial: null, runIds: [], how: 'final' }), /no study 9999/);
    });

    withStore("heartbeats and crashes by the database's clock; a crashed or interrupted run can be reopened, a completed one not", async (store) => {
      const dead = await store.createRun(runInput(null));
      const alive = await store.createRun(runInput(null));
      const done = await store.createRun(runInput(null));
      await store.finishRun(done.id, { status: 'completed', message: null, wallTimeS: 1, metrics: {} });
      assert.deepEqual(await store.markCrashed(3600), []);
      await new Promise((r) => setTimeout(r, 700));
      assert.equal(await store.heartbeat(alive.id), true);
      assert.equal(await store.heartbeat(done.id), false, 'an ended run takes no heartbeat');
      const crashed = await store.markCrashed(0.5);
      assert.deepEqual(crashed.map((r) => r.id), [dead.id]);
      assert.equal(crashed[0].status, 'crashed');
      assert.match(crashed[0].message ?? '', /no heartbeat for over 0\.5 s/);
      assert.equal((await store.getRun(alive.id))?.status, 'running');
      assert.deepEqual((await store.listRuns({ status: 'crashed' })).map((r) => r.id), [dead.id]);
      await rejects(store.finishRun(dead.id, { status: 'completed', message: null, wallTimeS: 1, metrics: {} }), /has ended \(crashed\)/);
      const reopened = await store.reopenRun(dead.id);
      assert.deepEqual([reopened.status, reopened.message, reopened.endedAt], ['running', null, null]);
      await rejects(store.reopenRun(done.id), /run \d+ is completed; only an interrupted or crashed run can be resumed/);
      await rejects(store.markCrashed(-1), /grace/);
    });

    withStore('study epochs in one query; a running run drops its epochs from one on (to train them again)', async (store) => {
      const study = await store.createStudy({ name: 's', file: null, experiment: {} });
      const a = await store.createRun(runInput(study.id));
      const b = await store.createRun(runInput(study.id));
      await store.createRun(runInput(study.id));
      for (const e of [0, 1, 2]) await store.addEpoch(a.id, epochLog(e));
      await store.addEpoch(b.id, epochLog(0));
      const all = await store.getStudyEpochs(study.id);
      assert.deepEqual([...all.keys()], [a.id, b.id]);
      assert.deepEqual(all.get(a.id), [epochLog(0), epochLog(1), epochLog(2)]);
      await store.deleteEpochsFrom(a.id, 1);
      assert.deepEqual(await store.getEpochs(a.id), [epochLog(0)]);
      await store.addEpoch(a.id, epochLog(1, { lr: 0.5 }));
      assert.equal((await store.getEpochs(a.id))[1].lr, 0.5);
      await store.finishRun(b.id, { status: 'completed', message: null, wallTimeS: 1, metrics: {} });
      await rejects(store.deleteEpochsFrom(b.id, 0), /has ended/);
    });

    withStore("the store's id is fixed for its database; artifacts keep their sha256", async (store, db) => {
      const id = await store.storeId();
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.equal(await store.storeId(), id);
      const other = await freshDatabase();
      const second = await other.open();
      try {
        assert.notEqual(await second.storeId(), id, 'two stores, two ids');
      } finally {
        await second.close();
      }
      await store.close();
      const again = await db.open();
      try {
        assert.equal(await again.storeId(), id);
        const run = await again.createRun(runInput(null));
        const hash = 'ab'.repeat(32);
        const art = await again.addArtifact({ runId: run.id, studyId: null, kind: 'weights', path: '/w', sha256: hash });
        assert.equal(art.sha256, hash);
        assert.equal((await again.listArtifacts({ runId: run.id }))[0].sha256, hash);
        assert.equal((await again.addArtifact({ runId: run.id, studyId: null, kind: 'plot', path: '/p' })).sha256, null);
        await rejects(again.addArtifact({ runId: run.id, studyId: null, kind: 'weights', path: '/w', sha256: 'xyz' }), /64 hex digits/);
      } finally {
        await again.close();
      }
    });

    withStore('a value JSON cannot hold is an error naming the field, and nothing is written', async (store) => {
      const circular: Record<string, unknown> = {};
      circular.loop = circular;
      await rejects(store.createStudy({ name: 's', file: null, experiment: circular }), /study\.experiment/);
      await rejects(store.createRun(runInput(null, { config: { n: 10n } })), /run\.config/);
      assert.deepEqual(await store.listStudies(), []);
      assert.deepEqual(await store.listRuns(), []);
    });

    withStore('a store reopened on the same database sees everything; migrations do not run twice', async (store, db) => {
      const study = await store.createStudy({ name: 's', file: null, experiment: tricky });
      const run = await store.createRun(runInput(study.id));
      await store.addEpoch(run.id, epochLog(0));
      await store.close();
      const again = await db.open();
      try {
        assert.deepEqual(await again.getStudy(study.id), study);
        assert.deepEqual(await again.getRun(run.id), run);
        assert.deepEqual(await again.getEpochs(run.id), [epochLog(0)]);
      } finally {
        await again.close();
      }
    });

    test('two stores opened at once on a fresh database both work', async () => {
      const db = await freshDatabase();
      const [a, b] = await Promise.all([db.open(), db.open()]);
      try {
        const study = await a.createStudy({ name: 's', file: null, experiment: {} });
        assert.deepEqual(await b.getStudy(study.id), study);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    withStore('two stores writing at once: every write lands, ids are unique, each sees the other', async (a, db) => {
      const b = await db.open();
      try {
        const study = await a.createStudy({ name: 'shared', file: null, experiment: {} });
        const worker = async (store: RunStore, w: number) => {
          const ids: number[] = [];
          for (let i = 0; i < 4; i++) {
            const run = await store.createRun(runInput(study.id, { label: `w${w}`, repeat: i }));
            ids.push(run.id);
            for (let e = 0; e < 4; e++) await store.addEpoch(run.id, epochLog(e, { lr: w + i / 10 }));
            await store.finishRun(run.id, { status: 'completed', message: null, wallTimeS: i, metrics: { val: { accuracy: w } } });
          }
          return ids;
        };
        const [idsA, idsB] = await Promise.all([worker(a, 0), worker(b, 1)]);
        assert.equal(new Set([...idsA, ...idsB]).size, 8);
        for (const store of [a, b]) {
          const runs = await store.listRuns({ studyId: study.id, status: 'completed' });
          assert.deepEqual(runs.map((r) => r.id), [...idsA, ...idsB].sort((x, y) => x - y));
          for (const r of runs) {
            const w = r.label === 'w0' ? 0 : 1;
            assert.deepEqual((await store.getEpochs(r.id)).map((e) => [e.epoch, e.lr]), [0, 1, 2, 3].map((e) => [e, w + r.repeat / 10]));
            assert.deepEqual(r.metrics, { val: { accuracy: w } });
          }
        }
      } finally {
        await b.close();
      }
    });

    withStore('two stores finishing the same run at once: exactly one wins, its end is what is stored', async (a, db) => {
      const b = await db.open();
      try {
        const run = await a.createRun(runInput(null));
        const results = await Promise.allSettled([
          a.finishRun(run.id, { status: 'completed', message: null, wallTimeS: 1, metrics: { val: { accuracy: 1 } } }),
          b.finishRun(run.id, { status: 'interrupted', message: 'Ctrl-C', wallTimeS: 2, metrics: { val: { accuracy: 2 } } }),
        ]);
        const won = results.filter((r): r is PromiseFulfilledResult<RunRecord> => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 1);
        assert.match(String(lost[0].reason.message), /has ended/);
        assert.deepEqual(await b.getRun(run.id), won[0].value);
      } finally {
        await b.close();
      }
    });

    withStore('a closed store says so; closing twice is fine', async (store, db) => {
      const other = await db.open();
      await other.close();
      await other.close();
      await rejects(other.listRuns(), /is closed/);
      await rejects(other.createStudy({ name: 's', file: null, experiment: {} }), /is closed/);
      assert.deepEqual(await store.listRuns(), []);
    });
  });
}
