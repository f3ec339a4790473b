// `nnlab export-predictions <run> --split val|test --out file.csv`: the run's predictions on its validation
// split or (an explicit final evaluation) its test set, one row per sample: true class, predicted class, and the
// probability of every class. The data is prepared again from the run's stored config, with the same seed.
import type { Command } from 'commander';
import { lstatSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, NnlabError } from '../../engine/errors.js';
import type { RunSpec } from '../../lab/types.js';
import type { Model } from '../../nn/model.js';
import type { Dataset } from '../../data/index.js';
import type { OutputHead } from '../../nn/outputs.js';
import { toCsv } from '../../report/csv.js';
import { runWeights } from '../../store/artifact-hash.js';
import { writeAll, writeFileAtomic } from '../../io/atomic.js';
import { humanStream, printJson, requireRun, say, storeFrom } from '../context.js';
import { addPluginOption, loadPluginOptions } from '../plugins.js';

// libtorch-backed modules are loaded when the command runs (so `nnlab doctor` works without the addon).
async function engine() {
  const [{ disposePrepared, prepareData }, { tidy }, { loadModel }, { predict }, { classProbabilities }, { headOf }] = await Promise.all([
    import('../../lab/data-prep.js'),
    import('../../tensor/index.js'),
    import('../../train/model-io.js'),
    import('../../train/trainer.js'),
    import('../../nn/outputs.js'),
    import('../../lab/predict.js'),
  ]);
  return { disposePrepared, prepareData, tidy, loadModel, predict, classProbabilities, headOf };
}

function rows(e: Awaited<ReturnType<typeof engine>>, model: Model, head: OutputHead, data: Dataset): string[][] {
  return e.tidy(() => {
    const probs = e.classProbabilities(e.predict(model, data.x, 256), head).toNumbers();
    const truth = data.y.toNumbers();
    const c = data.classes.length;
    if (c !== Math.max(head.units, 2)) throw new NnlabError(`the model has ${head.units} output unit(s) for the ${c} classes of ${data.name}`);
    return truth.map((t, i) => {
      const p = probs.slice(i * c, (i + 1) * c);
      const best = p.indexOf(Math.max(...p));
      return [String(i), data.classes[t], data.classes[best], ...p.map((v) => v.toPrecision(6))];
    });
  });
}

/**
 * Checks `--out` before any work: a folder, or a file in a folder that does not exist, is a usage error (exit 2).
 * Returns whether the CSV is written atomically: a new file or a regular one is; a device, pipe or link
 * (/dev/stdout) is written as it is.
 */
function checkOut(out: string): boolean {
  let link;
  try {
    link = lstatSync(out);
  } catch {
    const dir = path.dirname(path.resolve(out));
    if (!isFolder(dir)) throw new ConfigError('--out', `cannot write ${out}: the folder ${dir} does not exist`);
    return true;
  }
  if (isFolder(out)) throw new ConfigError('--out', `${out} is a folder; give the name of the CSV file to write`);
  return link.isFile();
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Writes the CSV: a file through a temp file beside it and a rename, so a failed write (a full disk) leaves
 * nothing half-written; a device or pipe (/dev/stdout) directly. A write that fails is an error of the run (exit 1).
 */
function writeCsv(out: string, text: string, atomic: boolean): void {
  try {
    if (atomic) writeFileAtomic(out, (fd) => writeAll(fd, Buffer.from(text)));
    else writeFileSync(out, text);
  } catch (e) {
    throw new NnlabError(`cannot write ${out}: ${(e as Error).message}`);
  }
}

export function registerExportPredictions(program: Command): void {
  addPluginOption(program.command('export-predictions <run>'))
    .description("write a run's predictions on its validation split or test set as CSV")
    .option('--split <split>', 'val or test', 'val')
    .requiredOption('--out <file>', 'the CSV file to write')
    .option('--store <url>', 'run store (default .nnlab/runs.db)')
    .option('--json', 'end with one line of JSON')
    .action(async (id: string, opts: { split: string; out: string; store?: string; json?: boolean; plugin: string[] }) => {
      if (opts.split !== 'val' && opts.split !== 'test') throw new ConfigError('--split', `expected val or test, got '${opts.split}'`);
      const atomic = checkOut(opts.out);
      await loadPluginOptions(opts.plugin);
      const e = await engine();
      const store = await storeFrom(opts);
      try {
        const run = await requireRun(store, id);
        const config = run.config as RunSpec & { dataSeed: number };
        const { model, info } = e.loadModel(await runWeights(store, run.id));
        const head = e.headOf(model, info);
        const data = await e.prepareData(config.data, config.dataSeed);
        try {
          const body = opts.split === 'val' ? rows(e, model, head, data.val) : data.test.finalEvaluation((t) => rows(e, model, head, t));
          // Image folders name each sample's file (relative to the folder) after its index.
          const files = data.files?.[opts.split as 'val' | 'test'];
          if (files) body.forEach((row, i) => row.splice(1, 0, files[i]));
          const header = ['index', ...(files ? ['file'] : []), 'true', 'predicted', ...data.classes.map((c) => `p(${c})`)];
          writeCsv(opts.out, toCsv([header, ...body]), atomic);
          say(humanStream(opts.json), `${body.length} predictions on ${opts.split} written to ${opts.out}`);
          if (opts.json) printJson({ run: run.id, split: opts.split, rows: body.length, file: opts.out });
        } finally {
          e.disposePrepared(data);
          model.dispose();
        }
      } finally {
        await store.close();
      }
    });
}
