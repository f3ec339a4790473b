// Memory scopes. libtorch memory is invisible to V8, so tensors are freed explicitly: by dispose(), by a
// `using` declaration, or by the tidy() scope they were made in (as in tfjs). Tensors dropped without any of
// these are still freed when V8 collects them, only later.

export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Disposable[][] = [];
const kept = new WeakSet<Disposable>();

/** Called for every new tensor: it belongs to the innermost open scope, if any. */
export function track<T extends Disposable>(t: T): T {
  if (scopes.length > 0) scopes[scopes.length - 1].push(t);
  return t;
}

/** Exempts a tensor from every enclosing tidy(); it lives until disposed. */
export function keep<T extends Disposable>(t: T): T {
  kept.add(t);
  return t;
}

function collect(value: unknown, into: Set<Disposable>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 4) return;
  if (typeof (value as Disposable).dispose === 'function' && 'isDisposed' in (value as object)) {
    into.add(value as Disposable);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, into, depth + 1);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, into, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, into, depth + 1);
  }
}

/**
 * Runs fn and disposes every tensor made inside it, except those it returns (found in arrays, plain objects
 * and Maps) and those kept with keep(). Returned tensors pass to the enclosing scope. fn must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  scopes.push([]);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    for (const t of scopes.pop()!) if (!kept.has(t)) t.dispose();
    throw e;
  }
  const created = scopes.pop()!;
  if (result instanceof Promise) {
    for (const t of created) if (!kept.has(t)) t.dispose();
    throw new TypeError('tidy: fn returned a Promise; tidy only scopes synchronous code (await inside it would free tensors still in use)');
  }
  const returned = new Set<Disposable>();
  collect(result, returned);
  for (const t of created) {
    if (returned.has(t)) track(t);
    else if (!kept.has(t)) t.dispose();
  }
  return result;
}

/** Disposes a tensor, or every tensor in an array, Map or plain object. */
export function dispose(value: unknown): void {
  const found = new Set<Disposable>();
  collect(value, found);
  for (const t of found) t.dispose();
}

/** How many tidy() scopes are open (for tests). */
export function scopeDepth(): number {
  return scopes.length;
}
