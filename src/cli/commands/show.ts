// `nnlab show <run>`: one run's config, environment, per-epoch history and final metrics.
import type { Command } from 'commander';
import { analyzeRun } from '../../stats/index.js';
import { epochLine } from '../../train/callbacks/progress.js';
import { visible } from '../../report/format.js';
import { confusionText, isConfusionMatrix } from '../../report/confusion.js';
import { humanStream, printJson, requireRun, say, storeFrom } from '../context.js';
import { addPluginOption, loadPluginOptions } from '../plugins.js';

/** Keras's model.summary() of the run's model, rebuilt from its stored config (libtorch loads only here). */
async function modelSummary(config: unknown): Promise<string> {
  const { model, plugins } = (config as { model?: { inputShape?: number[]; layers?: unknown[] }; plugins?: string[] } | null) ?? {};
  if (!model?.inputShape || !model.layers) return 'model summary: not stored with this run';
  try {
    const [{ buildModel }, { formatSummary }, { noGrad }, { layerType }] = await Promise.all([
      import('../../nn/model.js'),
      import('../../nn/summary.js'),
      import('../../tensor/index.js'),
      import('../../nn/layers/registry.js'),
    ]);
    // A layer type of a plugin that is not loaded: say which plugin the run used rather than what is unknown.
    const unknown = (model.layers as { type?: unknown }[]).find((l) => typeof l?.type === 'string' && layerType(l.type) === null)?.type;
    if (unknown !== undefined && Array.isArray(plugins) && plugins.length > 0) {
      return `model summary: layer type '${String(unknown)}' is not registered; the run used the plugin ${plugins.join(' and ')}: give --plugin FILE`;
    }
    return noGrad(() => {
      const built = buildModel(model as Parameters<typeof buildModel>[0]);
      try {
        return formatSummary(built);
      } finally {
        built.dispose();
      }
    });
  } catch (e) {
    return `model summary: cannot rebuild the stored model (${(e as Error).message})`;
  }
}

export function registerShow(program: Command): void {
  addPluginOption(program.command('show <run>'))
    .description("show one run: config, environment, per-epoch history, final metrics and analysis")
    .option('--store <url>', 'run store (default .nnlab/runs.db)')
    .option('--json', 'end with one line of JSON')
    .action(async (id: string, opts: { store?: string; json?: boolean; plugin: string[] }) => {
      await loadPluginOptions(opts.plugin);
      const store = await storeFrom(opts);
      try {
        const run = await requireRun(store, id);
        const epochs = await store.getEpochs(run.id);
        const artifacts = await store.listArtifacts({ runId: run.id });
        const analysis = analyzeRun(run, epochs);
        const study = run.studyId === null ? null : await store.getStudy(run.studyId);
        const lines = [
          `run ${run.id}${study ? ` (study ${study.id}, ${visible(study.name)})` : ''}${run.label ? ` [${visible(run.label)}]` : ''}: ${run.status}${run.message ? ` — ${run.message}` : ''}`,
          `seed ${run.seed}, repeat ${run.repeat + 1}, started ${run.startedAt}, wall time ${run.wallTimeS?.toFixed(1) ?? '-'} s`,
          `nnlab ${run.environment.nnlab}, libtorch ${run.environment.libtorch}, threads intra-op ${run.environment.threads.intraOp} / BLAS ${run.environment.threads.blas}, data ${run.environment.dataFingerprint}`,
          '',
          await modelSummary(run.config),
          '',
          ...epochs.map((e) => epochLine(e, epochs.length)),
        ];
        for (const split of ['train', 'val', 'test'] as const) {
          const m = run.metrics[split];
          if (m) lines.push(`${split}: ${Object.entries(m).filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k} ${(v as number).toFixed(4)}`).join(', ')}`);
        }
        // The validation and test confusion matrices, where the run has them (it listed the confusionMatrix metric).
        const classes = (run.config as { classes?: string[] } | null)?.classes;
        for (const split of ['val', 'test'] as const) {
          const matrix = run.metrics[split]?.confusionMatrix;
          if (isConfusionMatrix(matrix)) lines.push('', `${split} confusion matrix:`, confusionText(matrix, classes));
        }
        for (const a of artifacts) lines.push(`${a.kind}: ${a.path}`);
        say(humanStream(opts.json), lines.join('\n'));
        if (opts.json) printJson({ run, epochs, analysis, artifacts });
      } finally {
        await store.close();
      }
    });
}
