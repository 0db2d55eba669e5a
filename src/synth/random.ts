/**
 * Seeded pseudo-random numbers for the scene generator. Every scene draws from its own
 * stream, derived from the run seed and the scene index, so scenes can be rendered in any
 * order or in parallel and still come out byte-identical for the same seed.
 */

/** Mixes 32-bit words into one well-spread 32-bit seed (multiply-xorshift steps with MurmurHash3's fmix32 constants). */
export function mixSeed(...words: number[]): number {
  let hash = 0x9e3779b9;
  for (const word of words) {
    hash = Math.imul(hash ^ (word >>> 0), 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
    hash = (hash + 0x9e3779b9) >>> 0;
  }
  return hash >>> 0;
}

/** An sfc32 generator: 128 bits of state and a counter that guarantees a period of at least 2^32. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = mixSeed(seed, 1);
    this.b = mixSeed(seed, 2);
    this.c = mixSeed(seed, 3);
    this.d = 1;
    // The first outputs of sfc32 are correlated with the seed; discard them.
    for (let i = 0; i < 12; i++) {
      this.next();
    }
  }

  /** Creates the generator for one named stream of one item (scene, frame) of a run. */
  static derive(seed: number, ...keys: number[]): Random {
    return new Random(mixSeed(seed, ...keys));
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Fills `target` with the next `target.length` values of next(), faster than calling it in a loop. */
  fill(target: Float64Array): void {
    let { a, b, c, d } = this;
    for (let i = 0; i < target.length; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      target[i] = (t >>> 0) / 4294967296;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Log-uniform in [min, max); both must be positive. */
  logRange(min: number, max: number): number {
    return Math.exp(this.range(Math.log(min), Math.log(max)));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** Standard normal sample (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new RangeError("Random.pick needs a non-empty list but received an empty one.");
    }
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks an item with probability proportional to its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let threshold = this.next() * total;
    for (const [item, weight] of items) {
      threshold -= weight;
      if (threshold < 0) {
        return item;
      }
    }
    const last = items[items.length - 1];
    if (last === undefined) {
      throw new RangeError("Random.weighted needs a non-empty list but received an empty one.");
    }
    return last[0];
  }

  /** Returns a shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = items.slice();
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const swap = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = swap;
    }
    return copy;
  }
}
