// Which store a URL opens, the errors for URLs it cannot, and password masking.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NnlabError } from '../engine/errors.js';
import { openStore } from './open.js';
import { maskUrl } from './postgres.js';

test('an unsupported scheme is an error listing the accepted forms, password masked', async () => {
  for (const url of ['mysql://root:s3cret@db/runs', 'sqlite://runs.db', 'file:runs.db', 'sqlite:']) {
    await assert.rejects(openStore(url), (e: unknown) => {
      assert.ok(e instanceof NnlabError);
      assert.match(e.message, /a file path \(e\.g\. \.nnlab\/runs\.db\), sqlite:PATH .*postgres:\/\/user:password@host:port\/database/);
      assert.doesNotMatch(e.message, /s3cret/);
      return true;
    });
  }
});

test('maskUrl hides passwords in the user part and in parameters, and nothing else', () => {
  assert.equal(maskUrl('postgres://me:s3cret@db.example:5432/runs'), 'postgres://me:***@db.example:5432/runs');
  
  assert.equal(maskUrl('postgres://me:a@b@db/runs?sslmode=require'), 'postgres://me:***@db/runs?sslmode=require');
  assert.equal(maskUrl('postgres://db:5432/runs?user=me&password=s3cret&x=1'), 'postgres://db:5432/runs?user=me&password=***&x=1');
  assert.equal(maskUrl('postgres://me@db:5432/runs'), 'postgres://me@db:5432/runs');
  assert.equal(maskUrl('postgres://db:5432/runs'), 'postgres://db:5432/runs');
});

test('a store a newer nnlab migrated is refused with a message saying so, and left as it was', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const Sqlite = (await import('better-sqlite3')).default;
  const dir = mkdtempSync(path.join(tmpdir(), 'nnlab-newer-'));
  try {
    const file = path.join(dir, 'runs.db');
    const store = await openStore(file);
    await store.createStudy({ name: 'kept', file: null, experiment: {} });
    await store.close();
    const raw = new Sqlite(file);
    raw.prepare(`insert into kysely_migration (name, timestamp) values ('0099_future', '2030-01-01T00:00:00.000Z')`).run();
    raw.close();
    await assert.rejects(openStore(file), (e: unknown) => {
      assert.ok(e instanceof NnlabError);
      assert.match(e.message, /written by a newer nnlab \(it has migration 0099_future; this nnlab knows up to 0005_study_claims\): upgrade nnlab/);
      return true;
    });
    const check = new Sqlite(file, { readonly: true });
    assert.equal((check.prepare('select count(*) as n from studies').get() as { n: number }).n, 1);
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('createFolder: false refuses a SQLite path whose folder does not exist, and creates nothing', async () => {
  const { existsSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(tmpdir(), 'nnlab-open-'));
  try {
    for (const url of [path.join(dir, 'typo', 'runs.db'), `sqlite:${path.join(dir, 'typo', 'runs.db')}`]) {
      await assert.rejects(openStore(url, { createFolder: false }), (e: unknown) => {
        assert.ok(e instanceof NnlabError);
        assert.equal(e.message, `cannot open run store sqlite:${path.join(dir, 'typo', 'runs.db')}: the folder ${path.join(dir, 'typo')} does not exist (a typo?); create it first`);
        return true;
      });
    }
    assert.ok(!existsSync(path.join(dir, 'typo')));
    // A folder that exists is used as before; by default a missing one is still created (the library's behaviour).
    await (await openStore(path.join(dir, 'runs.db'), { createFolder: false })).close();
    await (await openStore(path.join(dir, 'made', 'runs.db'))).close();
    assert.ok(existsSync(path.join(dir, 'made', 'runs.db')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
