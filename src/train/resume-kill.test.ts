// SIGKILL at 20 random moments (seeded): a child process trains with a checkpoint after every epoch,
// resuming from the newest checkpoint each time it is restarted, and is killed with SIGKILL at a random moment
// after training begins (inside an epoch, inside a checkpoint write, or inside the pruning of old ones). After
// every kill the newest checkpoint loads and verifies; after the last, a final child resumes to the end, and
// its metrics and final weights equal those of an uninterrupted run, exactly. The test reports where the
// kills landed, as the folder shows it: a temp folder left (mid-write), a folder being removed (mid-prune),
// or neither (between writes, i.e. while training).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { mulberry32 } from '../data/random.js';
import { parseExact } from '../io/exact-json.js';
import { disposeData, makeData, trainRun, type RunResult, type WorkerSpec } from '../testing/resume-worker.js';
import { checkpointName, listCheckpoints, loadLatestCheckpoint } from './run-checkpoint.js';

const KILLS = 20;
const EPOCHS = 80; // far more than the kills leave time for: each child trains ~1 epoch before its kill
const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'testing', 'resume-worker.js');
const root = mkdtempSync(path.join(os.tmpdir(), 'nnlab-kill-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Starts the worker; resolves once it prints "ready" (training began) with the child and its exit. */
function start(spec: WorkerSpec) {
  const child = spawn(process.execPath, [worker, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    void exited.then((e) => reject(new Error(`the worker exited before training began (code ${e.code}, signal ${e.signal}): ${e.stderr}`)));
  });
  return { child, ready, exited };
}

const hidden = (dir: string) => new Set(readdirSync(dir, { withFileTypes: true }).filter((e) => e.name.startsWith('.')).map((e) => e.name));

/** Where a kill landed, from what it left in the checkpoint folder that was not there before (`before`). */
function landing(dir: string, before: Set<string>): 'mid-write' | 'mid-prune' | 'between writes' {
  const left = [...hidden(dir)].filter((n) => !before.has(n));
  if (left.some((n) => /^\.epoch-\d+\.tmp-/.test(n))) return 'mid-write';
  if (left.some((n) => /^\.epoch-\d+\.del-/.test(n))) return 'mid-prune';
  return 'between writes';
}

test(`SIGKILL at ${KILLS} random moments: the newest checkpoint always loads, and the resumed run ends as the uninterrupted one`, async (t) => {
  const data = makeData('large');
  const began = performance.now();
  const want = await trainRun('large', data, EPOCHS, { checkpoint: { dir: path.join(root, 'uninterrupted') } });
  const epochMs = (performance.now() - began) / EPOCHS; // training, validation and the checkpoint write
  disposeData(data);

  const dir = path.join(root, 'killed');
  const spec: WorkerSpec = { size: 'large', epochs: EPOCHS, dir, resultFile: path.join(root, 'result.json') };
  const rand = mulberry32(20240611);
  const landed: Record<string, number> = { 'mid-write': 0, 'mid-prune': 0, 'between writes': 0 };
  let newest = 0;
  for (let i = 0; i < KILLS; i++) {
    const before = existsSync(dir) ? hidden(dir) : new Set<string>();
    const run = start(spec);
    await run.ready;
    await sleep(rand() * 2.5 * epochMs);
    run.child.kill('SIGKILL');
    const end = await run.exited;
    assert.equal(end.signal, 'SIGKILL', `kill ${i + 1}: the worker was still training (${end.stderr})`);
    landed[existsSync(dir) ? landing(dir, before) : 'between writes'] += 1;
    if (listCheckpoints(dir).length === 0) {
      assert.equal(newest, 0, `kill ${i + 1}: a checkpoint was written before, so one must remain`);
      continue;
    }
    const latest = loadLatestCheckpoint(dir); // verifies every file's sha256; throws if any does not match
    assert.ok(latest.completed >= newest, `kill ${i + 1}: the newest checkpoint went back from epoch ${newest} to ${latest.completed}`);
    newest = latest.completed;
    latest.dispose();
  }
  assert.ok(newest > 0 && newest < EPOCHS, `the kills landed during the run (newest checkpoint: epoch ${newest} of ${EPOCHS})`);

  const last = start(spec);
  const end = await last.exited;
  assert.equal(end.code, 0, `the final resume failed: ${end.stderr}`);
  const got = parseExact(readFileSync(spec.resultFile, 'utf8')) as RunResult;
  assert.equal(got.status, want.status);
  assert.equal(got.epochs.length, EPOCHS);
  got.epochs.forEach((e, i) => assert.deepStrictEqual(e, want.epochs[i], `epoch ${i + 1}'s metrics`));
  assert.equal(got.weightsSha256, want.weightsSha256, 'the final weights');
  assert.deepEqual(readdirSync(dir).sort(), [checkpointName(EPOCHS - 1), checkpointName(EPOCHS)], 'the last two checkpoints; the temp folders of killed writes are gone');
  t.diagnostic(`kills: ${KILLS}; landed ${Object.entries(landed).map(([k, n]) => `${k}: ${n}`).join(', ')}; newest checkpoint before the final resume: epoch ${newest} of ${EPOCHS}; epoch ~${epochMs.toFixed(0)} ms`);
});
