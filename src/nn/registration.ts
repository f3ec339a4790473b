// What the registries of layers, losses and metrics share when names are added at run time (registerLayer,
// registerLoss, registerMetric): which names may be registered, who holds a name already (a built-in, a plugin
// file, the user's code), and which plugin file is registering now. Each registry keeps its own names; names
// meet in any spelling (nameKey), so a registered 'myScale' also takes 'my_scale' and 'MyScale'.
import { ConfigError } from '../engine/errors.js';
import { nameKey } from '../engine/fields.js';

/** Where a registered name came from: the absolute path of the plugin file that registered it, or null (code). */
export type Origin = string | null;

/** The plugin file being loaded (set by the lab's plugin loader while it runs one), or null. */
let loading: Origin = null;

/**
 * Runs `load` with `file` as the origin of whatever it registers: names registered meanwhile record the plugin
 * file, so a taken name, a saved model and an unknown type can say which plugin holds or needs them.
 */
export async function registeringFrom<T>(file: string, load: () => Promise<T>): Promise<T> {
  const before = loading;
  loading = file;
  try {
    return await load();
  } finally {
    loading = before;
  }
}

/** The origin of a name registered now. */
export function currentOrigin(): Origin {
  return loading;
}

/** 'plugin /abs/x.js', or 'your own code (not a plugin)', for errors. */
export function describeOrigin(origin: Origin): string {
  return origin === null ? 'your own code (not a plugin)' : `plugin ${origin}`;
}

/** A name as registries take them: a letter, then letters, digits or underscores (it is written in YAML and in a saved config). */
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Checks a new name (and its aliases) for a registry of `kind` ('layer type', 'loss', 'metric'): a valid name,
 * free in every spelling. `holder(key)` says who holds a name with that nameKey ('the built-in loss
 * meanSquaredError', 'layer type scale of plugin /x.js'), or null when it is free. Throws a ConfigError whose
 * path is what was called (`registerLoss('mse')`).
 */
export function checkNewNames(call: string, kind: string, names: readonly unknown[], holder: (key: string) => string | null): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new ConfigError(call, `a ${kind} name is a letter followed by letters, digits or underscores, got ${JSON.stringify(name)}`);
    }
    const key = nameKey(name);
    if (seen.has(key)) throw new ConfigError(call, `'${name}' is given twice (names match in any spelling)`);
    seen.add(key);
    const held = holder(key);
    if (held !== null) throw new ConfigError(call, `${kind} '${name}' is taken: it is ${held}; choose another name`);
  }
}

/** The holder of `key` among named entries (canonical names and aliases), or null. */
export function findHolder<T>(key: string, entries: Iterable<[string, T]>, describe: (name: string, entry: T) => string): string | null {
  for (const [name, entry] of entries) if (nameKey(name) === key) return describe(name, entry);
  return null;
}
