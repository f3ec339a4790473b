// The PostgreSQL store against a real server this test starts (src/testing/postgres-server.ts): the
// conformance suite on a fresh database per test, plus connection errors (refused, silent server, no such
// database or role), reported quickly, naming the URL with its password masked.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { NnlabError } from '../engine/errors.js';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { runInput, runStoreConformance } from './conformance.js';
import { openStore } from './open.js';
import { DEFAULT_CONNECT_TIMEOUT_S } from './postgres.js';

let server: PostgresServer;
before(async () => {
  server = await startPostgres(); // fails (never skips) without the binaries, saying how to install them
});
after(async () => {
  await server?.stop();
});
let count = 0;

runStoreConformance('PostgreSQL', async () => {
  const url = await server.createDatabase(`conformance_${count++}`);
  return { open: () => openStore(url) };
});

/** Expects openStore(url) to fail with an NnlabError matching every pattern and never showing the password. */
async function failsToOpen(url: string, ...patterns: RegExp[]): Promise<number> {
  const start = Date.now();
  await assert.rejects(openStore(url), (e: unknown) => {
    assert.ok(e instanceof NnlabError, String(e));
    for (const re of patterns) assert.match(e.message, re);
    assert.doesNotMatch(e.message, /s3cret/);
    return true;
  });
  return (Date.now() - start) / 1000;
}

describe('PostgreSQL store', () => {
  test('postgresql:// URLs work too; url is the one given; seeds beyond 32 bits survive', async () => {
    const url = (await server.createDatabase('scheme')).replace(/^postgres:/, 'postgresql:');
    const store = await openStore(url);
    try {
      assert.equal(store.url, url);
      const run = await store.createRun(runInput(null, { seed: 2 ** 40 + 1 }));
      assert.equal((await store.getRun(run.id))?.seed, 2 ** 40 + 1);
    } finally {
      await store.close();
    }
  });

  test('a refused connection: a quick error naming the masked URL and the reason', async () => {
    const port = await closedPort();
    const seconds = await failsToOpen(`postgres://nnlab:s3cret@127.0.0.1:${port}/runs`, new RegExp(`cannot connect to run store postgres://nnlab:\\*\\*\\*@127.0.0.1:${port}/runs: `), /ECONNREFUSED/);
    assert.ok(seconds < 3, `took ${seconds} s`);
  });

  test('a server that never answers: a timeout after the default connect timeout, or connect_timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    try {
      const quick = await failsToOpen(`postgres://nnlab:s3cret@127.0.0.1:${port}/runs?connect_timeout=1`, /cannot connect to run store/, /timeout/i);
      assert.ok(quick >= 0.9 && quick < 3, `took ${quick} s`);
      const usual = await failsToOpen(`postgres://nnlab:s3cret@127.0.0.1:${port}/runs`, /timeout/i);
      assert.ok(usual >= DEFAULT_CONNECT_TIMEOUT_S - 0.5 && usual < DEFAULT_CONNECT_TIMEOUT_S + 3, `took ${usual} s`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  test('a database or role that does not exist: the server says which', async () => {
    const base = new URL(server.url);
    await failsToOpen(`postgres://nnlab@${base.host}/nope`, /database "nope" does not exist/);
    await failsToOpen(`postgres://ghost:s3cret@${base.host}/nnlab_test`, /ghost:\*\*\*@/, /role "ghost" does not exist/);
  });
});

/** A port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
