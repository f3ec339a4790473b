// The dashboard over HTTP, on a store the test made: pages and their numbers, 404s, the Host rule, the
// token, the CSP, text-only rendering of hostile names, paths that try to leave their folders, and writes.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { HOSTILE_NAME, makeWebFixture, type WebFixture } from '../testing/web-fixture.js';
import { startDashboard, type Dashboard } from './server.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request sent as written: the path is not normalised (so `..` and `%2e%2e` reach the server). */
function request(port: number, path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

let fx: WebFixture;
let ui: Dashboard;
before(async () => {
  fx = await makeWebFixture();
  ui = await startDashboard({ store: fx.store, port: 0 });
});
after(async () => {
  await ui.close();
  await fx.cleanup();
});

describe('pages', () => {
  test('the studies page lists each study with its kind, runs by status and best value', async () => {
    const r = await request(ui.port, '/');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type']!, /text\/html/);
    assert.match(r.body, new RegExp(`<a href="/studies/${fx.studyId}">activations</a></td><td>study</td>`));
    assert.match(r.body, /<span class="status status-completed">4 completed<\/span>/);
    // The best config's mean, as the study ranks configs (relu: 0.90 and 0.92 × (1 − e^−1.5)), not its best run (0.7147).
    assert.match(r.body, /0\.7070 <span class="muted">Val accuracy \(max\), mean of 2 runs: activation=relu<\/span>/);
    assert.doesNotMatch(r.body, /0\.7147/);
    assert.match(r.body, new RegExp(`<a href="/studies/${fx.tuneId}">lr-search</a></td><td>tune</td>`));
  });

  test("a study's page has the report's summary (mean ± std, CI) and the significance verdicts", async () => {
    const r = await request(ui.port, `/studies/${fx.studyId}`);
    assert.equal(r.status, 200);
    assert.match(r.body, /<td class="num">0\.7070 ± 0\.0110<\/td>/); // relu: 0.9 and 0.92, × (1 − e^−1.5)
    assert.match(r.body, /Welch&#39;s t-test/);
    assert.match(r.body, /<tr><td>activation=tanh<\/td><td class="num">2<\/td><td class="num">0\.6293<\/td><td class="num">0\.0777<\/td>.*<td>yes \(p &lt; 0\.05\)<\/td><\/tr>/);
    assert.match(r.body, new RegExp(`data-plots="/api/studies/${fx.studyId}/plots"`));
    assert.match(r.body, new RegExp(`data-live="/api/live\\?study=${fx.studyId}"`));
  });

  test("a search's page shows its trials and best trial", async () => {
    const r = await request(ui.port, `/studies/${fx.tuneId}`);
    assert.equal(r.status, 200);
    assert.match(r.body, /<h1>Search lr-search<\/h1>/);
    assert.match(r.body, /Best trial: 3 \(training\.optimizer\.lr = 0\.0003\)/);
    const plots = JSON.parse((await request(ui.port, `/api/studies/${fx.tuneId}/plots`)).body) as { name: string }[];
    for (const name of ['optimization-history', 'parallel-coordinates', 'slice-training-optimizer-lr', 'importance'].slice(0, 3)) assert.ok(plots.some((p) => p.name === name), name);
  });

  test('a run page shows its config as YAML, environment, model summary and its artifacts to download', async () => {
    const run = fx.runs[0];
    const r = await request(ui.port, `/runs/${run.id}`);
    assert.equal(r.status, 200);
    assert.match(r.body, /activation: relu/);
    assert.match(r.body, /fixture-host/);
    assert.match(r.body, /Total params: 25,450/);
    const link = new RegExp(`href="(/runs/${run.id}/artifacts/\\d+/weights\\.safetensors)"`).exec(r.body);
    assert.ok(link, 'a download link for the weights');
    const file = await request(ui.port, link[1]);
    assert.equal(file.status, 200);
    assert.equal(file.body, 'fixture weights bytes');
    assert.match(file.headers['content-disposition']!, /attachment; filename="weights.safetensors"/);
    assert.equal(file.headers['content-type'], 'application/octet-stream');
  });

  test('the runs page filters by status, study and text, sorts, groups by config and pages', async () => {
    const rows = (body: string) => [...body.matchAll(/<tr data-run="(\d+)">/g)].map((m) => Number(m[1]));
    const all = rows((await request(ui.port, '/runs')).body);
    assert.equal(all.length, 9);
    assert.deepEqual(all, [...all].sort((a, b) => b - a), 'newest first by default');
    assert.deepEqual(rows((await request(ui.port, '/runs?status=running')).body), [fx.running.id]);
    assert.equal(rows((await request(ui.port, `/runs?study=${fx.studyId}`)).body).length, 4);
    assert.deepEqual(rows((await request(ui.port, `/runs?q=tanh`)).body).sort(), [fx.runs[2].id, fx.runs[3].id].sort());
    const byAcc = rows((await request(ui.port, `/runs?study=${fx.studyId}&sort=val.accuracy&order=desc`)).body);
    assert.deepEqual(byAcc, [fx.runs[1].id, fx.runs[0].id, fx.runs[3].id, fx.runs[2].id]);
    const grouped = (await request(ui.port, `/runs?study=${fx.studyId}&group=config`)).body;
    assert.match(grouped, /<td>activation=relu<\/td>\s*<td class="num"><a href="\/compare\?runs=\d+,\d+">2<\/a><\/td>/);
    const paged = await request(ui.port, '/runs?page=2&sort=id&order=asc');
    assert.match(paged.body, /page 1 of 1/, 'a page past the end shows the last one');
  });

  test('compare overlays the picked runs and shows only the config fields that differ', async () => {
    const [a, , c] = fx.runs;
    const r = await request(ui.port, `/compare?runs=${a.id}&runs=${c.id}`);
    assert.equal(r.status, 200);
    const diff = /<section id="diff">([\s\S]*?)<\/section>/.exec(r.body)![1];
    assert.match(diff, /<code>model\.activation<\/code><\/td><td>&quot;relu&quot;<\/td><td>&quot;tanh&quot;<\/td>/);
    assert.doesNotMatch(diff, /training\.epochs/, 'equal fields are not listed');
    const plots = JSON.parse((await request(ui.port, `/api/compare/plots?runs=${a.id},${c.id}`)).body) as { spec: { data: { values: { config: string }[] } } }[];
    assert.deepEqual([...new Set(plots[0].spec.data.values.map((v) => v.config))], [`run ${a.id}: activation=relu`, `run ${c.id}: activation=tanh`]);
  });

  test('an unknown study, run or page is a 404 page that says what was not found', async () => {
    for (const [path, text] of [
      ['/studies/999', 'No study 999 in this store.'],
      ['/runs/12345', 'No run 12345 in this store.'],
      ['/runs/abc', 'No run abc in this store.'],
      ['/nowhere', 'No page at /nowhere.'],
    ]) {
      const r = await request(ui.port, path);
      assert.equal(r.status, 404, path);
      assert.ok(r.body.includes(text), `${path}: ${r.body}`);
      assert.doesNotMatch(r.body, /at .*\.js:\d+/, 'no stack trace');
    }
    assert.equal((await request(ui.port, '/api/runs/999')).status, 404);
  });

  test('the live token changes when a running run gains an epoch', async () => {
    const live = async () => JSON.parse((await request(ui.port, `/api/live?runs=${fx.running.id}`)).body) as { token: string; running: boolean };
    const before = await live();
    assert.equal(before.running, true);
    const { fixtureEpoch } = await import('../testing/web-fixture.js');
    await fx.store.addEpoch(fx.running.id, fixtureEpoch(2, 0.85));
    const now = await live();
    assert.notEqual(now.token, before.token);
    await fx.store.deleteEpochsFrom(fx.running.id, 2);
  });
});

describe('safety', () => {
  test('every response carries a CSP without inline scripts or eval, and nosniff', async () => {
    for (const path of ['/', '/static/app.js', '/nowhere', '/api/studies']) {
      const r = await request(ui.port, path);
      const csp = String(r.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    }
    const page = (await request(ui.port, '/')).body;
    assert.doesNotMatch(page, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline <script> in a page');
    assert.doesNotMatch(page, /\sstyle="|\son\w+="/, 'no inline styles or handlers');
  });

  test('a value from the store is rendered as text: a hostile study or config name stays text', async () => {
    const studies = (await request(ui.port, '/')).body;
    assert.ok(studies.includes('&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;'));
    assert.ok(!studies.includes(HOSTILE_NAME));
    const study = (await request(ui.port, `/studies/${fx.hostileId}`)).body;
    assert.ok(!study.includes(HOSTILE_NAME) && !study.includes('<b>64</b>'));
    assert.ok(study.includes('units=&lt;b&gt;64&lt;/b&gt;'));
  });

  test('a Host header other than the bound host is refused (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${ui.port}`, `127.0.0.1:${ui.port + 1}`, 'localhost', `localhost.evil.example:${ui.port}`]) {
      const r = await request(ui.port, '/', { headers: { host } });
      assert.equal(r.status, 421, host);
      assert.ok(!r.body.includes('activations'), 'nothing from the store');
    }
    for (const host of [`localhost:${ui.port}`, `127.0.0.1:${ui.port}`, `[::1]:${ui.port}`]) assert.equal((await request(ui.port, '/', { headers: { host } })).status, 200, host);
  });

  test('static and artifact paths cannot leave their folders, however they are spelled', async () => {
    const run = fx.runs[0].id;
    const artifact = (await fx.store.listArtifacts({ runId: run }))[0].id;
    const attempts = [
      '/static/../package.json',
      '/static/%2e%2e/package.json',
      '/static/%2e%2e%2fpackage.json',
      '/static/vendor/..%2f..%2f..%2fpackage.json',
      '/static/%2E%2E/%2E%2E/src/web/server.ts',
      '/static//etc/passwd',
      `/runs/${run}/artifacts/${artifact}/..%2f..%2fruns.db`,
      `/runs/${run}/artifacts/${artifact}/%2e%2e%2fruns.db`,
      `/runs/${run}/artifacts/${artifact}/../../runs.db`,
      `/runs/${run}/artifacts/${artifact}/%2fetc%2fpasswd`,
      `/runs/${run}/artifacts/${artifact}/config.json%00.txt`,
    ];
    for (const path of attempts) {
      const r = await request(ui.port, path);
      assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
      assert.ok(!r.body.includes('"dependencies"') && !r.body.includes('SQLite format') && !r.body.includes('root:'), `${path} leaked a file`);
    }
    // An artifact of another run is not served through this run's address.
    assert.equal((await request(ui.port, `/runs/${fx.runs[1].id}/artifacts/${artifact}/weights.safetensors`)).status, 404);
  });

  test('read-only: other methods are refused; the one action needs JSON and a matching Origin', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) assert.equal((await request(ui.port, '/runs', { method })).status, 405, method);
    assert.equal((await request(ui.port, '/runs', { method: 'POST', headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${ui.port}` }, body: '{}' })).status, 405);
    const action = (headers: Record<string, string>, body = '{"graceS": 3600}') => request(ui.port, '/api/actions/mark-crashed', { method: 'POST', headers, body });
    const origin = `http://127.0.0.1:${ui.port}`;
    assert.equal((await action({ 'content-type': 'text/plain', origin })).status, 403, 'a form post (not JSON)');
    assert.equal((await action({ 'content-type': 'application/json', origin: 'http://evil.example' })).status, 403, 'another origin');
    assert.equal((await action({ 'content-type': 'application/json' })).status, 403, 'no origin');
    const ok = await action({ 'content-type': 'application/json', origin });
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(JSON.parse(ok.body), { crashed: [] }, 'an hour of grace: the running run is alive');
    assert.equal((await fx.store.getRun(fx.running.id))!.status, 'running');
    assert.equal((await action({ 'content-type': 'application/json', origin }, '{"graceS": "soon"}')).status, 400);
  });
});

test('a store that fails while serving gives a 503 page saying why, and the server keeps serving', async () => {
  const { openSqliteStore } = await import('../store/sqlite.js');
  const store = await openSqliteStore(':memory:');
  const gone = await startDashboard({ store, port: 0 });
  try {
    assert.equal((await request(gone.port, '/')).status, 200);
    await store.close();
    const r = await request(gone.port, '/runs');
    assert.equal(r.status, 503);
    assert.match(r.body, /<p class="error">[^<]+<\/p>/);
    assert.doesNotMatch(r.body, /^\s+at /m, 'no stack trace');
    assert.equal((await request(gone.port, '/api/studies')).status, 503);
    assert.equal((await request(gone.port, '/static/style.css')).status, 200, 'still serving');
  } finally {
    await gone.close();
  }
});

describe('with a token', () => {
  test('every request needs it; ?token= sets a cookie and leaves the address bar; a write also needs the header', async () => {
    const tokened = await startDashboard({ store: fx.store, port: 0, token: 's3cret-token-123' });
    try {
      const port = tokened.port;
      assert.match(tokened.url, /\?token=s3cret-token-123$/);
      for (const path of ['/', '/static/app.js', '/api/studies', `/runs/${fx.runs[0].id}`]) assert.equal((await request(port, path)).status, 401, path);
      assert.equal((await request(port, '/?token=wrong-token-xyz')).status, 401);
      const first = await request(port, '/runs?status=running&token=s3cret-token-123');
      assert.equal(first.status, 303);
      assert.equal(first.headers.location, '/runs?status=running');
      const cookie = first.headers['set-cookie']![0];
      assert.match(cookie, /HttpOnly; SameSite=Strict/);
      const cookieHeader = cookie.split(';')[0];
      assert.equal((await request(port, '/', { headers: { cookie: cookieHeader } })).status, 200);
      assert.equal((await request(port, '/api/studies', { headers: { authorization: 'Bearer s3cret-token-123' } })).status, 200);
      const origin = `http://127.0.0.1:${port}`;
      const post = (headers: Record<string, string>) => request(port, '/api/actions/mark-crashed', { method: 'POST', headers: { 'content-type': 'application/json', origin, cookie: cookieHeader, ...headers }, body: '{"graceS": 3600}' });
      assert.equal((await post({})).status, 403, 'the cookie alone does not authorise a write');
      assert.equal((await post({ 'x-nnlab-token': 's3cret-token-123' })).status, 200);
    } finally {
      await tokened.close();
    }
  });

  test('a host other than loopback gets a token even when none is given', async () => {
    const open = await startDashboard({ store: fx.store, host: '0.0.0.0', port: 0 });
    try {
      assert.ok(open.token && open.token.length >= 16);
      assert.equal((await request(open.port, '/')).status, 401);
      assert.equal((await request(open.port, `/?token=${open.token}`)).status, 303);
    } finally {
      await open.close();
    }
  });
});
