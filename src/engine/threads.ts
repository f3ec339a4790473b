// Thread settings. They matter more than anything else on a small machine (see docs/architecture.md): for an MLP,
// two intra-op threads plus OpenBLAS's two threads oversubscribe two cores and run ~4x slower than one
// intra-op thread; convolutions prefer intra-op threads. Set them before the first op of a workload.
import os from 'node:os';
import { blasInfo } from './blas.js';
import { getNative } from './native.js';

export interface ThreadSettings {
  intraOp: number;
  interOp: number;
  /** OpenBLAS threads, or null when the BLAS in use is not OpenBLAS. */
  blas: number | null;
}

/** Settings to apply; those left out stay as they are. */
export interface ThreadRequest {
  intraOp?: number;
  interOp?: number;
  blas?: number;
}

/** Workloads with measured-best settings; `auto` leaves libtorch's defaults. */
export type Workload = 'dense' | 'conv' | 'auto';

export function getThreads(): ThreadSettings {
  return getNative().threads();
}

/**
 * Applies the given settings. The inter-op count can only be set once per process and before any inter-op
 * work (a libtorch rule), so it is only applied when it differs from the current one.
 */
export function setThreads(settings: ThreadRequest): ThreadSettings {
  const native = getNative();
  if (settings.intraOp !== undefined) native.setIntraOpThreads(settings.intraOp);
  if (settings.interOp !== undefined && settings.interOp !== native.threads().interOp) {
    native.setInterOpThreads(settings.interOp);
  }
  if (settings.blas !== undefined) {
    if (native.threads().blas !== null) native.setBlasThreads(settings.blas);
    else if (!warned) {
      warned = true;
      process.emitWarning(blasThreadsUnsettable(null, blasInfo().name)!, { code: 'NNLAB_BLAS_THREADS' });
    }
  }
  return native.threads();
}

let warned = false;

/**
 * Why a BLAS thread count cannot be applied (null when it can): only OpenBLAS has a setting nnlab can reach.
 * MKL, the BLAS of PyTorch's own builds, follows libtorch's intra-op threads instead; another BLAS runs with
 * its own. Said once per process as a warning, not an error: training still runs. (threadsFor asks for no BLAS
 * threads where the BLAS is MKL, so only an explicit training.threads.blas gets here.)
 */
export function blasThreadsUnsettable(current: number | null, name: string): string | null {
  if (current !== null) return null;
  return (
    `the BLAS in use (${name}) has no thread setting nnlab can reach (only OpenBLAS has one), so the BLAS thread count ` +
    'is left as it is; MKL follows the intra-op threads (set training.threads.intraOp), other libraries use their own settings'
  );
}

/**
 * The settings measured best for a workload on this machine's core count (bench/ shows the figures):
 * dense layers are BLAS-bound, so BLAS gets the cores and libtorch's own pool one thread; convolutions run
 * in libtorch's kernels (im2col + sgemm inside the intra-op pool), so the pool gets the cores. Where the BLAS
 * is MKL (PyTorch's builds), MKL runs in libtorch's own OpenMP pool: the pool gets the cores for both, as
 * PyTorch itself does, and there are no BLAS threads to set.
 */
export function threadsFor(workload: Workload, cores = os.availableParallelism(), mkl = blasInfo().isMkl): ThreadRequest {
  switch (workload) {
    case 'dense':
      return mkl ? { intraOp: cores } : { intraOp: 1, blas: cores };
    case 'conv':
      return mkl ? { intraOp: cores } : { intraOp: cores, blas: 1 };
    case 'auto':
      return {};
  }
}
