/**
 * Pure, seeded, splittable random keys (the JAX PRNG model) on the counter-based Threefry-2x32-20 generator
 * (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3").
 *
 * A {@link Key} is an immutable pair of 32-bit words. Every draw is a pure function of a key: the same key always
 * gives the same numbers, and a key is never advanced in place. To draw several independent things, {@link split}
 * the key (or {@link foldIn} a step number) and use each child once. Block `i` of a key's stream is
 * `threefry(key, (i, 0))`; children and folded keys are drawn from separate counter domains, so they never reuse a
 * parent's stream.
 *
 * @example
 * ```ts
 * import { Rng } from '@polyak/core'
 *
 * const [initKey, noiseKey] = Rng.split(Rng.key(42))
 * const weights = Rng.uniformF32(initKey, 6, -0.1, 0.1)
 * const noise = Rng.normal(Rng.foldIn(noiseKey, 7), 3, 0, 0.2)
 * ```
 *
 * @module Rng
 */

/** An immutable random key: two unsigned 32-bit words. */
export interface Key {
  readonly _tag: 'RngKey'
  readonly words: readonly [number, number]
}

const TWO_32 = 2 ** 32
const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const
const PARITY = 0x1bd11bda
/** Counter domains (second counter word): draws, children of split, folded keys. */
const DOMAIN_DRAW = 0
const DOMAIN_SPLIT = 1
const DOMAIN_FOLD = 2

const makeKey = (k0: number, k1: number): Key =>
  Object.freeze({ _tag: 'RngKey', words: Object.freeze([k0 >>> 0, k1 >>> 0]) as readonly [number, number] })

/**
 * The Threefry-2x32 block function with 20 rounds: maps a key and a two-word counter to two pseudo-random words.
 * Written into `out[offset]` and `out[offset + 1]`.
 */
const threefryInto = (k0: number, k1: number, c0: number, c1: number, out: Uint32Array, offset: number): void => {
  const k2 = (PARITY ^ k0 ^ k1) >>> 0
  const ks = [k0, k1, k2]
  let x0 = (c0 + k0) >>> 0
  let x1 = (c1 + k1) >>> 0
  for (let round = 0; round < 20; round++) {
    const r = ROTATIONS[round % 8] as number
    x0 = (x0 + x1) >>> 0
    x1 = ((x1 << r) | (x1 >>> (32 - r))) >>> 0
    x1 = (x1 ^ x0) >>> 0
    if (round % 4 === 3) {
      const s = (round + 1) / 4
      x0 = (x0 + (ks[s % 3] as number)) >>> 0
      x1 = (x1 + (ks[(s + 1) % 3] as number) + s) >>> 0
    }
  }
  out[offset] = x0
  out[offset + 1] = x1
}

/**
 * The raw Threefry-2x32-20 block: exposed for known-answer tests and for users who need the bare generator.
 *
 * @example
 * ```ts
 * threefry2x32([0, 0], [0, 0]) // [0x6b200159, 0x99ba4efe]
 * ```
 */
export const threefry2x32 = (key: readonly [number, number], counter: readonly [number, number]): [number, number] => {
  const out = new Uint32Array(2)
  threefryInto(key[0] >>> 0, key[1] >>> 0, counter[0] >>> 0, counter[1] >>> 0, out, 0)
  return [out[0] as number, out[1] as number]
}

/**
 * A key from an integer seed. Any safe integer works (negative and above 2³² too): the high and low 32 bits of the
 * seed's 64-bit two's complement become the two words, as in JAX.
 *
 * @throws when the seed is not a safe integer
 *
 * @example
 * ```ts
 * const k = key(0)
 * ```
 */
export const key = (seed: number): Key => {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`Rng.key: seed must be a safe integer, got ${seed}`)
  return makeKey(Math.floor(seed / TWO_32), seed)
}

/**
 * `n` independent child keys (default 2). The parent should not be used for draws afterwards.
 *
 * @example
 * ```ts
 * const [actorKey, criticKey] = split(key(1))
 * ```
 */
