// Opening a run store from what the user wrote (`--store`): a file path or sqlite:PATH for SQLite (the default
// .nnlab/runs.db), postgres:// or postgresql:// for PostgreSQL. Tables are created or migrated on open; a SQLite
// file's folder is created too unless the caller asks not to (the CLI does, for any folder but its own).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { NnlabError } from '../engine/errors.js';
import { maskUrl, openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { RunStore } from './types.js';

/** The default store: a SQLite file under the current folder. */
export const DEFAULT_STORE_PATH = '.nnlab/runs.db';

const ACCEPTED =
  'accepted: a file path (e.g. .nnlab/runs.db), sqlite:PATH (e.g. sqlite:/data/runs.db), ' +
  'postgres://user:password@host:port/database (or postgresql://...)';

export interface OpenStoreOptions {
  /**
   * Whether a SQLite file's missing folder is created (default true). The CLI creates only nnlab's own folder:
   * a store path in a folder that does not exist is more often a typo than a wish, and creating it would
   * quietly hand back an empty store.
   */
  createFolder?: boolean;
}

/**
 * Opens the store at `url` (default DEFAULT_STORE_PATH). Throws an NnlabError naming the store (password
 * masked) and the reason when it cannot be opened or reached (PostgreSQL: within a few seconds).
 */
export async function openStore(url: string = DEFAULT_STORE_PATH, options: OpenStoreOptions = {}): Promise<RunStore> {
  if (/^postgres(ql)?:\/\//i.test(url)) return openPostgresStore(url);
  const sqlitePath = /^sqlite:/i.test(url) ? url.slice('sqlite:'.length) : url;
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(sqlitePath)?.[1]; // one letter would be a Windows drive
  if (scheme || sqlitePath.startsWith('//')) {
    throw new NnlabError(`unsupported run store '${maskUrl(url)}'; ${ACCEPTED}`);
  }
  if (sqlitePath.trim() === '') throw new NnlabError(`run store: empty path; ${ACCEPTED}`);
  if (options.createFolder === false && sqlitePath !== ':memory:') {
    const file = path.resolve(sqlitePath);
    if (!existsSync(path.dirname(file))) {
      throw new NnlabError(`cannot open run store sqlite:${file}: the folder ${path.dirname(file)} does not exist (a typo?); create it first`);
    }
  }
  return openSqliteStore(sqlitePath);
}
