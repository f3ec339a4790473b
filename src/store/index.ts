// The run store: studies, runs, epochs and artifacts in SQLite (default) or PostgreSQL, behind one interface.
export { openStore, DEFAULT_STORE_PATH, type OpenStoreOptions } from './open.js';
export { maskUrl, DEFAULT_CONNECT_TIMEOUT_S } from './postgres.js';
export { END_STATUSES } from './kysely-store.js';
export type * from './types.js';
