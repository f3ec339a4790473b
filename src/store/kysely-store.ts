// The run store over Kysely, shared by SQLite and PostgreSQL: every query is written once here; sqlite.ts and
// postgres.ts only open the connection and say how their driver reports constraint errors.
//
// Every write is ONE SQL statement (an insert, an `insert … select`, an update or a cascading delete), so each
// call is atomic without explicit transactions, and concurrent writers (other processes, other pools, a second
// SQLite connection in the same process) never hold a lock across an await.
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import { NnlabError, unknownName } from '../engine/errors.js';
import type { EpochLog, Logs } from '../record/history.js';
import { fromJson, toJson } from './json.js';
import { storeRetrySeconds } from './liveness.js';
import type { Database, EpochsTable, RunsTable, StudiesTable, ArtifactsTable } from './schema.js';
import { TrialTakenError, type ArtifactRecord, type FinalMetrics, type NewRun, type RunEnvironment, type RunFilter, type RunRecord, type RunStore, type StoredRunStatus, type StudyKind, type StudyRecord, type TestLook, type TrialRun } from './types.js';

/** How a dialect's driver reports constraint violations, and its clock (ISO 8601 text, as JS writes it). */
export interface DialectErrors {
  isForeignKeyViolation(e: unknown): boolean;
  isUniqueViolation(e: unknown): boolean;
  /** The database's time now. */
  now(): RawBuilder<string>;
  /** The database's time `seconds` ago. */
  ago(seconds: number): RawBuilder<string>;
  /**
   * Whether an error is the store being unreachable for a while (a restart, a dropped connection, a busy lock):
   * 'unsent' when the statement surely did not run (safe to retry anything), 'ambiguous' when it may have run
   * (retried only where running it twice changes nothing), null for any other error.
   */
  transient(e: unknown): 'unsent' | 'ambiguous' | null;
}

/** How a call is retried through an outage: any statement that may run twice ('idempotent'), or only one surely never sent ('once'). */
type RetryMode = 'idempotent' | 'once';

/** How a run can end (finishRun's statuses). */
export const END_STATUSES = ['completed', 'stopped', 'diverged', 'interrupted', 'pruned', 'failed'] as const;
const STATUSES: readonly string[] = ['running', ...END_STATUSES, 'crashed'];
const STUDY_KINDS: readonly StudyKind[] = ['study', 'tune'];

/** A readable reason from a driver error (Node reports a refused dual-stack connect as an AggregateError). */
export function describe(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return [...new Set(e.errors.map(describe))].join('; ');
  if (e instanceof Error) return e.message || String((e as { code?: unknown }).code ?? e.name);
  return String(e);
}

export class KyselyRunStore implements RunStore {
  #closed = false;

  /** `url` is for display (passwords masked). */
  /**
   * `url` is for display (passwords masked). `retryS`: how long a call keeps retrying while the store is
   * unreachable before it fails (default: NNLAB_STORE_RETRY_S, else 60 s).
   */
  constructor(
    readonly url: string,
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectErrors,
    private readonly retryS: number = storeRetrySeconds(),
  ) {}

  async createStudy(study: { name: string; file: string | null; experiment: unknown; kind?: StudyKind }): Promise<StudyRecord> {
    requireText(study.name, 'study name');
    const kind = study.kind ?? 'study';
    if (!STUDY_KINDS.includes(kind)) throw unknownName('kind', 'study kind', kind, STUDY_KINDS);
    const values = { name: study.name, file: study.file ?? null, experiment: toJson(study.experiment, 'study.experiment'), created_at: now(), kind };
    const row = await this.#query('create a study', () => this.db.insertInto('studies').values(values).returningAll().executeTakeFirstOrThrow(), undefined, 'once');
    return toStudy(row);
  }

