// Field paths into an experiment: 'training.optimizer.lr', 'model.layers[2].units' (or 'model.layers.2.units').
// A path is parsed into segments (keys and list indices) to read, set and locate values; errors print it back
// in the dotted form. Study factor names contain dots themselves ('model.activation'), so below
// `study.factors` the rest of a path is one key.
import { ConfigError } from '../../engine/errors.js';

export type Segment = string | number;

/** 'a.b[0].c' or 'a.b.0.c' -> ['a', 'b', 0, 'c']; a malformed path throws what `fail` makes of the problem. */
export function parsePath(text: string, fail: (problem: string) => Error = (problem) => new ConfigError('', problem)): Segment[] {
  const out: Segment[] = [];
  const parts = text.split('.');
  for (const part of parts) {
    const m = /^([\w$-]*)((?:\[\d+\])*)$/.exec(part);
    if (m === null || (m[1] === '' && m[2] === '')) {
      throw fail(`'${text}' is not a field path (write it as training.optimizer.lr or model.layers[0].units)`);
    }
    if (m[1] !== '') out.push(/^\d+$/.test(m[1]) && out.length > 0 ? Number(m[1]) : m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  if (typeof out[0] !== 'string') throw fail(`'${text}' must start with a field name`);
  return joinFactorKey(out);
}

/** Below study.factors, the rest of the path is one factor name: ['study', 'factors', 'model.activation']. */
function joinFactorKey(segments: Segment[]): Segment[] {
  if (segments[0] === 'study' && segments[1] === 'factors' && segments.length > 3) {
    return ['study', 'factors', segments.slice(2).join('.')];
  }
  return segments;
}

/** ['model', 'layers', 0, 'units'] -> 'model.layers[0].units'. */
export function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** The value at `segments`, or undefined where the path leads nowhere. */
export function getPath(root: unknown, segments: readonly Segment[]): unknown {
  let node = root;
  for (const s of segments) {
    if (Array.isArray(node) ? typeof s !== 'number' : !isRecord(node)) return undefined;
    node = (node as Record<string | number, unknown>)[s];
  }
  return node;
}

/**
 * Sets the value at `segments` in a plain-data tree (in place). Missing or null objects on the way are
 * created, from `defaults` of their path where it has one (the default optimizer, say); a component given by its name alone ('adam') becomes `{ name: 'adam' }` so one of its parameters
 * can be set. A list index must exist; a number on an object is a key (classWeight.0). Problems are ConfigErrors at `where` (the path as the user wrote it).
 */
export function setPath(
  root: Record<string, unknown>,
  segments: readonly Segment[],
  value: unknown,
  where: string,
  defaults: (segments: readonly Segment[]) => unknown = () => undefined,
): void {
  let node: Record<string | number, unknown> | unknown[] = root;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const last = i === segments.length - 1;
    const here = formatPath(segments.slice(0, i));
    if (typeof s === 'number' && Array.isArray(node)) {
      if (s >= node.length) throw new ConfigError(where, `${here} has ${node.length} entries; [${s}] does not exist`);
    } else if (Array.isArray(node)) {
      throw new ConfigError(where, `${here} is a list: give an index, as in ${here}[0]`);
    }
    const rec = node as Record<string | number, unknown>;
    if (last) {
      rec[s] = value;
      return;
    }
    let next = rec[s];
    if (next === undefined || next === null) next = structuredClone(defaults(segments.slice(0, i + 1)) ?? {});
    if (typeof next === 'string' && typeof segments[i + 1] === 'string') next = { name: next };
    else if (typeof next !== 'object' || next === null) {
      throw new ConfigError(where, `${formatPath(segments.slice(0, i + 1))} is ${JSON.stringify(next)}, not an object with fields`);
    }
    rec[s] = next;
    node = next as Record<string | number, unknown> | unknown[];
  }
}

/** Whether path `a` is `b` or lies inside it (['model'] contains ['model', 'units']). */
export function isPrefix(a: readonly Segment[], b: readonly Segment[]): boolean {
  return a.length <= b.length && a.every((s, i) => s === b[i]);
}
