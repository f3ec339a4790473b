// The bridge used by the generated wrappers: op ids resolved once, and libtorch errors rewritten so that the
// message names the op and the shapes of its tensor arguments.
import { getNative, type OpSchema } from '../engine/native.js';
import { libtorchInfo } from '../engine/libtorch.js';
import { Tensor } from './tensor.js';
import { closest, NnlabError } from '../engine/errors.js';

const native = getNative();

export const call = native.call;

/** The libtorch version the generated wrappers were made from (ops.generated.ts says it when it loads). */
let generatedFor: string | null = null;
/** Whether the libtorch in use is another one, so each op's schema is checked on first use. */
let otherLibtorch: boolean | null = null;
let liveSchemas: Map<string, OpSchema> | undefined;

/** 'aten::add.Tensor', or the bare name for the default overload. */
export function qualifiedName(name: string, overload: string): string {
  return overload ? `${name}.${overload}` : name;
}

/** The schema the libtorch in use has for an op (read once for all ops), or undefined. */
export function liveSchema(name: string, overload: string): OpSchema | undefined {
  liveSchemas ??= new Map(native.opSchemas().map((s) => [qualifiedName(s.name, s.overload), s]));
  return liveSchemas.get(qualifiedName(name, overload));
}

export function wrappersGeneratedFor(version: string): void {
  generatedFor = version;
  otherLibtorch = null;
}

/**
 * Why a wrapper that passes `expected` (its schema's argument names, in order, from the libtorch it was generated
 * from) cannot call `live` positionally, or null when it can: the live schema must start with the same names, and
 * any argument it adds after them must have a default or be optional (the addon fills those in).
 */
export function schemaMismatch(expected: readonly string[], live: OpSchema | undefined): string | null {
  if (!live) return 'the op does not exist';
  for (let i = 0; i < expected.length; i++) {
    const got = live.args[i]?.name;
    if (got !== expected[i]) return `argument ${i + 1} is ${got === undefined ? 'missing' : `'${got}'`}, where the wrapper passes '${expected[i]}'`;
  }
  const extra = live.args.slice(expected.length).find((a) => !a.hasDefault && !a.type.endsWith('?'));
  return extra ? `it adds argument '${extra.name}' (${extra.type}) with no default` : null;
}

/**
 * Resolves an op to its id (cached in the addon too). Unknown names get a "did you mean". With `args` (the
 * names the generated wrapper passes, comma-separated), on a libtorch other than the one the wrappers were
 * generated from, the op's schema there is checked once: a wrapper that would pass its arguments to the wrong
 * parameters is an error that says so, not a wrong result.
 */
export function opId(name: string, overload = '', args?: string): number {
  try {
    const id = native.opId(name, overload);
    if (args !== undefined && (otherLibtorch ??= generatedFor !== null && libtorchInfo().version !== generatedFor)) {
      const key = qualifiedName(name, overload);
      const problem = schemaMismatch(args ? args.split(',') : [], liveSchema(name, overload));
      if (problem) {
        throw new NnlabError(
          `${key}: nnlab's wrapper was generated from libtorch ${generatedFor}, and on libtorch ${libtorchInfo().version} ${problem}. ` +
            'Regenerate the wrappers for this libtorch with `npm run gen:ops`.',
        );
      }
    }
    return id;
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === 'NNLAB_UNKNOWN_OP') {
      const near = suggestOps(name);
      if (near.length) err.message += `; did you mean ${near.map((n) => `'${n}'`).join(', ')}?`;
    }
    throw err;
  }
}

let allNames: string[] | undefined;
function suggestOps(name: string): string[] {
  allNames ??= [...new Set(native.opSchemas().map((s) => s.name))];
  const near = closest(name, allNames);
  return near ? [near] : [];
}

function describe(value: unknown): string {
  if (value instanceof Tensor) {
    if (value.isDisposed) return 'Tensor(disposed)';
    return `Tensor[${value.shape.join(', ')}] ${value.dtype}`;
  }
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (typeof value === 'number') return String(value); // NaN and Infinity as themselves (JSON would say null)
  return value === undefined ? '_' : JSON.stringify(value);
}

/** The error to throw when op `qualified` failed on `args`: the libtorch message, prefixed by the call. */
export function opError(qualified: string, args: unknown[], error: unknown): Error {
  const e = error as Error;
  while (args.length && args[args.length - 1] === undefined) args.pop();
  // Argument errors from the addon already start with the op's name: keep one.
  const message = e.message.startsWith(`${qualified}: `) ? e.message.slice(qualified.length + 2) : e.message;
  // The addon's argument checks throw TypeError or RangeError (a NaN or fractional int, say): keep the class.
  const Kind = e instanceof RangeError ? RangeError : e instanceof TypeError ? TypeError : Error;
  const wrapped = new Kind(`${qualified}(${args.map(describe).join(', ')}): ${message}`, { cause: e });
  wrapped.name = e.name === 'TorchError' ? 'TorchError' : e.name;
  return wrapped;
}