  /**
   * The open study of this name, kind and key, or a new one: an insert that the unique index on (name, key) of
   * open studies lets through once, so concurrent processes all end up with the one that won. `fresh` first
   * marks the open one superseded.
   */
  async openStudy(study: { name: string; file: string | null; experiment: unknown; key: string; kind?: StudyKind; fresh?: boolean }): Promise<{ study: StudyRecord; created: boolean }> {
    requireText(study.name, 'study name');
    requireText(study.key, 'study key');
    const kind = study.kind ?? 'tune';
    if (!STUDY_KINDS.includes(kind)) throw unknownName('kind', 'study kind', kind, STUDY_KINDS);
    const find = () =>
      this.db.selectFrom('studies').selectAll().where('name', '=', study.name).where('search_key', '=', study.key).where('superseded', '=', 0).executeTakeFirst();
    if (study.fresh) {
      await this.#query('supersede a study', () =>
        this.db.updateTable('studies').set({ superseded: 1 }).where('name', '=', study.name).where('search_key', '=', study.key).where('superseded', '=', 0).execute(),
      );
    } else {
      const found = await this.#query('find a study', find);
      if (found) return { study: toStudy(found), created: false };
    }
    const values = { name: study.name, file: study.file ?? null, experiment: toJson(study.experiment, 'study.experiment'), created_at: now(), kind, search_key: study.key };
    // An insert that loses the race to another process's (the unique index of open studies) finds theirs.
    const row = await this.#query(
      'create a study',
      () => this.db.insertInto('studies').values(values).returningAll().executeTakeFirstOrThrow().catch((e: unknown) => (this.dialect.isUniqueViolation(e) ? null : Promise.reject(e))),
      undefined,
      'once',
    );
    if (row) return { study: toStudy(row), created: true };
    const found = await this.#query('find a study', find);
    if (!found) throw new NnlabError(`run store ${this.url}: the study ${study.name} was created and closed meanwhile; run again`);
    return { study: toStudy(found), created: false };
  }

  async closeStudy(studyId: number): Promise<void> {
    const result = await this.#query('close a study', () => this.db.updateTable('studies').set({ superseded: 1 }).where('id', '=', studyId).executeTakeFirst());
    if (Number(result.numUpdatedRows) === 0) throw new NnlabError(`run store: no study ${studyId} to close`);
  }

  /** A compare-and-swap on the study's list of looks (retried if another writer changed it in between). */
  async addTestLook(studyId: number, look: Omit<TestLook, 'at'>): Promise<{ added: boolean; looks: TestLook[] }> {
    requireText(look.target, 'test look target');
    for (;;) {
      const row = await this.#query('read a study', () => this.db.selectFrom('studies').select(['test_looks']).where('id', '=', studyId).executeTakeFirst());
      if (!row) throw new NnlabError(`run store: no study ${studyId} to record a test look of`);
      const looks = row.test_looks === null ? [] : fromJson<TestLook[]>(row.test_looks);
      if (looks.some((l) => l.target === look.target || (look.how === 'final' && l.how === 'final'))) return { added: false, looks };
      const next = [...looks, { ...look, at: now() }];
      const updated = await this.#query('record a test look', () => {
        const q = this.db.updateTable('studies').set({ test_looks: toJson(next, 'study.testLooks') }).where('id', '=', studyId);
        return (row.test_looks === null ? q.where('test_looks', 'is', null) : q.where('test_looks', '=', row.test_looks)).executeTakeFirst();
      });
      if (Number(updated.numUpdatedRows) > 0) return { added: true, looks: next };
    }
  }

  /** Open search studies of a name, newest first, with their keys. */
  async listSearchStudies(name: string): Promise<(StudyRecord & { key: string })[]> {
    const rows = await this.#query('list searches', () =>
      this.db.selectFrom('studies').selectAll().where('name', '=', name).where('kind', '=', 'tune').where('superseded', '=', 0).orderBy('id', 'desc').execute(),
    );
    return rows.map((r) => ({ ...toStudy(r), key: r.search_key ?? '' }));
  }

  /** By id, or by name (the newest study of that name; a name of digits also finds that id). */
  async getStudy(idOrName: number | string): Promise<StudyRecord | null> {
    const byId = (id: number) => this.db.selectFrom('studies').selectAll().where('id', '=', id).executeTakeFirst();
    const row = await this.#query('read a study', async () => {
      if (typeof idOrName === 'number') return byId(idOrName);
      const named = await this.db.selectFrom('studies').selectAll().where('name', '=', idOrName).orderBy('id', 'desc').limit(1).executeTakeFirst();
      return named ?? (/^\d{1,9}$/.test(idOrName) ? byId(Number(idOrName)) : undefined);
    });
    return row ? toStudy(row) : null;
  }

  /** All studies, oldest first. */
  async listStudies(): Promise<StudyRecord[]> {
    const rows = await this.#query('list studies', () => this.db.selectFrom('studies').selectAll().orderBy('id').execute());
    return rows.map(toStudy);
  }

  async createRun(run: NewRun): Promise<RunRecord> {
    if (!Number.isSafeInteger(run.seed)) throw new NnlabError(`run store: a run's seed must be an integer, got ${run.seed}`);
    const trial = run.trial ?? null;
    if (trial !== null && (!Number.isSafeInteger(trial) || trial < 0)) throw new NnlabError(`run store: a run's trial number must be an integer ≥ 0, got ${trial}`);
    const retryOf = run.retryOf ?? null;
    if (retryOf !== null && (trial === null || !Number.isSafeInteger(retryOf) || retryOf < 0)) throw new NnlabError(`run store: a retry needs a trial number and retries a trial number ≥ 0, got ${retryOf}`);
    if (!Number.isSafeInteger(run.repeat) || run.repeat < 0) throw new NnlabError(`run store: a run's repeat must be an integer ≥ 0, got ${run.repeat}`);
    const cell = run.cell ?? null;
    if (cell !== null && (!Number.isSafeInteger(cell) || cell < 0 || run.studyId === null)) throw new NnlabError(`run store: a run's cell must be an integer ≥ 0 of a study, got ${cell}`);
    const values = {
      study_id: run.studyId ?? null,
      label: run.label ?? '',
      factor_values: toJson(run.values ?? {}, 'run.values'),
      config: toJson(run.config, 'run.config'),
      seed: run.seed,
      repeat_index: run.repeat,
      trial,
      retry_of: retryOf,
      cell,
      status: 'running',
      started_at: this.dialect.now(),
      heartbeat_at: this.dialect.now(),
      environment: toJson(run.environment, 'run.environment'),
      metrics: '{}',
    };
    const row = await this.#query('create a run', () => this.db.insertInto('runs').values(values).returningAll().executeTakeFirstOrThrow(), (e) => {
      if (this.dialect.isForeignKeyViolation(e)) return new NnlabError(`run store: no study ${run.studyId} to add a run to`);
      if (this.dialect.isUniqueViolation(e)) {
        if (cell !== null) return new TrialTakenError(`run store: config ${cell} (repeat ${run.repeat}) of study ${run.studyId} is already taken`);
        return new TrialTakenError(retryOf !== null ? `run store: trial ${retryOf} of study ${run.studyId} is already being retried` : `run store: trial ${trial} (execution ${run.repeat}) of study ${run.studyId} is already taken`);
      }
      return null;
    }, 'once');
    return toRun(row);
  }

  async setStudyBaselines(studyId: number, baselines: unknown): Promise<void> {
    const json = toJson(baselines, 'study.baselines');
    const result = await this.#query('record baselines', () => this.db.updateTable('studies').set({ baselines: json }).where('id', '=', studyId).executeTakeFirst());
    if (Number(result.numUpdatedRows) === 0) throw new NnlabError(`run store: no study ${studyId} to record baselines for`);
  }

  /**
   * One split's metrics merged into an ended run's: a conditional update on the metrics as read (compare and
   * swap), retried if another writer changed them in between, so no write is lost.
   */
  async setRunMetrics(runId: number, split: 'train' | 'val' | 'test', metrics: Record<string, number | number[] | number[][]>): Promise<RunRecord> {
    if (!['train', 'val', 'test'].includes(split)) throw unknownName('split', 'split', split, ['train', 'val', 'test']);
    for (;;) {
      const run = await this.#query('read a run', () => this.db.selectFrom('runs').select(['status', 'metrics']).where('id', '=', runId).executeTakeFirst());
      if (!run) throw new NnlabError(`run store: no run ${runId} to set metrics of`);
      if (run.status === 'running') throw new NnlabError(`run store: cannot set the final ${split} metrics of run ${runId}: it is still running`);
      const merged = toJson({ ...fromJson<FinalMetrics>(run.metrics), [split]: metrics }, 'run.metrics');
      const row = await this.#query('set run metrics', () =>
        this.db.updateTable('runs').set({ metrics: merged }).where('id', '=', runId).where('metrics', '=', run.metrics).returningAll().executeTakeFirst(),
      );
      if (row) return toRun(row);
    }
  }

  /** Adds an epoch to a running run; one statement that inserts nothing unless the run is still running. */
  async addEpoch(runId: number, epoch: EpochLog): Promise<void> {
    if (!Number.isSafeInteger(epoch.epoch) || epoch.epoch < 0) throw new NnlabError(`run store: epoch index must be an integer ≥ 0, got ${epoch.epoch}`);
    const train = toJson(epoch.train, 'epoch.train');
    const val = epoch.val == null ? null : toJson(epoch.val, 'epoch.val');
    const result = await this.#query(
      'add an epoch',
      (attempt) =>
        this.db
          .insertInto('epochs')
          .columns(['run_id', 'epoch', 'train', 'val', 'lr', 'time_s', 'train_time_s', 'samples_per_s', 'created_at'])
          .expression((eb) =>
            eb
              .selectFrom('runs')
              .select([
                'id',
                eb.cast<number>(eb.val(epoch.epoch), 'integer').as('epoch'),
                eb.cast<string>(eb.val(train), 'text').as('train'),
                eb.cast<string | null>(eb.val(val), 'text').as('val'),
                eb.cast<number>(eb.val(epoch.lr), 'double precision').as('lr'),
                eb.cast<number>(eb.val(epoch.timeS), 'double precision').as('time_s'),
                eb.cast<number>(eb.val(epoch.trainTimeS), 'double precision').as('train_time_s'),
                eb.cast<number>(eb.val(epoch.samplesPerS), 'double precision').as('samples_per_s'),
                eb.cast<string>(eb.val(now()), 'text').as('created_at'),
              ])
              .where('id', '=', runId)
              .where('status', '=', 'running'),
          )
          .executeTakeFirst()
          // A retry that finds the epoch stored: the attempt before landed, and only its answer was lost.
          .catch((e: unknown) => (attempt > 0 && this.dialect.isUniqueViolation(e) ? { numInsertedOrUpdatedRows: 1n } : Promise.reject(e))),
      (e) => (this.dialect.isUniqueViolation(e) ? new NnlabError(`run store: run ${runId} already has epoch ${epoch.epoch}`) : null),
    );
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) throw await this.#notRunning(runId, 'add an epoch to');
  }

  /** The run's epochs in epoch order. */
  async getEpochs(runId: number): Promise<EpochLog[]> {
    const rows = await this.#query('read epochs', () => this.db.selectFrom('epochs').selectAll().where('run_id', '=', runId).orderBy('epoch').execute());
    return rows.map(toEpoch);
  }

  /** Every epoch of a study's runs in one query, by run id. */
  async getStudyEpochs(studyId: number): Promise<Map<number, EpochLog[]>> {
    const rows = await this.#query('read epochs', () =>
      this.db.selectFrom('epochs').innerJoin('runs', 'runs.id', 'epochs.run_id').selectAll('epochs').where('runs.study_id', '=', studyId).orderBy('epochs.run_id').orderBy('epochs.epoch').execute(),
    );
    const out = new Map<number, EpochLog[]>();
    for (const r of rows) {
      const list = out.get(r.run_id) ?? [];
      list.push(toEpoch(r));
      out.set(r.run_id, list);
    }
    return out;
  }

  async deleteEpochsFrom(runId: number, epoch: number): Promise<void> {
    const run = await this.getRun(runId);
    if (!run || run.status !== 'running') throw await this.#notRunning(runId, 'delete epochs of');
    await this.#query('delete epochs', () => this.db.deleteFrom('epochs').where('run_id', '=', runId).where('epoch', '>=', epoch).execute());
  }

  async heartbeat(runId: number): Promise<boolean> {
    const result = await this.#query('write a heartbeat', () =>
      this.db.updateTable('runs').set({ heartbeat_at: this.dialect.now() }).where('id', '=', runId).where('status', '=', 'running').executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) > 0;
  }

  /** One update: running runs whose heartbeat (or start) is older than the grace by the database's clock. */
  async markCrashed(graceS: number): Promise<RunRecord[]> {
    if (!Number.isFinite(graceS) || graceS < 0) throw new NnlabError(`run store: the grace period must be a number ≥ 0, got ${graceS}`);
    const message = `no heartbeat for over ${graceS} s: the process running it died or lost the store`;
    const rows = await this.#query('mark crashed runs', () =>
      this.db
        .updateTable('runs')
        .set({ status: 'crashed', message, ended_at: this.dialect.now() })
        .where('status', '=', 'running')
        .where((eb) => eb.fn.coalesce('heartbeat_at', 'started_at'), '<', this.dialect.ago(graceS))
        .returningAll()
        .execute(),
    );
    return rows.map(toRun).sort((a, b) => a.id - b.id);
  }

  async updateRun(runId: number, fields: Pick<RunRecord, 'label' | 'values' | 'config' | 'environment'>): Promise<RunRecord> {
    const values = {
      label: fields.label ?? '',
      factor_values: toJson(fields.values ?? {}, 'run.values'),
      config: toJson(fields.config, 'run.config'),
      environment: toJson(fields.environment, 'run.environment'),
    };
    const row = await this.#query('update a run', () => this.db.updateTable('runs').set(values).where('id', '=', runId).where('status', '=', 'running').returningAll().executeTakeFirst());
    if (!row) throw await this.#notRunning(runId, 'update');
    return toRun(row);
  }

  async reopenRun(runId: number): Promise<RunRecord> {
    const row = await this.#query('reopen a run', () =>
      this.db
        .updateTable('runs')
        .set({ status: 'running', message: null, ended_at: null, heartbeat_at: this.dialect.now() })
        .where('id', '=', runId)
        .where('status', 'in', ['interrupted', 'crashed'])
        .returningAll()
        .executeTakeFirst(),
    );
    if (row) return toRun(row);
    const run = await this.getRun(runId);
    throw new NnlabError(run ? `run store: run ${runId} is ${run.status}; only an interrupted or crashed run can be resumed` : `run store: no run ${runId}`);
  }

  async storeId(): Promise<string> {
    const row = await this.#query('read the store id', () => this.db.selectFrom('meta').select('value').where('key', '=', 'store_id').executeTakeFirst());
    if (!row) throw new NnlabError(`run store ${this.url} has no store id (its migrations did not finish)`);
    return row.value;
  }

  /** Ends a running run: status, message, wall time, final metrics and end time in one update. */
  async finishRun(
    runId: number,
    end: { status: Exclude<StoredRunStatus, 'running'>; message: string | null; wallTimeS: number; metrics: FinalMetrics },
  ): Promise<RunRecord> {
    if (!(END_STATUSES as readonly string[]).includes(end.status)) throw unknownName('status', 'run end status', end.status, END_STATUSES);
    if (!Number.isFinite(end.wallTimeS) || end.wallTimeS < 0) throw new NnlabError(`run store: wall time must be a number ≥ 0, got ${end.wallTimeS}`);
    const values = { status: end.status, message: end.message ?? null, wall_time_s: end.wallTimeS, metrics: toJson(end.metrics ?? {}, 'run.metrics'), ended_at: now() };
    let retried = false;
    const row = await this.#query('finish a run', (attempt) => {
      retried = attempt > 0;
      return this.db.updateTable('runs').set(values).where('id', '=', runId).where('status', '=', 'running').returningAll().executeTakeFirst();
    });
    if (row) return toRun(row);
    // A retry after a dropped connection may find the run ended by the attempt before: that is this very end.
    const stored = retried ? await this.getRun(runId) : null;
    if (stored && stored.status === end.status && stored.wallTimeS === end.wallTimeS) return stored;
    throw await this.#notRunning(runId, 'finish');
  }

  async getRun(id: number): Promise<RunRecord | null> {
    const row = await this.#query('read a run', () => this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst());
    return row ? toRun(row) : null;
  }

  /** Runs oldest first; with `limit`, the newest `limit` of them (still oldest first). */
  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const { studyId, status, limit } = filter;
    if (status !== undefined && !STATUSES.includes(status)) throw unknownName('status', 'run status', status, STATUSES);
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw new NnlabError(`run store: limit must be an integer ≥ 1, got ${limit}`);
    const rows = await this.#query('list runs', () => {
      let q = this.db.selectFrom('runs').selectAll();
      if (studyId !== undefined) q = q.where('study_id', '=', studyId);
      if (status !== undefined) q = q.where('status', '=', status);
      return limit === undefined ? q.orderBy('id').execute() : q.orderBy('id', 'desc').limit(limit).execute().then((r) => r.reverse());
    });
    return rows.map(toRun);
  }

  async listTrialRuns(studyId: number): Promise<TrialRun[]> {
    const rows = await this.#query('list trials', () =>
      this.db
        .selectFrom('runs')
        .select(['id', 'trial', 'retry_of', 'repeat_index', 'status', 'message', 'factor_values', 'wall_time_s'])
        .where('study_id', '=', studyId)
        .where('trial', 'is not', null)
        .orderBy('id')
        .execute(),
    );
    return rows.map((r) => ({
      id: r.id,
      trial: r.trial,
      retryOf: r.retry_of,
      repeat: r.repeat_index,
      status: r.status as StoredRunStatus,
      message: r.message,
      values: fromJson<Record<string, unknown>>(r.factor_values),
      wallTimeS: r.wall_time_s,
    }));
  }

  async addArtifact(artifact: Omit<ArtifactRecord, 'id' | 'createdAt' | 'sha256'> & { sha256?: string | null }): Promise<ArtifactRecord> {
    requireText(artifact.kind, 'artifact kind');
    requireText(artifact.path, 'artifact path');
    const sha256 = artifact.sha256 ?? null;
    if (sha256 !== null && !/^[0-9a-f]{64}$/.test(sha256)) throw new NnlabError(`run store: an artifact's sha256 must be 64 hex digits, got ${JSON.stringify(sha256)}`);
    const values = { run_id: artifact.runId ?? null, study_id: artifact.studyId ?? null, kind: artifact.kind, path: artifact.path, created_at: now(), sha256 };
    const row = await this.#query(
      'add an artifact',
      () => this.db.insertInto('artifacts').values(values).returningAll().executeTakeFirstOrThrow(),
      (e) => (this.dialect.isForeignKeyViolation(e) ? new NnlabError(`run store: no run ${values.run_id} or no study ${values.study_id} to attach an artifact to`) : null),
      'once',
    );
    return toArtifact(row);
  }

  /** Artifacts attached to the given run and/or study (exactly those columns), oldest first; {} lists all. */
  async listArtifacts(filter: { runId?: number; studyId?: number }): Promise<ArtifactRecord[]> {
    const rows = await this.#query('list artifacts', () => {
      let q = this.db.selectFrom('artifacts').selectAll();
      if (filter.runId !== undefined) q = q.where('run_id', '=', filter.runId);
      if (filter.studyId !== undefined) q = q.where('study_id', '=', filter.studyId);
      return q.orderBy('id').execute();
    });
    return rows.map(toArtifact);
  }

  /** One delete; the database cascades it to the study's runs, their epochs and all their artifact records. */
  async deleteStudy(id: number): Promise<void> {
    const result = await this.#query('delete a study', () => this.db.deleteFrom('studies').where('id', '=', id).executeTakeFirst());
    if (Number(result.numDeletedRows) === 0) throw new NnlabError(`run store: no study ${id} to delete`);
  }

  /**
   * Marks `running` runs with no sign of life for `idleS` seconds (no epoch stored since, nor started since) as
   * `interrupted`: runs whose process crashed or was killed. Returns them.
   */
  async markStaleRuns(idleS: number): Promise<RunRecord[]> {
    if (!Number.isFinite(idleS) || idleS < 0) throw new NnlabError(`run store: idle time must be a number ≥ 0, got ${idleS}`);
    const cutoff = new Date(Date.now() - idleS * 1000).toISOString();
    const message = `no activity for over ${idleS} s: the process running it probably crashed or was killed`;
    const rows = await this.#query('mark stale runs', () =>
      this.db
        .updateTable('runs')
        .set({ status: 'interrupted', message, ended_at: now() })
        .where('status', '=', 'running')
        .where(
          (eb) =>
            eb.fn.coalesce(
              eb.selectFrom('epochs').select((e) => e.fn.max('epochs.created_at').as('last')).whereRef('epochs.run_id', '=', 'runs.id'),
              eb.ref('runs.started_at'),
            ),
          '<',
          cutoff,
        )
        .returningAll()
        .execute(),
    );
    return rows.map(toRun).sort((a, b) => a.id - b.id);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.destroy();
  }

  /**
   * Runs a query; driver errors become NnlabErrors naming the store and the action (`explain` may say more).
   * While the store is unreachable (a restart, a dropped connection) the query is tried again, with backoff,
   * for up to `retryS` seconds: `fn` gets the attempt number (0 first), so a write that may have landed before
   * its connection dropped can recognise itself on the next attempt.
   */
  async #query<T>(action: string, fn: (attempt: number) => Promise<T>, explain?: (e: unknown) => NnlabError | null, mode: RetryMode = 'idempotent'): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (this.#closed) throw new NnlabError(`run store ${this.url} is closed (cannot ${action})`);
      try {
        return await fn(attempt);
      } catch (e) {
        if (e instanceof NnlabError) throw e;
        const transient = this.dialect.transient(e);
        const retry = transient === 'unsent' || (transient === 'ambiguous' && mode === 'idempotent');
        const waited = (Date.now() - started) / 1000;
        if (retry && waited < this.retryS) {
          await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2000, Math.max(0, this.retryS - waited) * 1000)));
          continue;
        }
        const tried = transient && attempt > 0 ? ` (unreachable for ${waited.toFixed(1)} s, tried ${attempt + 1} times)` : '';
        throw explain?.(e) ?? new NnlabError(`run store ${this.url}: cannot ${action}: ${describe(e)}${tried}`);
      }
    }
  }

  /** Why a run could not be changed: it does not exist, or it has ended. */
  async #notRunning(runId: number, action: string): Promise<NnlabError> {
    const run = await this.getRun(runId);
    return new NnlabError(run ? `run store: cannot ${action} run ${runId}: it has ended (${run.status})` : `run store: no run ${runId} to ${action}`);
  }
}

