// Which BLAS libtorch's matrix products run on: OpenBLAS or another libblas.so.3 (Debian's libtorch), or MKL
// linked into libtorch itself (PyTorch's own builds). With Debian's reference BLAS training is ~8x slower than
// with OpenBLAS, so doctor reports it and warns.
import { getNative } from './native.js';

export interface BlasInfo {
  /** A short name: OpenBLAS x.y.z, MKL x.y, or the library file when it is neither. */
  name: string;
  /** The library the BLAS was found in (libtorch_cpu.so for MKL), null when none was found. */
  path: string | null;
  /** OpenBLAS's own configuration string, null for other libraries. */
  config: string | null;
  isOpenBlas: boolean;
  /**
   * MKL inside libtorch: its threads follow libtorch's intra-op threads (libtorch sets both), so nnlab gives
   * the cores to the intra-op pool instead of setting BLAS threads of their own.
   */
  isMkl: boolean;
}

export function blasInfo(): BlasInfo {
  const info = getNative().blasInfo();
  const isOpenBlas = info.config !== null && info.config.startsWith('OpenBLAS');
  const isMkl = info.mkl !== null;
  // "Intel(R) oneAPI Math Kernel Library Version 2024.2-Product Build 20240605 for ..." -> "MKL 2024.2"
  const mklVersion = isMkl ? (/Version\s+([\d.]+)/.exec(info.mkl!)?.[1] ?? '') : '';
  const name = isOpenBlas ? info.config!.split(' ').slice(0, 2).join(' ') : isMkl ? `MKL ${mklVersion}`.trim() : (info.path ?? 'unknown');
  return { path: info.path, config: info.config, name, isOpenBlas, isMkl };
}
