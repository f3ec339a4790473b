// The caching CPU allocator's statistics, bound and cache release (native/src/allocator.cc). Freed blocks of
// 64 KiB and more are kept for reuse, up to a bound: NNLAB_CPU_CACHE_MB when set (0 turns the cache off), else
// 2 GiB or an eighth of the machine's (or container's) memory, whichever is smaller.
import { getNative } from './native.js';

export interface AllocatorStats {
  /** Whether the caching allocator is installed (NNLAB_CPU_CACHE_MB=0 turns it off). */
  caching: boolean;
  /** Large allocations served from the cache / from the system. */
  hits: number;
  misses: number;
  /** Bytes held in the cache now (freed blocks kept for reuse), and the cap on them. */
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

/**
 * Sets the cap on cached bytes; blocks cached beyond it are returned to the system at once, and a block freed
 * while the cache is full is returned instead of cached. 0 keeps nothing. Throws when the cache is off.
 */
export function setCacheLimit(bytes: number): void {
  getNative().setCacheLimit(bytes);
}
