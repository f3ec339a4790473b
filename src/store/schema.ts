// The run store's tables as Kysely sees them: one typed description shared by SQLite and PostgreSQL.
// Columns are snake_case; JSON columns hold JSON text (see json.ts), timestamps ISO 8601 text (they sort as
// text), so both databases store and return exactly the same values.
import type { Generated } from 'kysely';

export interface StudiesTable {
  id: Generated<number>;
  name: string;
  file: string | null;
  /** JSON. */
  experiment: string;
  created_at: string;
  /** JSON: the baselines scored on the study's splits, or null. */
  baselines: string | null;
  /** 'study' or 'tune'; null in stores written before tuning (read as 'study'). */
  kind: string | null;
  /**
   * How processes find the open study they share: a search's key (its experiment but for the budget) or a
   * study's (its file and experiment); null in stores written before studies had one.
   */
  search_key: string | null;
  /** 1 once the study is no longer open: a newer study of the same search replaced it (--fresh), or a study ended. */
  superseded: Generated<number>;
  /** JSON: the looks at the study's test set, in order (TestLook[]), or null for none. */
  test_looks: string | null;
}

export interface RunsTable {
  id: Generated<number>;
  study_id: number | null;
  label: string;
  /** JSON: the study factor values by field path. */
  factor_values: string;
  /** JSON. */
  config: string;
  /** bigint: PostgreSQL's driver returns it as a string. */
  seed: number | string;
  repeat_index: number;
  /** The tuner's trial number, or null. */
  trial: number | null;
  /** The trial number a retry repeats (a crashed trial, queued again once), or null. */
  retry_of: number | null;
  /** The study cell (config) this run repeats: its index in the experiment's cells; null outside a study's cells. */
  cell: number | null;
  /** The last sign of life of a running run, by the database's clock (ISO 8601). */
  heartbeat_at: string | null;
  status: string;
  message: string | null;
  started_at: string;
  ended_at: string | null;
  wall_time_s: number | null;
  /** JSON. */
  environment: string;
  /** JSON: final metrics by split. */
  metrics: string;
}

export interface EpochsTable {
  run_id: number;
  epoch: number;
  /** JSON. */
  train: string;
  /** JSON, or null without validation data. */
  val: string | null;
  /** Numbers; null stands for NaN (SQLite stores NaN as NULL). */
  lr: number | null;
  time_s: number | null;
  train_time_s: number | null;
  samples_per_s: number | null;
  /** When the epoch was stored: how markStaleRuns tells a crashed run from a live one. */
  created_at: string;
}

export interface ArtifactsTable {
  id: Generated<number>;
  run_id: number | null;
  study_id: number | null;
  kind: string;
  path: string;
  created_at: string;
  /** Hex sha256 of the artifact (a folder: of its files' names and contents), or null. */
  sha256: string | null;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  studies: StudiesTable;
  runs: RunsTable;
  epochs: EpochsTable;
  artifacts: ArtifactsTable;
  meta: MetaTable;
}
