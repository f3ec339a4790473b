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
