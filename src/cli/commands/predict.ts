// `nnlab predict --model <dir> <image...>`: class name and probability for each image.
import type { Command } from 'commander';
import { humanStream, printJson } from '../context.js';

export function registerPredict(program: Command): void {
  program
    .command('predict <images...>')
    .description('predict the class of images with a saved model (a run folder such as .nnlab/runs/run-3)')
    .requiredOption('--model <dir>', 'the saved model folder')
    .option('--json', 'end with one line of JSON')
    .action(async (images: string[], opts: { model: string; json?: boolean }) => {
      const { predictImages } = await import('../../lab/predict.js'); // loads libtorch: only when used
      const predictions = await predictImages(opts.model, images);
      const out = humanStream(opts.json);
      for (const p of predictions) out.write(`${p.file}: ${p.class} (${(p.probability * 100).toFixed(1)}%)\n`);
      if (opts.json) printJson({ predictions });
    });
}
