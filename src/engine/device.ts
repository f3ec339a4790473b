// Devices: CUDA when the libtorch in use was built with it and a GPU is present, else the CPU. A training
// config names one as `auto`, `cpu`, `cuda` or `cuda:N`; resolveDevice turns that into the device tensors go
// to, or a ConfigError that says what this machine has.
import { ConfigError } from './errors.js';
import { getNative } from './native.js';

export interface CudaInfo {
  available: boolean;
  deviceCount: number;
  cudnn: boolean;
}

export function cudaInfo(): CudaInfo {
  return getNative().cuda();
}

/** 'cuda' when a GPU can be used, else 'cpu'. */
export function defaultDevice(): string {
  return cudaInfo().available ? 'cuda' : 'cpu';
}

/** What a config may say. */
export const DEVICE_NAMES = ['auto', 'cpu', 'cuda', 'cuda:N'] as const;

/**
 * The device a request means on this machine: `auto` is cuda:0 when CUDA is available, else cpu; `cuda` is
 * cuda:0. Asking for CUDA where there is none, or for a GPU index the machine does not have, is a ConfigError
 * at `path` naming what was found and what to do.
 */
export function resolveDevice(request: string, path = 'training.device', info: CudaInfo = cudaInfo()): string {
  const r = request.trim().toLowerCase();
  if (r === 'auto') return info.available && info.deviceCount > 0 ? 'cuda:0' : 'cpu';
  if (r === 'cpu') return 'cpu';
  const m = /^cuda(?::(\d+))?$/.exec(r);
  if (!m) throw new ConfigError(path, `unknown device '${request}'; expected one of auto, cpu, cuda, cuda:N (N a GPU index)`);
  if (!info.available || info.deviceCount === 0) {
    throw new ConfigError(
      path,
      `'${request}' asks for CUDA, but the libtorch in use has no CUDA device (no GPU, or a CPU-only libtorch such as ` +
        "Debian's); use device: cpu, or auto to take a GPU only where there is one (nnlab doctor shows what was found)",
    );
  }
  const index = m[1] === undefined ? 0 : Number(m[1]);
  if (index >= info.deviceCount) {
    const have = Array.from({ length: info.deviceCount }, (_, i) => `cuda:${i}`).join(', ');
    throw new ConfigError(path, `'${request}': this machine has ${info.deviceCount} GPU${info.deviceCount > 1 ? 's' : ''} (${have})`);
  }
  return `cuda:${index}`;
}
