// `--plugin FILE` (repeatable) on the commands that build models or read experiment files: ES modules that
// register layers, losses and metrics (src/lab/plugins.ts), loaded before anything else is read, so a saved
// model or a run whose layers come from a plugin can be rebuilt. A plugin that cannot be loaded is one line
// naming it (exit 2), and nothing runs.
import type { Command } from 'commander';

/** Adds the repeatable --plugin option (its values collect in `opts.plugin`). */
export function addPluginOption(command: Command): Command {
  return command.option(
    '--plugin <file>',
    'an ES module registering layers, losses or metrics (export default function (nnlab) { nnlab.registerLayer(...) }); repeatable',
    (v: string, all: string[]) => [...all, v],
    [],
  );
}

/** Loads the --plugin files, in order (relative to the working folder). */
export async function loadPluginOptions(files: readonly string[] | undefined): Promise<void> {
  if (!files || files.length === 0) return;
  const { loadPlugins } = await import('../lab/plugins.js'); // loads libtorch: only when used
  await loadPlugins(files);
}