export const split = (parent: Key, n = 2): readonly Key[] => {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Rng.split: n must be an integer >= 0, got ${n}`)
  const [k0, k1] = parent.words
  const out = new Uint32Array(2)
  const keys: Key[] = []
  for (let i = 0; i < n; i++) {
    threefryInto(k0, k1, i, DOMAIN_SPLIT, out, 0)
    keys.push(makeKey(out[0] as number, out[1] as number))
  }
  return keys
}

/**
 * A new key derived from a key and an integer (a step number, an environment index): `foldIn(k, i)` differs for
 * every `i` in [0, 2³²) and from every child of `split(k)`.
 *
 * @example
 * ```ts
 * const stepKey = foldIn(noiseKey, step)
 * ```
 */
export const foldIn = (parent: Key, data: number): Key => {
  if (!Number.isInteger(data)) throw new RangeError(`Rng.foldIn: data must be an integer, got ${data}`)
  const out = new Uint32Array(2)
  threefryInto(parent.words[0], parent.words[1], data >>> 0, DOMAIN_FOLD, out, 0)
  return makeKey(out[0] as number, out[1] as number)
}

const checkCount = (name: string, n: number): void => {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Rng.${name}: n must be an integer >= 0, got ${n}`)
}

/**
 * `n` pseudo-random 32-bit words: block `i` of the key's stream gives words `2i` and `2i + 1`, so `bits(k, n)` is
 * a prefix of `bits(k, m)` for `n < m`.
 *
 * @example
 * ```ts
 * const words = bits(key(0), 4) // Uint32Array of 4 words
 * ```
 */
export const bits = (k: Key, n: number): Uint32Array => {
  checkCount('bits', n)
  const [k0, k1] = k.words
  const out = new Uint32Array(n + (n % 2))
  for (let block = 0; block * 2 < n; block++) threefryInto(k0, k1, block, DOMAIN_DRAW, out, block * 2)
  return n % 2 === 0 ? out : out.slice(0, n)
}

/**
 * `n` doubles uniform in [low, high), each with 53 random bits (one Threefry block per number). Prefix-stable:
 * `uniform(k, n)` is the first `n` values of `uniform(k, m)` for `n < m`.
 *
 * @example
 * ```ts
 * const u = uniform(key(3), 1000) // all in [0, 1)
 * ```
 */
export const uniform = (k: Key, n: number, low = 0, high = 1): Float64Array => {
  checkCount('uniform', n)
  const [k0, k1] = k.words
  const out = new Float64Array(n)
  const block = new Uint32Array(2)
  const scale = high - low
  for (let i = 0; i < n; i++) {
    threefryInto(k0, k1, i, DOMAIN_DRAW, block, 0)
    // 27 high bits of the first word and 26 of the second: a double in [0, 1) on a grid of 2^-53
    const u = ((block[0] as number) >>> 5) * 67108864 + ((block[1] as number) >>> 6)
    out[i] = low + (u / 9007199254740992) * scale
  }
  return out
}

/**
 * `n` float32 values uniform in [low, high): {@link uniform} rounded to float32 (and kept below `high`).
 *
 * @example
 * ```ts
 * const w = uniformF32(key(0), 256 * 3, -0.05, 0.05)
 * ```
 */
export const uniformF32 = (k: Key, n: number, low = 0, high = 1): Float32Array => {
  const values = Float32Array.from(uniform(k, n, low, high))
  const top = Math.fround(high)
  for (let i = 0; i < values.length; i++) {
    // rounding to float32 can land exactly on `high`; step down to the float below it
    if ((values[i] as number) >= top && high > low) values[i] = nextFloat32Below(top)
  }
  return values
}

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)
const nextFloat32Below = (x: number): number => {
  f32[0] = x
  if (x > 0) u32[0] = (u32[0] as number) - 1
  else if (x < 0) u32[0] = (u32[0] as number) + 1
  else return -1.401298464324817e-45
  return f32[0] as number
}

/**
 * `n` normal draws N(mean, std²) by the Box-Muller transform of {@link uniform}s (never `log(0)`).
 *
 * @example
 * ```ts
 * const eps = normal(key(5), 3, 0, 0.1)
 * ```
 */
