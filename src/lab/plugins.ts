// Plugins: ES modules (.js, .mjs) that add layers, losses and metrics when loaded, named by an experiment file
// (`plugins: [./my-layers.js]`, relative to the file) or by `--plugin FILE`. A plugin is either
//
//   export default function (nnlab) {            // called with src/nn/plugin-api.ts (may be async)
//     class Scale extends nnlab.Layer { ... }
//     nnlab.registerLayer('scale', Scale);
//   }
//
// or a module that calls registerLayer / registerLoss / registerMetric imported from 'nnlab' at its top level,
// which works only where 'nnlab' resolves from the plugin's folder to this same nnlab (inside a project that
// installed it). The first form needs no resolution, so it is the one the README shows.
//
// Every mistake is one ConfigError naming the plugin file, before anything runs: a path that is not there or
// not a regular file, a module that throws while loading (with its line where the stack says it), a name that
// is taken, a plugin that registers nothing. A file is loaded once per process (by its real path): listing it
// in the experiment and with --plugin, or loading it again, does nothing more.
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../engine/errors.js';
import * as pluginApi from '../nn/plugin-api.js';
import { registeringFrom } from '../nn/registration.js';
import { layerTypes } from '../nn/layers/registry.js';
import { lossNames } from '../nn/losses.js';
import { metricNames } from '../nn/metrics.js';

/** The real paths of the plugins loaded in this process. */
const loaded = new Set<string>();

/** Whether the plugin at this path (absolute, or relative to the working folder) has been loaded. */
export function isPluginLoaded(file: string): boolean {
  try {
    return loaded.has(realpathSync(file));
  } catch {
    return false;
  }
}

/** How a problem with a plugin is reported: a ConfigError at '--plugin', or at the experiment's plugins[i] and its line. */
export type PluginError = (problem: string) => ConfigError;

const count = () => layerTypes().length + lossNames().length + metricNames().length;

/**
 * Loads one plugin (`file` relative to `base`, default the working folder) and returns its real path. Problems
 * are ConfigErrors made by `fail` (default: at '--plugin').
 */
export async function loadPlugin(file: string, options: { base?: string; fail?: PluginError } = {}): Promise<string> {
  const fail = options.fail ?? ((problem: string) => new ConfigError('--plugin', problem));
  const abs = path.resolve(options.base ?? process.cwd(), file);
  let regular: boolean;
  try {
    regular = statSync(abs).isFile();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' || code === 'ENOTDIR' ? `no such plugin file: ${abs}` : `cannot read the plugin file ${abs}: ${(e as Error).message}`);
  }
  if (!regular) throw fail(`the plugin ${abs} is not a regular file (a folder, FIFO or device); give the .js file that registers the layers, losses or metrics`);
  const real = realpathSync(abs);
  if (loaded.has(real)) return real;
  const before = count();
  const url = pathToFileURL(real).href;
  try {
    await registeringFrom(real, async () => {
      const module = (await import(url)) as { default?: unknown };
      if (typeof module.default === 'function') await (module.default as (nnlab: typeof pluginApi) => unknown)(pluginApi);
    });
  } catch (e) {
    if (e instanceof ConfigError && /^register(Layer|Loss|Metric)\(/.test(e.path)) throw fail(`plugin ${real}: ${e.message}`);
    // The usual reason: a plugin outside a project that installed nnlab imports 'nnlab' (nothing to resolve).
    const unresolved = (e as NodeJS.ErrnoException)?.code === 'ERR_MODULE_NOT_FOUND' && /'nnlab(\/[^']*)?'/.test(String((e as Error).message));
    const hint = unresolved ? "; a plugin is given nnlab instead: export default function (nnlab) { nnlab.registerLayer(...) }" : '';
    throw fail(`plugin ${real}${lineIn(e, url)} threw when loaded: ${describe(e)}${hint}`);
  }
  if (count() === before) {
    throw fail(
      `plugin ${real} registered no layer, loss or metric: give it a default export, function (nnlab) { nnlab.registerLayer(...) }` +
        " (a plugin that imports 'nnlab' itself registers with the copy its folder resolves, if any)",
    );
  }
  loaded.add(real);
  return real;
}

/** Loads plugins in order (see loadPlugin); returns their real paths. */
export async function loadPlugins(files: readonly string[], options: { base?: string; fail?: (problem: string, i: number) => ConfigError } = {}): Promise<string[]> {
  const out: string[] = [];
  for (const [i, file] of files.entries()) {
    const fail = options.fail;
    out.push(await loadPlugin(file, { base: options.base, fail: fail && ((problem) => fail(problem, i)) }));
  }
  return out;
}

/** ':LINE' of the plugin where the error's stack points into it (a throw, or a syntax error), else ''. */
function lineIn(e: unknown, url: string): string {
  const stack = (e as Error | null)?.stack;
  if (typeof stack !== 'string') return '';
  const at = stack.indexOf(`${url}:`);
  const m = at < 0 ? null : /^:(\d+)/.exec(stack.slice(at + url.length));
  return m ? `:${m[1]}` : '';
}

/** An error as one line: 'TypeError: x is not a function'. */
function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message.split('\n')[0]}`;
  return String(e);
}
