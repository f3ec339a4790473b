// The SQLite store: the conformance suite on temp files, plus what only a file store has (folders created on
// first use, WAL mode, the default path, bad paths, a writer in another process).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Sqlite from 'better-sqlite3';
import { NnlabError } from '../engine/errors.js';
import { epochLog, runInput, runStoreConformance } from '../testing/store-conformance.js';
import { openStore } from './open.js';

const root = mkdtempSync(join(tmpdir(), 'nnlab-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));
let count = 0;

runStoreConformance('SQLite', async () => {
  const file = join(root, `conformance-${count++}`, 'runs.db');
  return { open: () => openStore(`sqlite:${file}`) };
});

describe('SQLite store', () => {
  test('creates the file with its folders, in WAL mode; url names the absolute path', async () => {
    const file = join(root, 'new', 'deeper', 'runs.db');
    const store = await openStore(file);
    try {
      assert.equal(store.url, `sqlite:${file}`);
      assert.ok(existsSync(file));
      const raw = new Sqlite(file, { readonly: true });
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(raw.prepare('select name from kysely_migration').pluck().all(), ['0001_initial', '0002_study_baselines', '0003_tuner', '0004_workers', '0005_study_claims']);
      raw.close();
    } finally {
      await store.close();
    }
  });

  test('the default store is .nnlab/runs.db under the current folder', async () => {
    const cwd = process.cwd();
    const dir = join(root, 'default');
    mkdirSync(dir);
    process.chdir(dir);
    try {
      const store = await openStore();
      await store.close();
      assert.equal(store.url, `sqlite:${join(dir, '.nnlab', 'runs.db')}`);
      assert.ok(existsSync(join(dir, '.nnlab', 'runs.db')));
    } finally {
      process.chdir(cwd);
    }
  });

  test('a path that cannot hold a database is an NnlabError naming it and why', async () => {
    const file = join(root, 'plain.txt');
    writeFileSync(file, 'not a database, just some text that is long enough to have a header'.repeat(20));
    const cases: [string, RegExp][] = [
      [file, /file is not a database/],
      [join(file, 'runs.db'), /ENOTDIR|not a directory/],
      [root, /is a folder/],
    ];
    for (const [path, reason] of cases) {
      await assert.rejects(openStore(path), (e: unknown) => {
        assert.ok(e instanceof NnlabError);
        assert.match(e.message, new RegExp(`cannot open run store sqlite:${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
        assert.match(e.message, reason);
        return true;
      });
    }
  });

  test('another process writing to the same file at the same time: both writers succeed', async () => {
    const file = join(root, 'shared', 'runs.db');
    const store = await openStore(file);
    const epochs = 150;
    try {
      const index = new URL('./index.js', import.meta.url).href;
      const script = `
        import { openStore } from ${JSON.stringify(index)};
        const store = await openStore(${JSON.stringify(file)});
        console.log('ready');
        const run = await store.createRun(${JSON.stringify(runInput(null, { label: 'child' }))});
        const log = ${JSON.stringify(epochLog(0))};
        for (let e = 0; e < ${epochs}; e++) await store.addEpoch(run.id, { ...log, epoch: e });
        await store.finishRun(run.id, { status: 'completed', message: null, wallTimeS: 1, metrics: {} });
        await store.close();`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await new Promise((resolve) => child.stdout.once('data', resolve)); // the child has opened the store
      const run = await store.createRun(runInput(null, { label: 'parent' }));
      for (let e = 0; e < epochs; e++) {
        await store.addEpoch(run.id, epochLog(e));
        await new Promise((r) => setImmediate(r));
      }
      await store.finishRun(run.id, { status: 'completed', message: null, wallTimeS: 1, metrics: {} });
      assert.equal(await exited, 0, stderr);
      const runs = await store.listRuns({ status: 'completed' });
      assert.deepEqual(runs.map((r) => r.label).sort(), ['child', 'parent']);
      for (const r of runs) assert.deepEqual((await store.getEpochs(r.id)).map((e) => e.epoch), [...Array(epochs).keys()]);
      // The two processes' writes did overlap in time.
      const raw = new Sqlite(file, { readonly: true });
      const spans = raw.prepare('select min(created_at) as first, max(created_at) as last from epochs group by run_id').all() as { first: string; last: string }[];
      raw.close();
      assert.ok(spans[0].first < spans[1].last && spans[1].first < spans[0].last, JSON.stringify(spans));
    } finally {
      await store.close();
    }
  });
});
