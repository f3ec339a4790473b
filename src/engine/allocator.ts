// The caching CPU allocator's statistics and cache release (native/src/allocator.cc).
import { getNative } from './native.js';

export interface AllocatorStats {
  /** Whether the caching allocator is installed (NNLAB_CPU_CACHE_MB=0 turns it off). */
  caching: boolean;
  /** Large allocations served from the cache / from the system. */
  hits: number;
  misses: number;
  /** Bytes held in the cache now, and the cap. */
  cachedBytes: number;
  limitBytes: number;
}

export function allocatorStats(): AllocatorStats {
  return getNative().allocatorStats();
}

/** Returns every cached block to the system (the live tensors are untouched). */
export function emptyCache(): void {
  getNative().emptyCache();
}
