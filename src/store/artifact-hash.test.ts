// A run's weights are used only when they are the files that were saved: present, and matching the sha256 the
// store recorded; one recorded without a sha256 is refused, never used unchecked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from './open.js';
import { hashArtifact, runWeights } from './artifact-hash.js';
import { runInput } from '../testing/store-conformance.js';

test('runWeights: the recorded sha256 must match; a missing folder, a changed file or no recorded sha256 is an error naming the run', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-artifact-'));
  const store = await openStore(path.join(dir, 'runs.db'));
  try {
    const weights = path.join(dir, 'run-1');
    mkdirSync(weights);
    writeFileSync(path.join(weights, 'weights.safetensors'), 'bytes');
    const good = await store.createRun(runInput(null));
    await store.addArtifact({ runId: good.id, studyId: null, kind: 'weights', path: weights, sha256: hashArtifact(weights) });
    assert.equal(await runWeights(store, good.id), weights);

    const unhashed = await store.createRun(runInput(null));
    await store.addArtifact({ runId: unhashed.id, studyId: null, kind: 'weights', path: weights });
    await assert.rejects(runWeights(store, unhashed.id), new RegExp(`weights of run ${unhashed.id} at .* were recorded without a sha256`));

    writeFileSync(path.join(weights, 'weights.safetensors'), 'other bytes');
    await assert.rejects(runWeights(store, good.id), new RegExp(`weights of run ${good.id} at .* do not match their sha256`));
    const gone = await store.createRun(runInput(null));
    await store.addArtifact({ runId: gone.id, studyId: null, kind: 'weights', path: path.join(dir, 'nowhere'), sha256: '0'.repeat(64) });
    await assert.rejects(runWeights(store, gone.id), /are missing/);
    await assert.rejects(runWeights(store, 999), /run 999 has no saved weights/);
  } finally {
    await store.close();
  }
});
