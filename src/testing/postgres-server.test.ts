// The throwaway PostgreSQL server: it starts, serves on its port and its own socket folder, and stop() leaves
// nothing behind; without the binaries it fails saying how to install them.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import pg from 'pg';
import { findPostgresBinaries, startPostgres } from './postgres-server.js';

test('without server binaries: an error with the fix, not a skip', async () => {
  assert.throws(() => findPostgresBinaries('/nonexistent'), /not found .*bash scripts\/setup\.sh --dev/);
  await assert.rejects(startPostgres({ root: '/nonexistent' }), /bash scripts\/setup\.sh --dev/);
});

test('starts a server with a database, its socket in its own temp folder; stop removes it all', async () => {
  const server = await startPostgres();
  const url = new URL(server.url);
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const { rows } = await client.query('select current_database() as db, current_setting($1) as sockets', ['unix_socket_directories']);
  await client.end();
  assert.equal(rows[0].db, 'nnlab_test');
  const socketDir = rows[0].sockets as string;
  assert.match(socketDir, /nnlab-pg-/);
  assert.ok(readdirSync(socketDir).includes(`.s.PGSQL.${url.port}`));
  const other = await server.createDatabase('second');
  assert.equal(new URL(other).pathname, '/second');
  await server.stop();
  await server.stop();
  assert.equal(existsSync(socketDir), false);
  await assert.rejects(new pg.Client({ connectionString: server.url }).connect(), /ECONNREFUSED/);
});
