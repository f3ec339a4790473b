// Opening a run store from what the user wrote (`--store`): a file path or sqlite:PATH for SQLite (the default
// .nnlab/runs.db), postgres:// or postgresql:// for PostgreSQL. Tables are created or migrated on open.
import { NnlabError } from '../engine/errors.js';
import { maskUrl, openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { RunStore } from './types.js';

/** The default store: a SQLite file under the current folder. */
export const DEFAULT_STORE_PATH = '.nnlab/runs.db';

const ACCEPTED =
  'accepted: a file path (e.g. .nnlab/runs.db), sqlite:PATH (e.g. sqlite:/data/runs.db), ' +
  'postgres://user:password@host:port/database (or postgresql://...)';

/**
 * Opens the store at `url` (default DEFAULT_STORE_PATH). Throws an NnlabError naming the store (password
 * masked) and the reason when it cannot be opened or reached (PostgreSQL: within a few seconds).
 */
export async function openStore(url: string = DEFAULT_STORE_PATH): Promise<RunStore> {
  if (/^postgres(ql)?:\/\//i.test(url)) return openPostgresStore(url);
  const sqlitePath = /^sqlite:/i.test(url) ? url.slice('sqlite:'.length) : url;
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(sqlitePath)?.[1]; // one letter would be a Windows drive
  if (scheme || sqlitePath.startsWith('//')) {
    throw new NnlabError(`unsupported run store '${maskUrl(url)}'; ${ACCEPTED}`);
  }
  if (sqlitePath.trim() === '') throw new NnlabError(`run store: empty path; ${ACCEPTED}`);
  return openSqliteStore(sqlitePath);
}
