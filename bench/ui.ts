// `npm run bench -- ui`: the dashboard on a store of 10,000 runs (100 studies of 100 runs, 5 epochs each):
// how long `nnlab ui` takes from the command to serving (the goal: under 2 s), and how long its pages
// take to answer. No peer: optuna-dashboard is not packaged by Debian, so this bench reports seconds against
// the goal, and `nnlab --version` (Node and the CLI loading, nothing served) for scale.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../src/store/sqlite.js';
import { ENV, fixtureEpoch } from '../src/testing/web-fixture.js';
import { median } from './common.js';
import { startUi } from '../src/testing/ui-process.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

export interface UiBenchOptions {
  studies: number;
  runsPerStudy: number;
  epochs: number;
}

export function uiBenchOptions(args: string[]): UiBenchOptions {
  const o: UiBenchOptions = { studies: 100, runsPerStudy: 100, epochs: 5 };
  for (const a of args) {
    const m = /^--(studies|runs-per-study|epochs)=(\d+)$/.exec(a);
    if (m) o[m[1] === 'runs-per-study' ? 'runsPerStudy' : (m[1] as 'studies' | 'epochs')] = Number(m[2]);
  }
  return o;
}

async function fill(file: string, o: UiBenchOptions): Promise<{ studyId: number; runId: number }> {
  const store = await openSqliteStore(file);
  let studyId = 0;
  let runId = 0;
  for (let s = 0; s < o.studies; s++) {
    const study = await store.createStudy({ name: `study-${s}`, file: null, experiment: {} });
    studyId = study.id;
    for (let r = 0; r < o.runsPerStudy; r++) {
      const activation = ['relu', 'tanh', 'selu', 'sigmoid'][r % 4];
      const level = 0.8 + 0.02 * (r % 4) + 0.001 * (r % 7);
      const run = await store.createRun({ studyId: study.id, label: `activation=${activation}`, values: { 'model.activation': activation }, config: { model: { activation }, training: { epochs: o.epochs } }, seed: r, repeat: Math.floor(r / 4), environment: ENV });
      for (let e = 0; e < o.epochs; e++) await store.addEpoch(run.id, fixtureEpoch(e, level));
      await store.finishRun(run.id, { status: 'completed', message: null, wallTimeS: 2, metrics: { train: fixtureEpoch(o.epochs - 1, level).train, val: fixtureEpoch(o.epochs - 1, level).val! } });
      runId = run.id;
    }
  }
  await store.close();
  return { studyId, runId };
}

async function timeGet(url: string, rounds = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const res = await fetch(url);
    await res.text();
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    times.push((performance.now() - t) / 1000);
  }
  return median(times);
}

export async function benchUi(o: UiBenchOptions): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-bench-ui-'));
  try {
    const file = path.join(dir, 'runs.db');
    const t = performance.now();
    const { studyId, runId } = await fill(file, o);
    const total = o.studies * o.runsPerStudy;
    console.log(`\nDashboard on a store of ${total} runs (${o.studies} studies × ${o.runsPerStudy} runs × ${o.epochs} epochs; written in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
    const version = median([0, 1, 2].map(() => {
      const s = performance.now();
      spawnSync(process.execPath, [cli, '--version']);
      return (performance.now() - s) / 1000;
    }));
    const starts: number[] = [];
    let ui = await startUi(['--store', file, '--port', '0']);
    starts.push(ui.seconds);
    for (let i = 0; i < 2; i++) {
      await ui.stop();
      ui = await startUi(['--store', file, '--port', '0']);
      starts.push(ui.seconds);
    }
    const base = ui.url.replace(/\/$/, '');
    const rows: [string, number][] = [
      ['studies page (/)', await timeGet(`${base}/`)],
      [`runs page (/runs, ${total} runs, page 1)`, await timeGet(`${base}/runs`)],
      ['runs page sorted by val accuracy, page 100', await timeGet(`${base}/runs?sort=val.accuracy&page=100`)],
      ['runs grouped by config', await timeGet(`${base}/runs?group=config`)],
      [`a study of ${o.runsPerStudy} runs (/studies/${studyId})`, await timeGet(`${base}/studies/${studyId}`)],
      ['its plots (/api/studies/:id/plots)', await timeGet(`${base}/api/studies/${studyId}/plots`)],
      [`a run (/runs/${runId})`, await timeGet(`${base}/runs/${runId}`)],
      ['a live token of a study (/api/live)', await timeGet(`${base}/api/live?study=${studyId}`)],
    ];
    await ui.stop();
    console.log(`  nnlab ui, command to serving: ${median(starts).toFixed(2)} s (median of 3; goal < 2 s) — nnlab --version alone: ${version.toFixed(2)} s`);
    for (const [what, s] of rows) console.log(`  ${what.padEnd(48)} ${(s * 1000).toFixed(0).padStart(6)} ms (median of 5)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
