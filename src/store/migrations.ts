// The run store's migrations: one list for both databases, run by Kysely's Migrator when a store opens.
// Append new migrations with the next number; never edit one that has shipped. The only dialect difference is
// how an auto-numbered id column is spelled.
import { randomUUID } from 'node:crypto';
import { NnlabError } from '../engine/errors.js';
import { sql, type CreateTableBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type StoreDialect = 'sqlite' | 'postgres';

/** The migrations, by name (the Migrator runs them in name order). */
export function migrations(dialect: StoreDialect): Record<string, Migration> {
  /** An auto-numbered primary key that never reuses the ids of deleted rows. */
  const withId = <T extends string>(table: CreateTableBuilder<T, never>) =>
    dialect === 'postgres'
      ? table.addColumn('id', 'serial', (c) => c.primaryKey())
      : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  return {
    '0001_initial': {
      async up(db: Kysely<any>) {
        await withId(db.schema.createTable('studies'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('file', 'text')
          .addColumn('experiment', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('studies_name').on('studies').column('name').execute();

        await withId(db.schema.createTable('runs'))
          .addColumn('study_id', 'integer', (c) => c.references('studies.id').onDelete('cascade'))
          .addColumn('label', 'text', (c) => c.notNull())
          .addColumn('factor_values', 'text', (c) => c.notNull())
          .addColumn('config', 'text', (c) => c.notNull())
          .addColumn('seed', 'bigint', (c) => c.notNull())
          .addColumn('repeat_index', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('message', 'text')
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('ended_at', 'text')
          .addColumn('wall_time_s', 'double precision')
          .addColumn('environment', 'text', (c) => c.notNull())
          .addColumn('metrics', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('runs_study').on('runs').column('study_id').execute();
        await db.schema.createIndex('runs_status').on('runs').column('status').execute();

        await db.schema
          .createTable('epochs')
          .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.id').onDelete('cascade'))
          .addColumn('epoch', 'integer', (c) => c.notNull())
          .addColumn('train', 'text', (c) => c.notNull())
          .addColumn('val', 'text')
          .addColumn('lr', 'double precision')
          .addColumn('time_s', 'double precision')
          .addColumn('train_time_s', 'double precision')
          .addColumn('samples_per_s', 'double precision')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('epochs_pk', ['run_id', 'epoch'])
          .execute();

        await withId(db.schema.createTable('artifacts'))
          .addColumn('run_id', 'integer', (c) => c.references('runs.id').onDelete('cascade'))
          .addColumn('study_id', 'integer', (c) => c.references('studies.id').onDelete('cascade'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('path', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('artifacts_run').on('artifacts').column('run_id').execute();
        await db.schema.createIndex('artifacts_study').on('artifacts').column('study_id').execute();
      },
    },
    '0002_study_baselines': {
      async up(db: Kysely<any>) {
        // JSON: the baselines scored on the study's splits (setStudyBaselines), null until then.
        await db.schema.alterTable('studies').addColumn('baselines', 'text').execute();
      },
    },
    '0003_tuner': {
      async up(db: Kysely<any>) {
        // A study's kind ('study' or 'tune'; null before this migration, read as 'study') and the trial number
        // of a tuner's runs (null outside a search).
        await db.schema.alterTable('studies').addColumn('kind', 'text').execute();
        await db.schema.alterTable('runs').addColumn('trial', 'integer').execute();
        await db.schema.createIndex('runs_study_trial').on('runs').columns(['study_id', 'trial']).execute();
      },
    },
    '0004_workers': {
      async up(db: Kysely<any>) {
        // Many workers on one store: a heartbeat per running run (the database's clock), the trial a retry
        // repeats, one run per (study, trial, execution) and one retry per crashed trial (the claims), a search
        // study found by its key (one open study per name and key; --fresh supersedes it), the store's own id
        // (its artifacts folder) and each artifact's sha256.
        await db.schema.alterTable('runs').addColumn('heartbeat_at', 'text').execute();
        await db.schema.alterTable('runs').addColumn('retry_of', 'integer').execute();
        await db.schema.createIndex('runs_trial_claim').unique().on('runs').columns(['study_id', 'trial', 'repeat_index']).execute();
        await db.schema.createIndex('runs_retry_claim').unique().on('runs').columns(['study_id', 'retry_of', 'repeat_index']).execute();
        await db.schema.alterTable('studies').addColumn('search_key', 'text').execute();
        await db.schema.alterTable('studies').addColumn('superseded', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.createIndex('studies_open_search').unique().on('studies').columns(['name', 'search_key']).where(sql.ref('superseded'), '=', 0).execute();
        await db.schema.createTable('meta').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();
        await db.insertInto('meta').values({ key: 'store_id', value: randomUUID() }).execute();
        await db.schema.alterTable('artifacts').addColumn('sha256', 'text').execute();
      },
    },
    '0005_study_claims': {
      async up(db: Kysely<any>) {
        // Any number of processes on one study: each run of a study is claimed by its config (the cell's index in
        // the experiment) and repeat, once, as trials are; a study is found by its key while it is open (the
        // search_key column, kept for searches and studies alike); the looks at its test set, in order (JSON).
        await db.schema.alterTable('runs').addColumn('cell', 'integer').execute();
        await db.schema.createIndex('runs_cell_claim').unique().on('runs').columns(['study_id', 'cell', 'repeat_index']).execute();
        await db.schema.alterTable('studies').addColumn('test_looks', 'text').execute();
      },
    },
  };
}

/** The migrations as a provider for Kysely's Migrator. */
export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}

/**
 * Refuses a store that a newer nnlab migrated: its applied migrations (`applied`, by name) include ones this
 * nnlab does not know, so its tables may hold what this version would misread or break.
 */
export function checkNotNewer(applied: readonly string[], shown: string, dialect: StoreDialect): void {
  const known = Object.keys(migrations(dialect));
  const unknown = applied.filter((name) => !known.includes(name)).sort();
  if (unknown.length === 0) return;
  throw new NnlabError(
    `run store ${shown} was written by a newer nnlab (it has migration${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; ` +
      `this nnlab knows up to ${known[known.length - 1]}): upgrade nnlab to use it`,
  );
}
