// The dashboard over a PostgreSQL store (what many workers write to): the same pages and numbers as SQLite's.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { fixtureEpoch, makeWebFixture, type WebFixture } from '../testing/web-fixture.js';
import { startDashboard, type Dashboard } from './server.js';

let server: PostgresServer;
let fx: WebFixture;
let ui: Dashboard;
before(async () => {
  server = await startPostgres();
  fx = await makeWebFixture(await server.createDatabase('nnlab_web'));
  ui = await startDashboard({ store: fx.store, port: 0 });
});
after(async () => {
  await ui?.close();
  await fx?.cleanup();
  await server?.stop();
});

const get = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${ui.port}${path}`);
  return { status: res.status, body: await res.text() };
};

test('over PostgreSQL: studies, a study summary, runs filtered and sorted, a search, the live token', async () => {
  const studies = await get('/');
  assert.match(studies.body, /postgres:\/\/nnlab@127\.0\.0\.1:\d+\/nnlab_web/);
  assert.match(studies.body, /0\.7070 <span class="muted">Val accuracy \(max\), mean of 2 runs: activation=relu<\/span>/);
  assert.match((await get(`/studies/${fx.studyId}`)).body, /<td class="num">0\.7070 ± 0\.0110<\/td>/);
  const ids = [...(await get(`/runs?study=${fx.studyId}&sort=val.accuracy`)).body.matchAll(/<tr data-run="(\d+)">/g)].map((m) => Number(m[1]));
  assert.deepEqual(ids, [fx.runs[1].id, fx.runs[0].id, fx.runs[3].id, fx.runs[2].id]);
  assert.match((await get(`/studies/${fx.tuneId}`)).body, /Best trial: 3 \(training\.optimizer\.lr = 0\.0003\)/);
  const token = async () => (JSON.parse((await get(`/api/live?study=${fx.hostileId}`)).body) as { token: string }).token;
  const before = await token();
  await fx.store.addEpoch(fx.running.id, fixtureEpoch(2, 0.85));
  assert.notEqual(await token(), before);
  assert.equal((await get('/runs/999999')).status, 404);
});
