// Loading an experiment file with its plugins (`plugins: [./my-layers.js]`, relative to the file): ES modules
// that register layers, losses and metrics (see src/lab/plugins.ts). They must be loaded before the file's
// names are checked, which parseExperiment, being synchronous, cannot do: this reads the file, loads its
// plugins (and those given as --plugin) and then parses it; parseExperiment checks that each one is loaded.
import path from 'node:path';
import { loadPlugins } from '../plugins.js';
import type { Experiment } from '../types.js';
import { parseExperiment, readExperimentText, type LoadOptions } from './experiment.js';
import { Locator } from './locate.js';
import { applyOverrides } from './overrides.js';
import { isRecord } from './paths.js';
import { Source } from './source.js';

/**
 * Loads an experiment file as loadExperiment does, after loading `options.plugins` (--plugin files, relative to
 * the working folder) and then the plugins the file lists (relative to it). A plugin that cannot be loaded is
 * a ConfigError naming it (and, for one the file lists, the file and the line); nothing else is read.
 */
export async function loadExperimentWithPlugins(file: string, options: LoadOptions & { plugins?: readonly string[] } = {}): Promise<Experiment> {
  await loadPlugins(options.plugins ?? []);
  const text = readExperimentText(file);
  const listed = pluginsOf(text, file, options.overrides ?? []);
  if (listed !== null) {
    const base = path.dirname(path.resolve(file));
    await loadPlugins(listed.files, { base, fail: (problem, i) => listed.loc.error(['plugins', i], problem) });
  }
  return parseExperiment(text, file, options);
}

/**
 * The plugins an experiment's text lists (overrides applied), with a locator for errors at their lines; null
 * when it lists none or they are not a list of paths (the schema check of parseExperiment then says what is wrong).
 */
function pluginsOf(text: string, file: string, overrides: readonly string[]): { files: string[]; loc: Locator } | null {
  const source = new Source(text, file);
  const raw = source.data();
  if (!isRecord(raw)) return null;
  const placed = applyOverrides(raw, overrides, file);
  const files = raw.plugins;
  if (!Array.isArray(files) || files.length === 0 || !files.every((f) => typeof f === 'string' && f !== '')) return null;
  return { files, loc: new Locator(source, placed) };
}
