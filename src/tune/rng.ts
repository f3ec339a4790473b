// Seeded randomness for the tuner, in plain JavaScript so that a sampler's suggestions depend only on its seed
// and the trials it has seen, never on libtorch's generator or on what training drew. A sampler makes one Rng
// per trial from (seed, trial number, ...), so a study that is resumed, or run by several processes, asks for
// the same suggestions it would have asked for in one go.
import { mixSeed } from '../engine/mix-seed.js';

/** Mixes integers into one well-spread 32-bit seed (engine/mix-seed.ts, shared with the data pipeline). */
export const mix = mixSeed;

/** A small, fast generator (sfc32) with the draws samplers need. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  constructor(...seed: number[]) {
    this.a = mix(...seed, 1);
    this.b = mix(...seed, 2);
    this.c = mix(...seed, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next32();
  }

  private next32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1), 53 bits. */
  uniform(): number {
    return (this.next32() * 2 ** 21 + (this.next32() >>> 11)) / 2 ** 53;
  }

  /** Uniform in [low, high). */
  between(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.uniform() * n));
  }

  /** A standard normal draw (Marsaglia's polar method). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * m;
        return u * m;
      }
    }
  }

  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}
