// The PostgreSQL run store, for many workers sharing a study: a connection pool per store. Kysely's Migrator
// takes an advisory lock, so workers opening the same database at once migrate it once.
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { NnlabError } from '../engine/errors.js';
import { describe, KyselyRunStore, type DialectErrors } from './kysely-store.js';
import { checkNotNewer, migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

/** Seconds to wait for a connection, unless the URL says `?connect_timeout=N` (libpq's parameter). */
export const DEFAULT_CONNECT_TIMEOUT_S = 5;

const postgresErrors: DialectErrors = {
  isForeignKeyViolation: (e) => (e as { code?: unknown } | null)?.code === '23503',
  isUniqueViolation: (e) => (e as { code?: unknown } | null)?.code === '23505',
  now: () => sql<string>`to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  ago: (seconds) => sql<string>`to_char((clock_timestamp() - make_interval(secs => ${seconds})) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
};

/** The URL with its password (in the user part or a `password=` parameter) replaced by `***`. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*:)[^/?#]*@/i, '$1***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** Connects to `url` (postgres://user:password@host:port/database), checks the connection and migrates. */
export async function openPostgresStore(url: string): Promise<KyselyRunStore> {
  const shown = maskUrl(url);
  const timeoutS = Number(/[?&]connect_timeout=([\d.]+)/.exec(url)?.[1] ?? DEFAULT_CONNECT_TIMEOUT_S);
  let db: Kysely<Database> | undefined;
  try {
    const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: Math.max(1, timeoutS * 1000), max: 4 });
    // An idle connection that drops (server restart) is reported by the next query, not as a crash.
    pool.on('error', () => {});
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await sql`select 1`.execute(db);
  } catch (e) {
    await db?.destroy();
    throw new NnlabError(`cannot connect to run store ${shown}: ${describe(e)}`);
  }
  try {
    const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(db).then((r) => r.rows.map((row) => row.name), () => []);
    checkNotNewer(applied, shown, 'postgres');
  } catch (e) {
    await db.destroy();
    throw e;
  }
  const { error } = await new Migrator({ db, provider: migrationProvider('postgres') }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw new NnlabError(`cannot prepare the tables of run store ${shown}: ${describe(error)}`);
  }
  return new KyselyRunStore(shown, db, postgresErrors);
}
