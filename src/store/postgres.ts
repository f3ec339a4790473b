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
  transient: postgresTransient,
};

/** Codes of a connection that could not be made: the statement never reached the server. */
const UNSENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', '57P03' /* cannot_connect_now: starting up */, '08001', '08004']);
/**
 * Codes of a connection lost while a statement may have been running: a server shutting down (57P01, 57P02),
 * a connection reset or broken.
 */
const AMBIGUOUS_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '08000', '08003', '08006']);

/** Whether a driver error is an outage (see DialectErrors.transient). */
export function postgresTransient(e: unknown): 'unsent' | 'ambiguous' | null {
  if (e instanceof AggregateError) {
    const kinds = e.errors.map(postgresTransient);
    return kinds.length > 0 && kinds.every((k) => k === 'unsent') ? 'unsent' : kinds.some((k) => k !== null) ? 'ambiguous' : null;
  }
  const code = String((e as { code?: unknown } | null)?.code ?? '');
  if (UNSENT_CODES.has(code)) return 'unsent';
  if (AMBIGUOUS_CODES.has(code)) return 'ambiguous';
  const message = e instanceof Error ? e.message : '';
  // pg's own words: a pool that could not connect in time, or a client whose connection went away.
  if (/timeout exceeded when trying to connect|Connection terminated due to connection timeout/i.test(message)) return 'unsent';
  if (/Connection terminated|Client has encountered a connection error|connection is closed/i.test(message)) return 'ambiguous';
  return null;
}

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
    // A connection that drops (a server restart, a network cut) is reported by the query that uses it, which
    // the store retries (kysely-store.ts), not as a crash: idle clients report to the pool, and a client in use
    // emits 'error' beside failing its query, which would be an uncaught exception without a listener.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
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
