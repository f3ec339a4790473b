// The PostgreSQL store against a real server this test starts (src/testing/postgres-server.ts): the
// conformance suite on a fresh database per test, plus connection errors (refused, silent server, no such
// database or role), reported quickly, naming the URL with its password masked, and outages ridden out.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { NnlabError } from '../engine/errors.js';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { epochLog, runInput, runStoreConformance } from '../testing/store-conformance.js';
import { startTcpProxy } from '../testing/tcp-proxy.js';
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

  test('an outage of 1.5 s: writes made during it wait, reconnect and land once, in order; a longer one fails naming it', async () => {
    const target = new URL(await server.createDatabase('outage'));
    const proxy = await startTcpProxy(Number(target.port));
    const url = `postgres://${target.username}@127.0.0.1:${proxy.port}${target.pathname}`;
    const store = await openStore(url);
    try {
      const run = await store.createRun(runInput(null));
      await store.addEpoch(run.id, epochLog(0));
      const down = proxy.outage(1500);
      await new Promise((r) => setTimeout(r, 50));
      // Written while the server is unreachable: each waits for it, then lands, in the order asked.
      const writes = [1, 2, 3].map((e) => store.addEpoch(run.id, epochLog(e)));
      const beat = store.heartbeat(run.id);
      await down;
      await Promise.all(writes);
      assert.equal(await beat, true);
      assert.ok(proxy.dropped() > 0, 'the outage dropped live connections');
      assert.deepEqual((await store.getEpochs(run.id)).map((e) => e.epoch), [0, 1, 2, 3]);
      const done = await store.finishRun(run.id, { status: 'completed', message: null, wallTimeS: 2, metrics: {} });
      assert.equal(done.status, 'completed');
    } finally {
      await store.close();
    }
    const impatient = new KyselyRunStoreWithRetry(url, 0.5);
    const store2 = await impatient.open();
    try {
      const run = await store2.createRun(runInput(null));
      const down = proxy.outage(2000);
      await new Promise((r) => setTimeout(r, 50));
      await assert.rejects(store2.addEpoch(run.id, epochLog(0)), /cannot add an epoch: .*unreachable for 0\.\d s, tried \d+ times/);
      await down;
    } finally {
      await store2.close();
      await proxy.close();
    }
  });
});

/** Opens stores with NNLAB_STORE_RETRY_S set to `seconds` (the retry window is read when a store is made). */
class KyselyRunStoreWithRetry {
  constructor(
    private readonly url: string,
    private readonly seconds: number,
  ) {}
  async open() {
    const before = process.env.NNLAB_STORE_RETRY_S;
    process.env.NNLAB_STORE_RETRY_S = String(this.seconds);
    try {
      return await openStore(this.url);
    } finally {
      if (before === undefined) delete process.env.NNLAB_STORE_RETRY_S;
      else process.env.NNLAB_STORE_RETRY_S = before;
    }
  }
}

/** A port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
