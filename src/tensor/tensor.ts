// The Tensor: a JS object around one native handle. Ops live in ops.generated.ts (functions) and are also
// installed as methods (methods.generated.ts); this file holds what is not an ATen op: data in and out,
// metadata, autograd entry points and disposal.
import { getNative, type Handle } from '../engine/native.js';
import { track } from './scope.js';
import type { DType, TypedArray } from './dtype.js';

const native = getNative();

// Tensors dropped without dispose() are freed when V8 collects them. dispose() ignores handles already freed,
// so an explicit dispose followed by this callback is harmless.
const reclaim = new FinalizationRegistry<Handle>((h) => native.dispose(h));

export class Tensor {
  /** The native handle; pass it to native calls, never keep it beyond the tensor. */
  readonly h: Handle;

  constructor(handle: Handle | null) {
    if (handle === null) throw new Error('an op returned an undefined tensor where a tensor was expected');
    this.h = handle;
    reclaim.register(this, handle); // no unregister token: unregister() would cost ~0.25 µs per dispose
    track(this);
  }

  get shape(): number[] {
    return native.shape(this.h);
  }
  get rank(): number {
    return native.shape(this.h).length;
  }
  get size(): number {
    return native.shape(this.h).reduce((a, b) => a * b, 1);
  }
  get dtype(): DType {
    return native.dtype(this.h) as DType;
  }
  get device(): string {
    return native.device(this.h);
  }

  // ---- data out --------------------------------------------------------------------------------------
  /** A copy of the data in the TypedArray of its dtype (int64 -> BigInt64Array, bool -> Uint8Array). */
  toTypedArray(): TypedArray {
    return native.toArray(this.h) as TypedArray;
  }
  /** A copy of the data as plain numbers, flattened in row-major order. */
  toNumbers(): number[] {
    const data = native.toArray(this.h) as TypedArray;
    return data instanceof BigInt64Array ? Array.from(data, Number) : Array.from(data as ArrayLike<number>);
  }
  /** The value of a one-element tensor. */
  item(): number {
    return Number(native.item(this.h));
  }

  /** This tensor on another device and/or of another dtype (itself when nothing changes, as in PyTorch). */
  to(target: { device?: string; dtype?: DType } | DType | string): Tensor {
    const spec = typeof target === 'string' ? (target.includes(':') || target === 'cpu' || target === 'cuda' ? { device: target } : { dtype: target as DType }) : target;
    return new Tensor(native.to(this.h, spec.device ?? null, spec.dtype ?? null));
  }

  // ---- autograd --------------------------------------------------------------------------------------
  get requiresGrad(): boolean {
    return native.info(this.h)[3];
  }
  /** Marks a leaf tensor as a parameter whose gradient is accumulated; returns this. */
  requiresGrad_(on = true): this {
    native.setRequiresGrad(this.h, on);
    return this;
  }
  /** Backpropagates from this tensor (a scalar, or pass the gradient). */
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    native.backward(this.h, gradient?.h ?? null, options.retainGraph);
  }
  /** The accumulated gradient (a new tensor object sharing the storage), or null. */
  get grad(): Tensor | null {
    const g = native.grad(this.h);
    return g === null ? null : new Tensor(g);
  }
  /** Clears the gradient: set to none (default, as PyTorch 2) or filled with zeros. */
  zeroGrad(setToNone = true): void {
    native.zeroGrad(this.h, setToNone);
  }
  /** The name of the autograd node that made this tensor, e.g. 'AddmmBackward0', or null for a leaf. */
  get gradFn(): string | null {
    return native.gradFn(this.h);
  }

  // ---- lifetime --------------------------------------------------------------------------------------
  /** Frees the native tensor now. Idempotent. */
  dispose(): void {
    native.dispose(this.h);
  }
  get isDisposed(): boolean {
    return native.isDisposed(this.h);
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    if (this.isDisposed) return 'Tensor(disposed)';
    const [dtype, shape, device] = native.info(this.h);
    return `Tensor(${dtype}, [${shape.join(', ')}], ${device})`;
  }
}

/**
 * Counts of the native tensors alive right now, and of the storages they hold with their bytes (for leak
 * tests and doctor). Bytes are counted once per storage: views and re-read gradients share one.
 */
export function liveTensors(): { tensors: number; bytes: number; storages: number } {
  return native.live();
}
