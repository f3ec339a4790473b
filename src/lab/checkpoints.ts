// Where a run's epoch checkpoints live, which one a resume takes, and how a stored run is reopened for it.
//
// A resume takes the newest checkpoint that both verifies (every file's sha256) and fits the run's model and
// optimizer as its config builds them; newer ones that do not are skipped and named. A bad checkpoint file never
// fails a run: with no usable checkpoint the run is trained again from its start, in the same stored run.
import path from 'node:path';
import { CheckpointError } from '../io/checkpoint.js';
import { SafetensorsError } from '../io/safetensors.js';
import { listCheckpoints, loadTrainingCheckpoint, type TrainingCheckpoint } from '../train/run-checkpoint.js';
import type { RunRecord, RunStore } from '../store/types.js';

/** Where a run's epoch checkpoints live: beside its weights folder (which is replaced whole when it is saved). */
export function checkpointDir(artifactsDir: string, runId: number): string {
  return path.join(artifactsDir, `run-${runId}.checkpoints`);
}

/** A checkpoint a resume can use, and why newer ones were passed over ("epoch-0004: …"). */
export interface UsableCheckpoint {
  checkpoint: TrainingCheckpoint | null;
  skipped: string[];
}

/**
 * The newest checkpoint of a run that loads (every file verified) and that `fits` accepts (it throws for one
 * that does not fit: weights of another shape, another optimizer's state), else null; the reasons for skipping
 * newer ones are listed. The checkpoint returned belongs to the caller (dispose it); the others are disposed.
 */
export function usableCheckpoint(artifactsDir: string, runId: number, fits: (c: TrainingCheckpoint) => void = () => {}): UsableCheckpoint {
  const skipped: string[] = [];
  for (const { dir } of listCheckpoints(checkpointDir(artifactsDir, runId)).reverse()) {
    let checkpoint: TrainingCheckpoint;
    try {
      checkpoint = loadTrainingCheckpoint(dir);
    } catch (e) {
      if (!(e instanceof CheckpointError || e instanceof SafetensorsError)) throw e;
      skipped.push(`${path.basename(dir)}: ${(e as Error).message}`);
      continue;
    }
    try {
      fits(checkpoint);
      return { checkpoint, skipped };
    } catch (e) {
      checkpoint.dispose();
      skipped.push(`${path.basename(dir)}: does not fit the run (${(e as Error).message})`);
    }
  }
  return { checkpoint: null, skipped };
}

/** One line naming the checkpoints a resume skipped, or '' when none was. */
export function skippedNote(skipped: readonly string[]): string {
  return skipped.length === 0 ? '' : ` (skipped ${skipped.length === 1 ? 'a newer checkpoint' : `${skipped.length} newer checkpoints`}: ${skipped.join('; ')})`;
}

/**
 * Reopens an interrupted or crashed run (one process wins: the others get an error) and makes its stored epochs
 * match `checkpoint`: epochs after it go (they are trained again), and epochs it has that the store missed (the
 * process died between writing the checkpoint and storing the epoch) are added from its history. Without a
 * checkpoint every epoch goes: the run trains again from its start.
 */
export async function reopenForResume(store: RunStore, runId: number, checkpoint: TrainingCheckpoint | null): Promise<RunRecord> {
  const record = await store.reopenRun(runId);
  await store.deleteEpochsFrom(runId, checkpoint?.completed ?? 0);
  if (checkpoint === null) return record;
  const stored = new Set((await store.getEpochs(runId)).map((e) => e.epoch));
  for (const log of checkpoint.history) if (log.epoch < checkpoint.completed && !stored.has(log.epoch)) await store.addEpoch(runId, log);
  return record;
}
