// The run store's records and interface. One interface, two implementations (SQLite by default, PostgreSQL by
// URL for many workers), one query layer and one set of migrations (see store/README in the code comments).
import { NnlabError } from '../engine/errors.js';
import type { EpochLog } from '../record/history.js';
import type { FinalMetrics, RunRecord, StoredRunStatus, StudyKind, StudyRecord, TestLook, TrialRun } from '../record/run.js';

// The records themselves are plain data in src/record/run.ts; the store's users find them here too.
export type { FinalMetrics, RunEnvironment, RunRecord, StoredRunStatus, StudyKind, StudyRecord, TestLook, TrialRun } from '../record/run.js';

/** What createRun takes: a run's own fields (`trial` optional). */
export type NewRun = Omit<RunRecord, 'id' | 'status' | 'message' | 'startedAt' | 'endedAt' | 'wallTimeS' | 'metrics' | 'trial' | 'retryOf' | 'cell'> & {
  trial?: number | null;
  retryOf?: number | null;
  cell?: number | null;
};

/** A trial number (or a retry, or a study's cell and repeat) another process claimed first: reload and pick again. */
export class TrialTakenError extends NnlabError {
  override name = 'TrialTakenError';
}

export interface ArtifactRecord {
  id: number;
  runId: number | null;
  studyId: number | null;
  /** 'weights', 'plot', 'report', 'predictions', ... */
  kind: string;
  path: string;
  createdAt: string;
  /** Hex sha256 of its content, checked before use (see src/store/artifact-hash.ts), or null. */
  sha256: string | null;
}

export interface RunFilter {
  studyId?: number;
  status?: StoredRunStatus;
  /** At most this many: the newest ones (still listed oldest first). */
  limit?: number;
}

/**
 * The store. Every method is async (PostgreSQL is); implementations must pass the shared conformance suite
 * (src/testing/store-conformance.ts). Writes of one call are atomic.
 */
export interface RunStore {
  /** Where it is, for display: `sqlite:/abs/path` or the PostgreSQL URL with its password masked. */
  readonly url: string;
  /** A new study (kind 'study' unless given). */
  createStudy(study: { name: string; file: string | null; experiment: unknown; kind?: StudyKind }): Promise<StudyRecord>;
  /**
   * The open study of this name, kind and key, created if there is none, atomically: every process started on
   * the same search or study gets the same one. `fresh` supersedes the open one (kept, no longer found) and
   * creates a new one. `created` says whether this call made it. Kind: 'tune' unless given.
   */
  openStudy(study: { name: string; file: string | null; experiment: unknown; key: string; kind?: StudyKind; fresh?: boolean }): Promise<{ study: StudyRecord; created: boolean }>;
  /** Ends a study's openness: openStudy no longer finds it, so the same file makes a new study next time. */
  closeStudy(studyId: number): Promise<void>;
  /**
   * Records a look at a study's test set, unless one with the same target is recorded, or the look is the study's
   * 'final' one and it has that already (then `added` is false and nothing changes): the record that the test
   * set was consulted, written before the evaluation.
   */
  addTestLook(studyId: number, look: Omit<TestLook, 'at'>): Promise<{ added: boolean; looks: TestLook[] }>;
  /** The open search studies of a name, newest first (to tell a worker how its file differs). */
  listSearchStudies(name: string): Promise<(StudyRecord & { key: string })[]>;
  /** By id, or by name (the newest study of that name; a name of digits that no study has finds that id). */
  getStudy(idOrName: number | string): Promise<StudyRecord | null>;
  /** Oldest first. */
  listStudies(): Promise<StudyRecord[]>;
  /**
   * A new `running` run; `trial` and `cell` default to null. A (study, trial, repeat), a retry or a (study, cell,
   * repeat) already taken throws TrialTakenError.
   */
  createRun(run: NewRun): Promise<RunRecord>;
  /** Only while the run is `running`; an epoch index once per run. */
  addEpoch(runId: number, epoch: EpochLog): Promise<void>;
  /** In epoch order. */
  getEpochs(runId: number): Promise<EpochLog[]>;
  /** Every epoch of a study's runs, by run id (one query; runs without epochs are absent). */
  getStudyEpochs(studyId: number): Promise<Map<number, EpochLog[]>>;
  /** Removes a running run's epochs from `epoch` on (a resumed run trains them again). */
  deleteEpochsFrom(runId: number, epoch: number): Promise<void>;
  /** A sign of life of a running run (the database's clock); false when it is no longer running. */
  heartbeat(runId: number): Promise<boolean>;
  /**
   * Marks `running` runs whose last heartbeat (or start) is more than `graceS` seconds old by the database's
   * clock as `crashed`, with a message saying so. Returns them.
   */
  markCrashed(graceS: number): Promise<RunRecord[]>;
  /**
   * Fills in a running run's label, values, config and environment (a trial claimed by its number first, then
   * configured once its parameters are chosen). An error for a run that is not running.
   */
  updateRun(runId: number, fields: Pick<RunRecord, 'label' | 'values' | 'config' | 'environment'>): Promise<RunRecord>;
  /** Puts an ended run (interrupted or crashed; not completed) back to `running` for a resume. */
  reopenRun(runId: number): Promise<RunRecord>;
  /** The store's own id (a UUID made with it): its artifacts live in a folder of that name. */
  storeId(): Promise<string>;
  /** Records the baselines scored on a study's splits (JSON), replacing any before. */
  setStudyBaselines(studyId: number, baselines: unknown): Promise<void>;
  /**
   * Sets one split's final metrics of a run that has ended (the test evaluation of the config chosen on
   * validation happens after the study), keeping the other splits'. An error for a running or missing run.
   */
  setRunMetrics(runId: number, split: 'train' | 'val' | 'test', metrics: Record<string, number | number[] | number[][]>): Promise<RunRecord>;
  /** Ends a `running` run (an error for a run that has ended or does not exist). */
  finishRun(runId: number, end: { status: Exclude<StoredRunStatus, 'running'>; message: string | null; wallTimeS: number; metrics: FinalMetrics }): Promise<RunRecord>;
  getRun(id: number): Promise<RunRecord | null>;
  /** Oldest first. */
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  /** A study's runs with a trial number, oldest first, with only what a trial needs (what each claim reads). */
  listTrialRuns(studyId: number): Promise<TrialRun[]>;
  /** Records an artifact (sha256 optional: null when not given). */
  addArtifact(artifact: Omit<ArtifactRecord, 'id' | 'createdAt' | 'sha256'> & { sha256?: string | null }): Promise<ArtifactRecord>;
  /** Artifacts whose runId / studyId equal the given ones, oldest first ({} lists all). */
  listArtifacts(filter: { runId?: number; studyId?: number }): Promise<ArtifactRecord[]>;
  /** Deletes a study with its runs, epochs and artifact records (used to roll back a study that failed to start). */
  deleteStudy(id: number): Promise<void>;
  /**
   * Marks `running` runs that showed no sign of life (no epoch stored, not started) for `idleS` seconds as
   * `interrupted`, with a message saying so: runs whose process crashed or was killed. Returns them.
   */
  markStaleRuns(idleS: number): Promise<RunRecord[]>;
  /** Closes the connection(s); later calls throw. Closing twice is fine. */
  close(): Promise<void>;
}
