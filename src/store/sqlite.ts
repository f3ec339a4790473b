// The SQLite run store (the default): one file, created with its folders on first use, in WAL mode so readers
// never block the writer and several processes can share it (a writer waits up to BUSY_TIMEOUT_MS for another).
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { NnlabError } from '../engine/errors.js';
import { describe, KyselyRunStore, type DialectErrors } from './kysely-store.js';
import { checkNotNewer, migrationProvider, migrations } from './migrations.js';
import type { Database } from './schema.js';

const BUSY_TIMEOUT_MS = 5000;

const sqliteErrors: DialectErrors = {
  isForeignKeyViolation: (e) => code(e) === 'SQLITE_CONSTRAINT_FOREIGNKEY',
  isUniqueViolation: (e) => code(e) === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code(e) === 'SQLITE_CONSTRAINT_UNIQUE',
  now: () => sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  ago: (seconds) => sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${`-${seconds} seconds`})`,
  // Another process holding the write lock past the busy timeout: the statement did not run.
  transient: (e) => (code(e) === 'SQLITE_BUSY' || code(e) === 'SQLITE_LOCKED' ? 'unsent' : null),
};

/** Opens (creating if needed) the SQLite store at `file` (':memory:' for a private in-memory one) and migrates it. */
export async function openSqliteStore(file: string): Promise<KyselyRunStore> {
  const path = file === ':memory:' ? file : resolve(file);
  const url = `sqlite:${path}`;
  let raw: Sqlite.Database | undefined;
  try {
    if (path !== ':memory:') {
      if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new Error('it is a folder, not a file');
      mkdirSync(dirname(path), { recursive: true });
    }
    raw = new Sqlite(path, { timeout: BUSY_TIMEOUT_MS });
    raw.pragma('journal_mode = WAL'); // the first read: fails here for a file that is not a database
    raw.pragma('synchronous = NORMAL'); // with WAL: durable across a process crash, fast
    raw.pragma('foreign_keys = ON'); // better-sqlite3's default; said here as deleteStudy relies on its cascades
  } catch (e) {
    raw?.close();
    throw new NnlabError(`cannot open run store ${url}: ${describe(e)}`);
  }
  try {
    checkNotNewer(appliedMigrations(raw), url, 'sqlite');
  } catch (e) {
    raw.close();
    throw e;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  try {
    if (pendingMigrations(raw)) await migrateExclusively(raw, db);
  } catch (e) {
    await db.destroy();
    throw new NnlabError(`cannot prepare the tables of run store ${url}: ${describe(e)}`);
  }
  return new KyselyRunStore(url, db, sqliteErrors);
}

/** The names of the migrations the file has (none for a new file). */
function appliedMigrations(raw: Sqlite.Database): string[] {
  const hasTable = raw.prepare(`select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'`).get();
  return hasTable ? (raw.prepare('select name from kysely_migration').pluck().all() as string[]) : [];
}

/** Whether the file lacks any of our migrations (checked synchronously, without taking a lock). */
function pendingMigrations(raw: Sqlite.Database): boolean {
  const done = new Set(appliedMigrations(raw));
  return Object.keys(migrations('sqlite')).some((name) => !done.has(name));
}

/** Serializes this process's migrations: two connections must not wait on each other's write lock in one thread. */
let migrationQueue: Promise<void> = Promise.resolve();

/**
 * Runs the migrations inside one `BEGIN IMMEDIATE` transaction: it takes the file's write lock first, so other
 * processes migrating the same file wait, and a failed migration leaves nothing behind. (Kysely's SQLite
 * adapter takes no lock and no transaction of its own; its queries run on this same connection.)
 */
async function migrateExclusively(raw: Sqlite.Database, db: Kysely<Database>): Promise<void> {
  const previous = migrationQueue;
  let release!: () => void;
  migrationQueue = new Promise((r) => (release = r));
  await previous;
  try {
    raw.exec('BEGIN IMMEDIATE');
    const { error } = await new Migrator({ db, provider: migrationProvider('sqlite') }).migrateToLatest();
    if (error) {
      raw.exec('ROLLBACK');
      throw error;
    }
    raw.exec('COMMIT');
  } finally {
    release();
  }
}

function code(e: unknown): unknown {
  return (e as { code?: unknown } | null)?.code;
}
