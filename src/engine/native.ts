// Loads the native addon (native/src, built by node-gyp into build/Release/nnlab.node) and types its surface.
// Everything that touches libtorch goes through this object; nothing else in nnlab loads native code.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** A reference to one libtorch tensor owned by the addon: a number naming a native slot (see tensor_box.cc). */
export type Handle = number & { readonly __nnlabTensorHandle: unique symbol };

export interface NativeAddon {
  // tensors
  fromArray(data: ArrayBufferView, shape: readonly number[], dtype?: string): Handle;
  toArray(h: Handle): ArrayBufferView;
  info(h: Handle): [dtype: string, shape: number[], device: string, requiresGrad: boolean];
  shape(h: Handle): number[];
  dtype(h: Handle): string;
  device(h: Handle): string;
  item(h: Handle): number | boolean;
  to(h: Handle, device?: string | null, dtype?: string | null): Handle;
  /** Frees the tensor; false when it was already freed. */
  dispose(h: Handle): boolean;
  isDisposed(h: Handle): boolean;
  /** Live tensors, and the bytes and number of the storages they hold (a view shares its base's storage). */
  live(): { tensors: number; bytes: number; storages: number };
  // ops
  opId(name: string, overload: string): number;
  call(id: number, ...args: unknown[]): any;
  loopOp(id: number, n: number, ...args: unknown[]): number;
  noop(): void;
  opSchemas(): OpSchema[];
  // autograd
  setRequiresGrad(h: Handle, on: boolean): void;
  backward(h: Handle, gradient?: Handle | null, retainGraph?: boolean): void;
  grad(h: Handle): Handle | null;
  zeroGrad(h: Handle, setToNone?: boolean): void;
  gradFn(h: Handle): string | null;
  setGradEnabled(on: boolean): boolean;
  isGradEnabled(): boolean;
  // runtime
  threads(): { intraOp: number; interOp: number; blas: number | null };
  setIntraOpThreads(n: number): void;
  setInterOpThreads(n: number): void;
  setBlasThreads(n: number): void;
  blasInfo(): { path: string | null; config: string | null; mkl: string | null };
  manualSeed(seed: number): void;
  cuda(): { available: boolean; deviceCount: number; cudnn: boolean };
  build(): { torchVersion: string; libtorchPath: string; parallelInfo: string };
  // the caching CPU allocator (allocator.cc)
  allocatorStats(): { caching: boolean; hits: number; misses: number; cachedBytes: number; limitBytes: number };
  emptyCache(): void;
  setCacheLimit(bytes: number): void;
  // fused optimiser updates (optim_kernels.cc); false when the tensors do not fit the fused path
  adamStep(
    param: Handle, grad: Handle, expAvg: Handle, expAvgSq: Handle, maxExpAvgSq: Handle | null,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: boolean, step: number,
  ): boolean;
  // the dense layer over sparse inputs (sparse_linear.cc)
  sparseInputLinear(x: Handle, weight: Handle, bias: Handle | null, kernel: Handle | null): Handle;
  sparseLinearIsa(variant?: string): string;
  sparseLinearInfo(): { enabled: boolean; kernels: string; sparse: number; blas: number };
}

export interface OpSchemaArg {
  name: string;
  type: string;
  /** The fixed length of a list argument (int[2]), else 0. */
  n: number;
  hasDefault: boolean;
  default?: string;
  kwargOnly: boolean;
  writes: boolean;
}

export interface OpSchema {
  name: string;
  overload: string;
  schema: string;
  args: OpSchemaArg[];
  returns: { name: string; type: string }[];
  /** Index of the input that an in-place or out= op returns, else -1. */
  returnsArg: number;
}

/** The folder that holds package.json (two levels above dist/src/engine). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where the addon is looked for: NNLAB_ADDON, else the node-gyp build folder. */
export function addonPath(): string {
  return process.env.NNLAB_ADDON
    ? path.resolve(process.env.NNLAB_ADDON)
    : path.join(packageRoot, 'build', 'Release', 'nnlab.node');
}

export class AddonError extends Error {
  override name = 'AddonError';
}

let loaded: NativeAddon | undefined;

/**
 * The addon, loaded on first use; throws AddonError with the fix when it is missing or cannot load.
 *
 * One thread per process: the first thread (main or worker_threads) to load the addon owns it, and loading
 * it in another thread while the owner lives throws an AddonError naming both threads (native/src/addon.cc;
 * its tables are unlocked). The owner gives it up when it exits, freeing its tensors. Run parallel work in
 * child processes.
 */
export function getNative(): NativeAddon {
  if (loaded) return loaded;
  const file = addonPath();
  if (!existsSync(file)) {
    throw new AddonError(
      `nnlab's native addon is not built: ${file} does not exist.\n` +
        'Build it with `npm run build:native` (it needs libtorch: `bash scripts/setup.sh` installs it first).',
    );
  }
  try {
    loaded = createRequire(import.meta.url)(file) as NativeAddon;
  } catch (e) {
    const err = e as Error & { code?: string };
    // Refusals of the addon itself (another thread owns it; a bad NNLAB_* setting) say what to do already;
    // rebuilding would not help.
    if (err.code === 'NNLAB_ADDON_THREAD' || err.code === 'NNLAB_BAD_SETTING') {
      throw Object.assign(new AddonError(err.message), { code: err.code });
    }
    throw new AddonError(
      `nnlab's native addon ${file} cannot be loaded: ${err.message}\n` +
        'If libtorch moved or was removed since the build, rebuild with `npm run build:native`.',
    );
  }
  return loaded;
}
