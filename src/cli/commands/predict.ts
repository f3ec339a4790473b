// `nnlab predict (--run <id> | --model <dir>) <image...>`: class name and probability for each image, with a
// run's saved model (from its store, checked against its recorded sha256) or a model folder.
import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { ConfigError } from '../../engine/errors.js';
import { runWeights } from '../../store/artifact-hash.js';
import { visible } from '../../report/format.js';
import { humanStream, printJson, requireRun, say, storeFrom } from '../context.js';
import { addPluginOption, loadPluginOptions } from '../plugins.js';

/** Each image must be a file that is there: a missing one (or a folder) is a mistake in the call (exit 2). */
function checkImages(images: string[]): void {
  for (const file of images) {
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch {
      throw new ConfigError('', 'no such image file', file);
    }
    if (!isFile) throw new ConfigError('', 'not a regular file (a folder, FIFO or device), so not an image', file);
  }
}

export function registerPredict(program: Command): void {
  addPluginOption(program.command('predict <images...>'))
    .description("predict the class of images with a run's saved model (--run) or a saved model folder (--model)")
    .option('--run <id>', 'the run whose weights to use (from --store)')
    .option('--model <dir>', 'a saved model folder')
    .option('--store <url>', 'run store for --run (default .nnlab/runs.db)')
    .option('--json', 'end with one line of JSON')
    .action(async (images: string[], opts: { run?: string; model?: string; store?: string; json?: boolean; plugin: string[] }) => {
      if ((opts.run === undefined) === (opts.model === undefined)) throw new ConfigError('--run', 'give the model as exactly one of --run <id> or --model <dir>');
      checkImages(images);
      if (opts.model !== undefined && !existsSync(opts.model)) throw new ConfigError('--model', `no such model folder: ${opts.model}`);
      let dir = opts.model;
      if (opts.run !== undefined) {
        const store = await storeFrom(opts);
        try {
          dir = await runWeights(store, (await requireRun(store, opts.run, '--run')).id);
        } finally {
          await store.close();
        }
      }
      await loadPluginOptions(opts.plugin);
      const { predictImages } = await import('../../lab/predict.js'); // loads libtorch: only when used
      const predictions = await predictImages(dir!, images);
      const out = humanStream(opts.json);
      for (const p of predictions) say(out, `${visible(p.file)}: ${visible(p.class)} (${(p.probability * 100).toFixed(1)}%)`);
      if (opts.json) printJson({ predictions });
    });
}
