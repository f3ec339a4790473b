// training.device and --device from the command line: the CPU trains and is recorded; CUDA asked for where
// there is none, an unknown device and a GPU index past the last exit 2 before any run is stored.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { cudaInfo } from '../engine/device.js';
import { packageRoot } from '../engine/native.js';
import { openStore } from '../store/index.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cli-device-'));
after(() => rmSync(work, { recursive: true, force: true }));
const env: NodeJS.ProcessEnv = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };
delete env.NNLAB_DEVICE;
const nnlab = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });

const experiment = (device: string | null) => {
  const file = path.join(work, `device-${device ?? 'default'}.yaml`);
  writeFileSync(
    file,
    `name: device-${device ?? 'default'}\nseed: 1\ndata: { dataset: mnist, subset: { total: 300 } }\nmodel: { template: mlp, units: [8] }\n` +
      `training: { epochs: 1, batchSize: 64${device ? `, device: '${device}'` : ''} }\n`,
  );
  return file;
};

test('device: cpu trains on the CPU, and the run records where it trained', () => {
  const r = nnlab(['run', experiment('cpu'), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const run = JSON.parse(r.stdout.trim().split('\n').pop()!).runs[0];
  assert.equal(run.status, 'completed');
  assert.equal(run.device, 'cpu');
  const auto = nnlab(['run', experiment(null), '--json']);
  assert.equal(auto.status, 0, auto.stderr);
  assert.equal(JSON.parse(auto.stdout.trim().split('\n').pop()!).runs[0].device, cudaInfo().available ? 'cuda:0' : 'cpu', 'auto: a GPU where there is one');
});

test('CUDA where there is none, cuda:7, and an unknown device exit 2 before any run is stored', async () => {
  const storeFile = path.join(work, 'refused.db');
  const cases: [string[], RegExp][] = [
    [['run', experiment('cuda:7'), '--store', storeFile], /training\.device: 'cuda:7'/],
    [['run', experiment('cpu'), '--device', 'cuda:7', '--store', storeFile], /--device: 'cuda:7'/],
    [['run', experiment('gpu'), '--store', storeFile], /training\.device.*(pattern|auto, cpu, cuda)/],
  ];
  if (!cudaInfo().available) {
    cases.push([['run', experiment('cuda'), '--store', storeFile], /training\.device: 'cuda' asks for CUDA, but the libtorch in use has no CUDA device .* use device: cpu, or auto/]);
    cases.push([['run', experiment('auto'), '--device', 'cuda', '--store', storeFile], /--device: 'cuda' asks for CUDA/]);
  }
  for (const [args, message] of cases) {
    const r = nnlab(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  }
  const store = await openStore(storeFile);
  assert.deepEqual(await store.listRuns(), [], 'nothing stored');
  await store.close();
});
