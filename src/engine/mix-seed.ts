// Mixing integers into one seed, in plain JavaScript (no native code): the data pipeline derives its shuffles'
// and epochs' seeds with it, and the tuner seeds its samplers' generators with it.

/** Mixes integers into one well-spread seed in [0, 2^32) (a murmur3-style finaliser over each part). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    // Fold in the low and high 32 bits of each (safe-integer) part.
    for (const word of [p >>> 0, Math.floor(p / 2 ** 32) >>> 0]) {
      h = Math.imul(h ^ word, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 0;
}
