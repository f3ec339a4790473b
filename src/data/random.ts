// Seeded randomness for the data pipeline. Shuffles, splits and augmentations draw from libtorch's generator
// (one source of randomness for the whole run). A component with its own seed runs under withSeed(), which
// seeds the generator for its draws and afterwards moves the generator on to a state drawn from where it was:
// the component's draws depend only on its seed, and the rest of the run stays deterministic without ever
// replaying the same numbers (as reseeding with a fixed value every epoch would do to dropout masks).
import type { FieldSpec } from '../engine/fields.js';
import { manualSeed } from '../engine/seed.js';
import { ops, tidy } from '../tensor/index.js';

export { mixSeed } from '../engine/mix-seed.js';

/**
 * Runs fn with libtorch's generator seeded to `seed` (when given; otherwise, undefined or null, fn draws from
 * the generator as it is). fn must be synchronous.
 */
export function withSeed<T>(seed: number | null | undefined, fn: () => T): T {
  if (seed === undefined || seed === null) return fn();
  const [hi, lo] = tidy(() => ops.randint(0, 2 ** 31 - 1, [2], 'int64').toNumbers());
  manualSeed(seed);
  try {
    return fn();
  } finally {
    manualSeed(hi * 2 ** 21 + (lo % 2 ** 21));
  }
}

/** A JS generator of uniform numbers in [0, 1) (mulberry32), for one-off conversions that must not depend on libtorch's version. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A permutation of 0..n-1 from mulberry32(seed) by Fisher-Yates (one-off use, e.g. a cache's fixed order). */
export function fixedPermutation(n: number, seed: number): Int32Array {
  const rand = mulberry32(seed);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** A seed field of a data config: a non-negative integer, or none (draw from libtorch's generator as it stands). */
export const SEED_FIELD = { type: 'optionalInteger', min: 0 } as const satisfies FieldSpec;
