// An artifact's fingerprint, recorded with it in the store and checked before it is used: a missing or changed
// file (weights overwritten by another store, a copied or truncated folder) is a clear error, never a silent use
// of the wrong model. A folder's hash covers the names and contents of its files, in sorted order.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { NnlabError } from '../engine/errors.js';
import type { ArtifactRecord, RunStore } from './types.js';

/** Hex sha256 of a file, or of a folder's files (relative names and contents, sorted by name). */
export function hashArtifact(target: string): string {
  const h = createHash('sha256');
  const add = (file: string, rel: string) => {
    h.update(`${rel}\0${statSync(file).size}\0`);
    h.update(readFileSync(file));
  };
  if (statSync(target).isDirectory()) {
    const walk = (dir: string, rel: string): void => {
      for (const name of readdirSync(dir).sort()) {
        const full = path.join(dir, name);
        const r = rel ? `${rel}/${name}` : name;
        if (statSync(full).isDirectory()) walk(full, r);
        else add(full, r);
      }
    };
    walk(target, '');
  } else {
    add(target, path.basename(target));
  }
  return h.digest('hex');
}

/**
 * Throws unless the artifact exists and matches its recorded sha256. One recorded without a hash (by an nnlab
 * before the store kept them) cannot be checked, so it is refused rather than used unchecked.
 */
export function verifyArtifact(a: ArtifactRecord, owner: string): string {
  if (!existsSync(a.path)) throw new NnlabError(`the ${a.kind} of ${owner} are missing: ${a.path} (moved or deleted? they belong to the store that recorded them)`);
  if (a.sha256 === null) {
    throw new NnlabError(`the ${a.kind} of ${owner} at ${a.path} were recorded without a sha256 (by an older nnlab), so nnlab cannot tell they are what was saved: train the run again to use them`);
  }
  const now = hashArtifact(a.path);
  if (now !== a.sha256) throw new NnlabError(`the ${a.kind} of ${owner} at ${a.path} do not match their sha256 (recorded ${a.sha256.slice(0, 12)}…, found ${now.slice(0, 12)}…): changed or corrupt since they were saved`);
  return a.path;
}

/** The verified path of a run's weights (the newest weights artifact of the run). */
export async function runWeights(store: RunStore, runId: number): Promise<string> {
  const found = (await store.listArtifacts({ runId })).filter((a) => a.kind === 'weights').pop();
  if (!found) throw new NnlabError(`run ${runId} has no saved weights in ${store.url}`);
  return verifyArtifact(found, `run ${runId}`);
}
