// A stress run of many workers on one search against PostgreSQL (a throwaway server started here, as the tests
// do): N `nnlab worker` processes (default 32) share one study of trials that train for about 0.1 s each (a
// 4-unit MLP on 40 MNIST images, one epoch). It reports the claims per second the store sustains, the claims
// lost to other workers (each costs a reload and a new pick), and checks that every trial number was run once:
// no duplicate, none lost. A plan for many machines, measured on one: on 2 cores, 32 processes mostly measure
// contention for the CPU, so the claim rate is a floor.
//
//   npm run bench -- workers [--workers 32] [--trials-per-worker 20]
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/index.js';
import { startPostgres } from '../src/testing/postgres-server.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

export interface WorkersBenchOptions {
  workers: number;
  trialsPerWorker: number;
}

export function workersBenchOptions(args: string[]): WorkersBenchOptions {
  const value = (flag: string, fallback: number) => {
    const i = args.indexOf(flag);
    const n = i >= 0 ? Number(args[i + 1]) : fallback;
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer, got ${args[i + 1]}`);
    return n;
  };
  return { workers: value('--workers', 32), trialsPerWorker: value('--trials-per-worker', 20) };
}

const SEARCH = (trials: number) => `name: stress
seed: 1
data: { dataset: mnist, subset: { perClass: 4 }, split: { fraction: 0.25 } }
model: { template: mlp, units: [4] }
training: { optimizer: { name: adam, lr: 0.01 }, epochs: 1, batchSize: 30 }
evaluateTest: false
tune:
  sampler: tpe
  trials: ${trials}
  space:
    training.optimizer.lr: { type: float, low: 0.001, high: 0.05, log: true }
    model.units: { type: choice, values: [[4], [8]] }
`;

/** Runs the stress; prints a table and returns the figures. */
export async function benchWorkers(o: WorkersBenchOptions): Promise<Record<string, number>> {
  const server = await startPostgres();
  try {
    const url = await server.createDatabase('nnlab_stress');
    const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-stress-'));
    const file = path.join(work, 'stress.yaml');
    const trials = o.workers * o.trialsPerWorker;
    writeFileSync(file, SEARCH(trials));
    const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };
    const t0 = Date.now();
    const results = await Promise.all(
      Array.from({ length: o.workers }, () => {
        const child = spawn(process.execPath, [cli, 'worker', file, '--store', url, '--no-bar', '--json'], { cwd: work, env, stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
        return new Promise<{ code: number | null; ran: number; taken: number }>((resolve) =>
          child.on('close', (code) => {
            const last = out.trim().split('\n').pop() ?? '';
            let parsed: { ran?: number[]; taken?: number } = {};
            try {
              parsed = JSON.parse(last);
            } catch {
              /* a worker that failed prints no JSON: counted below */
            }
            resolve({ code, ran: parsed.ran?.length ?? 0, taken: parsed.taken ?? 0 });
          }),
        );
      }),
    );
    const wallS = (Date.now() - t0) / 1000;
    const store = await openStore(url);
    try {
      const study = (await store.listStudies())[0];
      const runs = await store.listRuns({ studyId: study.id });
      const numbers = runs.map((r) => r.trial!);
      const distinct = new Set(numbers).size;
      const starts = runs.map((r) => Date.parse(r.startedAt));
      const ends = runs.map((r) => Date.parse(r.endedAt ?? r.startedAt));
      const spanS = (Math.max(...ends) - Math.min(...starts)) / 1000;
      const trialS = runs.reduce((a, r) => a + (r.wallTimeS ?? 0), 0) / runs.length;
      const figures = {
        workers: o.workers,
        budget: trials,
        trialsRun: runs.length,
        distinctTrials: distinct,
        duplicates: runs.length - distinct,
        missing: trials - distinct,
        workersFailed: results.filter((r) => r.code !== 0).length,
        claimsLost: results.reduce((a, r) => a + r.taken, 0),
        claimsPerS: runs.length / spanS,
        meanTrialS: trialS,
        spanS,
        wallS,
      };
      console.log(`\nMany workers against PostgreSQL ${o.workers} processes, ${trials} trials of ~${trialS.toFixed(2)} s`);
      console.log(`| figure | value |\n|---|---:|`);
      console.log(`| trials run / budget | ${runs.length} / ${trials} |`);
      console.log(`| distinct trial numbers | ${distinct} (duplicates ${figures.duplicates}, missing ${figures.missing}) |`);
      console.log(`| workers that failed | ${figures.workersFailed} |`);
      console.log(`| claims lost to another worker (reload and pick again) | ${figures.claimsLost} |`);
      console.log(`| claims per second (first start to last end, ${spanS.toFixed(1)} s) | ${figures.claimsPerS.toFixed(1)} |`);
      console.log(`| wall time with process start-up | ${wallS.toFixed(1)} s |`);
      return figures;
    } finally {
      await store.close();
    }
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchWorkers(workersBenchOptions(process.argv.slice(2)));
