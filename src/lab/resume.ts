// `nnlab resume <run>`: continues an interrupted or crashed run from its newest usable epoch checkpoint, in
// this process, with the config the store recorded for it: the same data (same seed, same splits), model,
// training and callbacks, and for a search's trial its pruning and best-epoch callbacks. On CPU the resumed run
// ends with exactly the metrics and weights the uninterrupted run would have had. A newest checkpoint that does
// not verify or does not fit the run is skipped for the one before it, and named. Everything that would stop a
// resume is found before anything changes: a run that ended (completed, stopped, pruned, diverged, failed), one
// another process is still training (its heartbeat is recent), one without a usable checkpoint: each a
// ConfigError (exit 2), nothing written, and the run's status left as it was.
import { existsSync } from 'node:fs';
import { ConfigError, NnlabError } from '../engine/errors.js';
import { listCheckpoints, type TrainingCheckpoint } from '../train/run-checkpoint.js';
import type { RunRecord } from '../store/types.js';
import { graceSeconds } from '../store/liveness.js';
import { parseExperiment } from './experiment/index.js';
import { isPluginLoaded } from './plugins.js';
import { disposePrepared, prepareData, type PreparedData } from './data-prep.js';
import { checkpointFits, runOne, say, type RunOptions, type RunOutcome } from './runner.js';
import { checkpointDir, reopenForResume, skippedNote, usableCheckpoint } from './checkpoints.js';
import { pruneCheckOf, trialCallbacks } from './tuner.js';
import type { Experiment, RunSpec, StudyCell } from './types.js';
import { stringify } from 'yaml';

const ENDED = ['completed', 'stopped', 'pruned', 'diverged', 'failed'];

export async function resumeRun(runId: number, o: RunOptions & { graceS?: number }): Promise<RunOutcome> {
  const run = await o.store.getRun(runId);
  if (!run) throw new ConfigError('run', `no run ${runId} in ${o.store.url}`);
  if (ENDED.includes(run.status)) throw new ConfigError('run', `run ${runId} is ${run.status}${run.message ? ` (${run.message})` : ''}; only an interrupted or crashed run can be resumed`);
  if (run.status === 'running') {
    await o.store.markCrashed(graceSeconds(o));
    const now = await o.store.getRun(runId);
    if (now?.status === 'running') throw new ConfigError('run', `run ${runId} is running: its heartbeat is recent, so another process is training it (a dead one is taken for crashed after ${graceSeconds(o)} s without one)`);
  }
  // A run whose layers, loss or metrics come from plugins needs them loaded (nnlab resume --plugin FILE).
  const missing = ((run.config as Partial<RunSpec> | null)?.plugins ?? []).filter((p) => !isPluginLoaded(p));
  if (missing.length > 0) throw new ConfigError('run', `run ${runId} uses the plugin ${missing.join(' and ')}: load it (--plugin ${missing[0]})`);
  const dir = checkpointDir(o.artifactsDir, runId);
  if (!existsSync(dir) || listCheckpoints(dir).length === 0) {
    throw new ConfigError('run', `run ${runId} has no checkpoint in ${dir} (it ended before its first epoch did, or on another machine); run its experiment again`);
  }
  let data: PreparedData | null = null;
  let owned: TrainingCheckpoint | null = null; // until runOne takes it
  try {
    const config = run.config as RunSpec & { dataSeed: number; classes: string[] };
    const { exp, cell } = await experimentOf(run, o);
    data = await prepareData(config.data, config.dataSeed, 'data');
    const { checkpoint, skipped } = usableCheckpoint(o.artifactsDir, runId, checkpointFits(cell, data));
    if (checkpoint === null) throw new ConfigError('run', `run ${runId} cannot be resumed: none of its checkpoints is usable (${skipped.join('; ')})`);
    owned = checkpoint;
    const callbacks = exp.tune && run.trial !== null && run.studyId !== null ? trialCallbacks(exp.tune.objective, String((exp.tune.pruner as { name?: string })?.name ?? exp.tune.pruner), await pruneCheckOf(exp, o.store, run.studyId, run.trial)) : [];
    const record = await reopenForResume(o.store, runId, checkpoint);
    say(o, `resuming run ${runId}${run.label ? ` [${run.label}]` : ''} after epoch ${checkpoint.completed}${skippedNote(skipped)}`);
    owned = null;
    return await runOne(exp, cell, run.repeat, data, run.studyId, { i: 1, n: 1 }, o, { trial: run.trial ?? undefined, cell: run.cell ?? undefined, callbacks, summary: false, resume: { record, checkpoint }, prefix: `run ${runId} ` });
  } finally {
    owned?.dispose();
    if (data) disposePrepared(data);
  }
}

/** The experiment a run came from as the runner needs it: its study's (for a search's trial), else one made from the run's config. */
async function experimentOf(run: RunRecord, o: RunOptions): Promise<{ exp: Experiment; cell: StudyCell }> {
  const config = run.config as RunSpec & { dataSeed: number };
  const spec: RunSpec = { data: config.data, model: config.model, training: config.training, evaluateTest: config.evaluateTest };
  const cell: StudyCell = { label: run.label, values: run.values, spec };
  const study = run.studyId === null ? null : await o.store.getStudy(run.studyId);
  if (study?.kind === 'tune' && run.trial !== null) {
    const exp = parseExperiment(stringify(study.experiment), study.file);
    return { exp, cell };
  }
  if (!config.data || !config.model || !config.training) throw new NnlabError(`run ${run.id} has no config to resume from`);
  const exp: Experiment = {
    file: study?.file ?? null,
    name: study?.name ?? 'run',
    description: null,
    seed: run.seed - run.repeat,
    repeats: 1,
    study: null,
    evaluateTest: config.evaluateTest ? 'all' : 'none',
    tune: null,
    baselines: [],
    cells: [cell],
    raw: null,
  };
  return { exp, cell };
}
