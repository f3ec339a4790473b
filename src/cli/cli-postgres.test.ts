// `nnlab run --store postgres://...`: a study stored in a real PostgreSQL server (started by the test), read
// back by `runs` and `compare` through the same URL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
let server: PostgresServer | undefined;
after(async () => server?.stop());

test('a study stored in PostgreSQL by URL, listed and compared from it', async () => {
  server = await startPostgres();
  const url = await server.createDatabase('nnlab_cli');
  const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cli-pg-'));
  const file = path.join(work, 'study.yaml');
  writeFileSync(
    file,
    `name: pg-study
seed: 5
repeats: 2
data: { dataset: mnist, subset: { perClass: 20 }, split: { fraction: 0.25 } }
model: { template: mlp, units: [8] }
training: { epochs: 1, batchSize: 32 }
study: { factors: { training.optimizer.lr: [0.01, 0.001] } }
`,
  );
  const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };
  const nnlab = (args: string[]) => spawnSync(process.execPath, [cli, ...args, '--store', url, '--json'], { cwd: work, env, encoding: 'utf8' });
  const last = (out: string) => JSON.parse(out.trim().split('\n').pop()!);
  const run = nnlab(['run', file]);
  assert.equal(run.status, 0, run.stderr);
  const study = last(run.stdout).study as number;
  const runs = last(nnlab(['runs', '--study', String(study)]).stdout).runs as { status: string; studyId: number }[];
  assert.equal(runs.length, 4);
  assert.ok(runs.every((r) => r.status === 'completed' && r.studyId === study));
  const cmp = last(nnlab(['compare', `study:${study}`]).stdout);
  assert.deepEqual(cmp.configs.map((c: { label: string }) => c.label), ['training.optimizer.lr=0.01', 'training.optimizer.lr=0.001']);
});
