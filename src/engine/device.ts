// Devices: CUDA when the libtorch in use was built with it and a GPU is present, else the CPU.
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
