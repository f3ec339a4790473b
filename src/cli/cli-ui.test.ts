// `nnlab ui` as a user starts it: it prints its address and serves until Ctrl-C; a port in use, a store that
// cannot be opened, a store from a newer nnlab and bad options exit non-zero with one clear line, no stack.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { packageRoot } from '../engine/native.js';
import { openStore } from '../store/index.js';
import { startUi } from '../testing/ui-process.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cli-ui-'));
const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };
after(() => rmSync(work, { recursive: true, force: true }));

function nnlab(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
}

function assertOneLine(stderr: string, pattern: RegExp) {
  assert.match(stderr, pattern);
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
}

test('nnlab ui prints its address, serves the store and stops on Ctrl-C', async () => {
  const storeFile = path.join(work, 'served.db');
  const store = await openStore(storeFile);
  await store.createStudy({ name: 'served-study', file: null, experiment: {} });
  await store.close();
  const { url, stop } = await startUi(['--store', storeFile, '--port', '0'], { cwd: work, env });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await (await fetch(url)).text();
  assert.match(page, /served-study/);
  assert.equal(await stop('SIGINT'), 0);
});

test('a host other than loopback: a warning, and an address with its token', async () => {
  const { url, stderr, stop } = await startUi(['--store', path.join(work, 'open.db'), '--port', '0', '--host', '0.0.0.0'], { cwd: work, env });
  try {
    assert.match(url, /\?token=[\w-]{16,}$/);
    assert.match(stderr(), /WARNING: serving on 0\.0\.0\.0, reachable from other machines/);
    const bare = new URL(url);
    bare.search = '';
    assert.equal((await fetch(bare)).status, 401);
    assert.equal((await fetch(url, { redirect: 'manual' })).status, 303);
  } finally {
    await stop('SIGTERM');
  }
});

test('a port in use exits 1 saying so', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const r = nnlab(['ui', '--store', path.join(work, 'busy.db'), '--port', String(port)]);
    assert.equal(r.status, 1, r.stderr);
    assertOneLine(r.stderr, new RegExp(`nnlab: cannot serve on 127\\.0\\.0\\.1:${port}: the port is in use \\(choose another with --port\\)`));
  } finally {
    blocker.close();
  }
});

test('a store that cannot be opened, a newer store and bad options exit 2 with a clear message', () => {
  const folder = mkdtempSync(path.join(work, 'a-folder-'));
  let r = nnlab(['ui', '--store', folder, '--port', '0']);
  assert.equal(r.status, 2);
  assertOneLine(r.stderr, /nnlab: --store: cannot open run store sqlite:.*it is a folder, not a file/);

  const newer = path.join(work, 'newer.db');
  spawnSync(process.execPath, [cli, 'runs', '--store', newer], { cwd: work, env });
  const raw = new Sqlite(newer);
  raw.prepare(`insert into kysely_migration (name, timestamp) values ('0099_future', '2030-01-01T00:00:00.000Z')`).run();
  raw.close();
  r = nnlab(['ui', '--store', newer, '--port', '0']);
  assert.equal(r.status, 2);
  assertOneLine(r.stderr, /was written by a newer nnlab .*upgrade nnlab/);

  r = nnlab(['ui', '--port', 'eighty']);
  assert.equal(r.status, 2);
  assertOneLine(r.stderr, /nnlab: --port: expected a port number 0-65535, got 'eighty'/);
  r = nnlab(['ui', '--host', 'no-such-host.invalid', '--port', '0', '--store', path.join(work, 'x.db')]);
  assert.equal(r.status, 1);
  assertOneLine(r.stderr, /nnlab: cannot serve on no-such-host\.invalid:0: no such address on this machine \(--host\)/);
});