export const normal = (k: Key, n: number, mean = 0, std = 1): Float64Array => {
  checkCount('normal', n)
  const pairs = Math.ceil(n / 2)
  const u = uniform(k, 2 * pairs)
  const out = new Float64Array(n)
  for (let p = 0; p < pairs; p++) {
    const radius = Math.sqrt(-2 * Math.log(1 - (u[2 * p] as number))) // 1 − u ∈ (0, 1]
    const angle = 2 * Math.PI * (u[2 * p + 1] as number)
    out[2 * p] = mean + std * radius * Math.cos(angle)
    if (2 * p + 1 < n) out[2 * p + 1] = mean + std * radius * Math.sin(angle)
  }
  return out
}

/**
 * `n` float32 normal draws ({@link normal} rounded to float32).
 *
 * @example
 * ```ts
 * const eps = normalF32(key(5), 6, 0, 0.2)
 * ```
 */
export const normalF32 = (k: Key, n: number, mean = 0, std = 1): Float32Array =>
  Float32Array.from(normal(k, n, mean, std))

/** A stream of 32-bit words from a key, for draws that need a variable number of words (rejection sampling). */
const wordStream = (k: Key): (() => number) => {
  const [k0, k1] = k.words
  const block = new Uint32Array(2)
  let counter = 0
  let index = 2
  return () => {
    if (index === 2) {
      threefryInto(k0, k1, counter++, DOMAIN_DRAW, block, 0)
      index = 0
    }
    return block[index++] as number
  }
}

/** An unbiased integer in [0, bound) from a word stream, by rejection of the incomplete top range. */
const boundedInt = (next: () => number, bound: number): number => {
  const limit = TWO_32 - (TWO_32 % bound)
  for (;;) {
    const word = next()
    if (word < limit) return word % bound
  }
}

/**
 * `n` integers uniform in [0, maxExclusive), without modulo bias (rejection sampling). Used by replay samplers.
 *
 * @throws when `maxExclusive` is not an integer in [1, 2³²]
 *
 * @example
 * ```ts
 * const indices = integers(key(9), 256, replaySize)
 * ```
 */
export const integers = (k: Key, n: number, maxExclusive: number): Int32Array => {
  checkCount('integers', n)
  if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_32) {
    throw new RangeError(`Rng.integers: maxExclusive must be an integer in [1, 2^32], got ${maxExclusive}`)
  }
  const next = wordStream(k)
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) out[i] = boundedInt(next, maxExclusive)
  return out
}

/**
 * A uniformly random permutation of `0 … n − 1` (Fisher-Yates driven by the key).
 *
 * @example
 * ```ts
 * const order = permutation(key(2), 5) // e.g. Int32Array [3, 0, 4, 1, 2]
 * ```
 */
export const permutation = (k: Key, n: number): Int32Array => {
  checkCount('permutation', n)
  const next = wordStream(k)
  const out = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = boundedInt(next, i + 1)
    const tmp = out[i] as number
    out[i] = out[j] as number
    out[j] = tmp
  }
  return out
}

/**
 * The two words of a key, for checkpoints and JSON.
 *
 * @example
 * ```ts
 * JSON.stringify(serialize(key(1))) // "[0,1]"
 * ```
 */
export const serialize = (k: Key): [number, number] => [k.words[0], k.words[1]]

/**
 * A key from its two words (the inverse of {@link serialize}).
 *
 * @throws when the input is not an array of two integers in [0, 2³²)
 *
 * @example
 * ```ts
 * const k = deserialize([0, 1])
 * ```
 */
export const deserialize = (words: unknown): Key => {
  const ok =
    Array.isArray(words) &&
    words.length === 2 &&
    words.every((w) => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w < TWO_32)
  if (!ok) {
    throw new TypeError(
      `Rng.deserialize: expected two unsigned 32-bit integers like [0, 1], got ${JSON.stringify(words)}`,
    )
  }
  return makeKey(words[0] as number, words[1] as number)
}
