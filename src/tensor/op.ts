// The bridge used by the generated wrappers: op ids resolved once, and libtorch errors rewritten so that the
// message names the op and the shapes of its tensor arguments.
import { getNative } from '../engine/native.js';
import { Tensor } from './tensor.js';
import { closest } from '../engine/errors.js';

const native = getNative();

export const call = native.call;

/** Resolves an op to its id (cached in the addon too). Unknown names get a "did you mean". */
export function opId(name: string, overload = ''): number {
  try {
    return native.opId(name, overload);
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
  return value === undefined ? '_' : JSON.stringify(value);
}

/** The error to throw when op `qualified` failed on `args`: the libtorch message, prefixed by the call. */
export function opError(qualified: string, args: unknown[], error: unknown): Error {
  const e = error as Error;
  while (args.length && args[args.length - 1] === undefined) args.pop();
  // Argument errors from the addon already start with the op's name: keep one.
  const message = e.message.startsWith(`${qualified}: `) ? e.message.slice(qualified.length + 2) : e.message;
  const wrapped = new Error(`${qualified}(${args.map(describe).join(', ')}): ${message}`, { cause: e });
  wrapped.name = e.name === 'TorchError' ? 'TorchError' : e.name;
  return wrapped;
}
