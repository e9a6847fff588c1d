import seedrandom from 'seedrandom';

/** A seeded generator: the same seed gives the same weights and inputs on every machine. */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

export function createRng(seed: number | string): Rng {
  const next = seedrandom.alea(String(seed));
  let spare: number | undefined;
  return {
    uniform: () => next(),
    normal() {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const r = Math.sqrt(-2 * Math.log(u)), t = 2 * Math.PI * next();
      spare = r * Math.sin(t);
      return r * Math.cos(t);
    },
  };
}

/** `n` normal samples times `std`, as float32. */
export function normalArray(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return out;
}

/**
 * `size` values: `block` normal draws (std 1) repeated, for inputs whose values do not change how long a
 * pass takes (none is denormal): the matmul ceiling's operands, the decode pool. Drawing 8 M normals for
 * the ceiling's [2048×2048]² product took 0.42 s a shape.
 */
export function repeatedNormals(rng: Rng, size: number, block: number): Float32Array {
  const drawn = normalArray(rng, Math.min(size, block), 1), out = new Float32Array(size);
  for (let i = 0; i < size; i += drawn.length) out.set(drawn.subarray(0, Math.min(drawn.length, size - i)), i);
  return out;
}
