// `nnlab export <run> --format onnx --out model.onnx` (or `--model DIR`): a run's saved model (from its store,
// checked against its recorded sha256) or a model folder as an ONNX file, with its preprocessing as JSON beside
// it (model.onnx -> model.preprocess.json). A bad --out (a folder, a file in a missing folder) is refused before
// any work (exit 2); a model with a layer ONNX cannot express is an error naming the layer (exit 1).
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { ConfigError } from '../../engine/errors.js';
import { runWeights } from '../../store/artifact-hash.js';
import { humanStream, printJson, requireRun, say, storeFrom } from '../context.js';
import { addPluginOption, loadPluginOptions } from '../plugins.js';

const FORMATS = ['onnx'];

export function registerExport(program: Command): void {
  addPluginOption(program.command('export [run]'))
    .description("write a run's saved model (or a saved model folder, --model) as an ONNX file, with its preprocessing as JSON beside it")
    .option('--format <format>', `the file format: ${FORMATS.join(', ')}`, 'onnx')
    .requiredOption('--out <file>', 'the file to write (model.onnx; the preprocessing goes to model.preprocess.json)')
    .option('--model <dir>', 'a saved model folder instead of a run')
    .option('--store <url>', 'run store for <run> (default .nnlab/runs.db)')
    .option('--json', 'end with one line of JSON')
    .action(async (run: string | undefined, opts: { format: string; out: string; model?: string; store?: string; json?: boolean; plugin: string[] }) => {
      if ((run === undefined) === (opts.model === undefined)) throw new ConfigError('run', 'give the model as exactly one of <run> or --model <dir>');
      if (!FORMATS.includes(opts.format)) throw new ConfigError('--format', `unknown format '${opts.format}'; valid: ${FORMATS.join(', ')}`);
      if (opts.model !== undefined && !existsSync(opts.model)) throw new ConfigError('--model', `no such model folder: ${opts.model}`);
      // libtorch-backed modules load only when the command runs (so `nnlab doctor` works without the addon).
      const [{ checkExportTarget }, { exportModelFolder }] = await Promise.all([import('../../nn/onnx/export.js'), import('../../lab/onnx-export.js')]);
      checkExportTarget(opts.out, '--out');
      await loadPluginOptions(opts.plugin);
      let dir = opts.model;
      let runId: number | undefined;
      if (run !== undefined) {
        const store = await storeFrom(opts);
        try {
          runId = (await requireRun(store, run)).id;
          dir = await runWeights(store, runId);
        } finally {
          await store.close();
        }
      }
      const done = exportModelFolder(dir!, opts.out);
      say(humanStream(opts.json), `${runId !== undefined ? `run ${runId}` : dir}: ONNX (opset 17, input ${done.input.name} [${done.input.shape.join(', ')}], output ${done.output.name} [${done.output.shape.join(', ')}]) written to ${done.file}, its preprocessing to ${done.preprocessingFile}`);
      if (opts.json) printJson({ ...(runId !== undefined ? { run: runId } : { model: dir }), format: opts.format, file: done.file, preprocessing: done.preprocessingFile, input: done.input, output: done.output });
    });
}
