// Which BLAS libtorch's matrix products run on. With Debian's reference BLAS training is ~8x slower than with
// OpenBLAS, so doctor reports it and warns.
import { getNative } from './native.js';

export interface BlasInfo {
  /** A short name: OpenBLAS x.y.z, or the library file when it is not OpenBLAS. */
  name: string;
  path: string | null;
  config: string | null;
  isOpenBlas: boolean;
}

export function blasInfo(): BlasInfo {
  const info = getNative().blasInfo();
  const isOpenBlas = info.config !== null && info.config.startsWith('OpenBLAS');
  const name = isOpenBlas ? info.config!.split(' ').slice(0, 2).join(' ') : (info.path ?? 'unknown');
  return { ...info, name, isOpenBlas };
}
