// Command-line overrides, `--set training.epochs=3`: a field path and a value written as YAML (a scalar or a
// flow collection: `model.units=[64,32]`, `training.optimizer={name: sgd, lr: 0.1}`), applied to the
// experiment as written before anything is checked, so an overridden value is checked like a written one.
import { parseDocument } from 'yaml';
import { ConfigError } from '../../engine/errors.js';
import type { Placed } from './locate.js';
import { parsePath, setPath, type Segment } from './paths.js';
import { checkFieldPath } from './validate.js';
import { defaultAt } from './run-spec.js';
import { recursiveAlias } from './source.js';

export interface Override {
  /** The override as given: 'training.epochs=3'. */
  text: string;
  pathText: string;
  segments: Segment[];
  value: unknown;
}

/** Parses one `path=value` override; a malformed one, or a path the experiment does not have, is a ConfigError. */
export function parseOverride(text: string, file?: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ConfigError('--set', `expected path=value (as in training.epochs=3), got '${text}'`, file);
  const pathText = text.slice(0, eq).trim();
  const valueText = text.slice(eq + 1);
  const segments = parsePath(pathText, (problem) => new ConfigError('--set', `${problem} (from --set ${text})`, file));
  checkFieldPath(segments, (problem) => new ConfigError(pathText, `${problem} (from --set ${text})`, file));
  let value: unknown;
  try {
    const doc = parseDocument(valueText);
    if (doc.errors.length > 0) throw doc.errors[0];
    const cycle = recursiveAlias(doc);
    if (cycle !== undefined) throw new Error(`the alias *${cycle.source} is inside the value it names (a cycle)`);
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new ConfigError(pathText, `cannot read the value '${valueText}' as YAML: ${(e as Error).message.split('\n')[0]} (from --set ${text})`, file);
  }
  return { text, pathText, segments, value: value === undefined ? null : value };
}

/** Applies overrides in order (a later one wins) to `raw`, in place; returns where each value came from. */
export function applyOverrides(raw: Record<string, unknown>, overrides: readonly string[], file?: string): Placed[] {
  return overrides.map((text) => {
    const o = parseOverride(text, file);
    const note = `(from --set ${text})`;
    try {
      setPath(raw, o.segments, o.value, o.pathText, defaultAt);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      throw new ConfigError(e.path, `${e.message.slice(e.path.length + 2)} ${note}`, file);
    }
    return { path: o.segments, origin: { note } };
  });
}