function now(): string {
  return new Date().toISOString();
}

function requireText(value: unknown, what: string): void {
  if (typeof value !== 'string' || value === '') throw new NnlabError(`run store: the ${what} must be a non-empty string, got ${JSON.stringify(value)}`);
}

function toStudy(r: Selectable<StudiesTable>): StudyRecord {
  return {
    id: r.id,
    name: r.name,
    file: r.file,
    experiment: fromJson(r.experiment),
    createdAt: r.created_at,
    baselines: r.baselines === null ? null : fromJson(r.baselines),
    kind: (r.kind ?? 'study') as StudyKind,
    testLooks: r.test_looks === null ? [] : fromJson<TestLook[]>(r.test_looks),
  };
}

function toRun(r: Selectable<RunsTable>): RunRecord {
  return {
    id: r.id,
    studyId: r.study_id,
    label: r.label,
    values: fromJson<Record<string, unknown>>(r.factor_values),
    config: fromJson(r.config),
    seed: Number(r.seed),
    repeat: r.repeat_index,
    trial: r.trial,
    retryOf: r.retry_of,
    cell: r.cell ?? null,
    status: r.status as StoredRunStatus,
    message: r.message,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    wallTimeS: r.wall_time_s,
    environment: fromJson<RunEnvironment>(r.environment),
    metrics: fromJson<FinalMetrics>(r.metrics),
  };
}

/** null in a number column stands for NaN (SQLite stores NaN as NULL). */
function toEpoch(r: Selectable<EpochsTable>): EpochLog {
  return {
    epoch: r.epoch,
    train: fromJson<Logs>(r.train),
    val: r.val === null ? null : fromJson<Logs>(r.val),
    lr: r.lr ?? NaN,
    timeS: r.time_s ?? NaN,
    trainTimeS: r.train_time_s ?? NaN,
    samplesPerS: r.samples_per_s ?? NaN,
  };
}

function toArtifact(r: Selectable<ArtifactsTable>): ArtifactRecord {
  return { id: r.id, runId: r.run_id, studyId: r.study_id, kind: r.kind, path: r.path, createdAt: r.created_at, sha256: r.sha256 };
}
