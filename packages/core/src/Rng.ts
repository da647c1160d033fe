/**
 * Pure, seeded, splittable random keys in the style of JAX, on the counter-based Threefry-2x32 generator with 20
 * rounds (Salmon, Moraes, Dror and Shaw 2011, "Parallel random numbers: as easy as 1, 2, 3").
 *
 * A {@link Key} is an immutable pair of unsigned 32-bit words. Every draw is a pure function of a key and a count:
 * the same key always gives the same numbers and is never advanced in place. To draw several independent things,
 * {@link split} the key (or {@link foldIn} a step number) and use each child for one purpose.
 *
 * Counter mode: block `i` of a key's stream is `threefry2x32(key.words, [i, 0])`. {@link bits} takes words `2i` and
 * `2i + 1` from block `i`; {@link uniform} and {@link uniformF32} take value `i` from block `i`; {@link normal} and
 * {@link normalF32} take the pair of values `2p, 2p + 1` from blocks `2p` and `2p + 1`; {@link integers} and
 * {@link permutation} read the words of the stream in order. Hence every draw of `n` values is the first `n` values
 * of the same draw of `m > n` values. Children of {@link split} use counters `[i, 1]` and {@link foldIn} uses
 * counters whose second word is `2 (mod 4)`, so derived keys never come from the blocks a parent draws with.
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

/**
 * An immutable random key: two unsigned 32-bit words, tagged. Plain data, so `JSON.stringify` writes it and
 * {@link deserialize} reads it back; {@link serialize} gives the bare word pair.
 *
 * @example
 * ```ts
 * const k: Key = key(7) // { _tag: 'RngKey', words: [0, 7] }
 * ```
 */
export interface Key {
  readonly _tag: 'RngKey'
  readonly words: readonly [number, number]
}

const TWO_32 = 2 ** 32
const TWO_31 = 2 ** 31
const TWO_26 = 2 ** 26
const TWO_NEG_53 = 2 ** -53
/** Threefry's key-schedule parity constant (the Skein constant for 32-bit words). */
const PARITY = 0x1bd11bda
/** Second counter word of each counter domain: draws, children of split. foldIn uses 2 (mod 4). */
const DOMAIN_DRAW = 0
const DOMAIN_SPLIT = 1
const DOMAIN_FOLD = 2

const makeKey = (w0: number, w1: number): Key =>
  Object.freeze({ _tag: 'RngKey' as const, words: Object.freeze([w0 >>> 0, w1 >>> 0] as const) })

// The two output words of the last `block` call (as int32 bits). Module-private scratch, read right after each call,
// so that the hot loops allocate nothing per block (a typed-array store never boxes a number).
const Y = new Int32Array(2)

/**
 * Threefry-2x32-20 on key `(k0, k1)` and counter `(c0, c1)`; the result goes to `Y` (read it with `word0`, `word1`).
 * 32-bit wrapping arithmetic throughout: `| 0` after each add, rotations by shifts, a key injection every 4 rounds.
 */
const block = (k0: number, k1: number, c0: number, c1: number): void => {
  const k2 = PARITY ^ k0 ^ k1
  let x0 = (c0 + k0) | 0
  let x1 = (c1 + k1) | 0
  // rounds 1-4: rotations 13, 15, 26, 6; then inject (k1, k2 + 1)
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0
  x0 = (x0 + k1) | 0
  x1 = (x1 + k2 + 1) | 0
  // rounds 5-8: rotations 17, 29, 16, 24; then inject (k2, k0 + 2)
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0
  x0 = (x0 + k2) | 0
  x1 = (x1 + k0 + 2) | 0
  // rounds 9-12: rotations 13, 15, 26, 6; then inject (k0, k1 + 3)
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0
  x0 = (x0 + k0) | 0
  x1 = (x1 + k1 + 3) | 0
  // rounds 13-16: rotations 17, 29, 16, 24; then inject (k1, k2 + 4)
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0
  x0 = (x0 + k1) | 0
  x1 = (x1 + k2 + 4) | 0
  // rounds 17-20: rotations 13, 15, 26, 6; then inject (k2, k0 + 5)
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0
  x0 = (x0 + x1) | 0
  x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0
  x0 = (x0 + k2) | 0
  x1 = (x1 + k0 + 5) | 0
  Y[0] = x0
  Y[1] = x1
}

/** The first output word of the last block, as uint32. */
const word0 = (): number => (Y[0] as number) >>> 0
/** The second output word of the last block, as uint32. */
const word1 = (): number => (Y[1] as number) >>> 0

/** A double in [0, 1) on the 2⁻⁵³ grid: the high 27 bits of the last block's first word, then 26 of its second. */
const unit53 = (): number => (((Y[0] as number) >>> 5) * TWO_26 + ((Y[1] as number) >>> 6)) * TWO_NEG_53

/** A short printable form of any input, for error messages (numbers as JavaScript spells them, NaN included). */
const describe = (x: unknown): string => {
  let text: string
  if (typeof x === 'number') text = String(x)
  else if (typeof x === 'bigint') text = `${x}n`
  else if (Array.isArray(x)) text = `[${x.slice(0, 8).map(describe).join(',')}${x.length > 8 ? ',...' : ''}]`
  else {
    try {
      text = JSON.stringify(x) ?? String(x)
    } catch {
      text = String(x)
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

const isUint32 = (w: unknown): w is number => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w < TWO_32

/**
 * The bare Threefry-2x32-20 block function: a key and a counter (two uint32 words each) to two pseudo-random uint32
 * words. Exposed for known-answer tests and for callers who need the raw generator.
 *
 * @throws when a word is not an integer in [0, 2³²)
 *
 * @example
 * ```ts
 * threefry2x32([0, 0], [0, 0]) // [0x6b200159, 0x99ba4efe], the Random123 known answer
 * ```
 */
export const threefry2x32 = (
  keyWords: readonly [number, number],
  counter: readonly [number, number],
): [number, number] => {
  if (![...keyWords, ...counter].every(isUint32) || keyWords.length !== 2 || counter.length !== 2) {
    const got = `${describe(keyWords)} and ${describe(counter)}`
    throw new RangeError(`Rng.threefry2x32: key and counter must be two uint32 words each, got ${got}`)
  }
  block(keyWords[0], keyWords[1], counter[0], counter[1])
  return [word0(), word1()]
}

/**
 * A key from an integer seed. Any safe integer works, negative and beyond 2³² included: the high and low halves of
 * the seed's 64-bit two's complement become the two words (the layout of JAX's `PRNGKey`), so distinct seeds give
 * distinct keys.
 *
 * @throws when the seed is not a safe integer
 *
 * @example
 * ```ts
 * key(1).words // [0, 1]
 * key(-1).words // [0xffffffff, 0xffffffff]
 * ```
 */
export const key = (seed: number): Key => {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`Rng.key: seed must be a safe integer, got ${describe(seed)}`)
  return makeKey(Math.floor(seed / TWO_32), seed)
}

const checkCount = (name: string, n: number, max = TWO_32): void => {
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new RangeError(`Rng.${name}: n must be an integer in [0, ${max}], got ${describe(n)}`)
  }
}

/**
 * The keys {@link split} returns: a tuple of `N` keys when `N` is a literal from 1 to 8 (so
 * `const [a, b, c] = split(k, 3)` needs no cast), else an array.
 *
 * @example
 * ```ts
 * const keys: Keys<3> = split(key(1), 3) // readonly [Key, Key, Key]
 * ```
 */
export type Keys<N extends number> = N extends 1
  ? readonly [Key]
  : N extends 2
    ? readonly [Key, Key]
    : N extends 3
      ? readonly [Key, Key, Key]
      : N extends 4
        ? readonly [Key, Key, Key, Key]
        : N extends 5
          ? readonly [Key, Key, Key, Key, Key]
          : N extends 6
            ? readonly [Key, Key, Key, Key, Key, Key]
            : N extends 7
              ? readonly [Key, Key, Key, Key, Key, Key, Key]
              : N extends 8
                ? readonly [Key, Key, Key, Key, Key, Key, Key, Key]
                : readonly Key[]

/**
 * `n` child keys (default 2), independent of each other and of the parent's own draws; child `i` is
 * `threefry2x32(parent.words, [i, 1])`, so `split(k, n)` is a prefix of `split(k, m)` for `n < m`. Use the children
 * instead of the parent afterwards.
 *
 * @throws when `n` is not an integer in [0, 2³²]
 *
 * @example
 * ```ts
 * const [actorKey, criticKey] = split(key(1))
 * ```
 */
export const split = <N extends number = 2>(parent: Key, n: N = 2 as N): Keys<N> => {
  checkCount('split', n)
  const [k0, k1] = parent.words
  const children: Key[] = []
  for (let i = 0; i < n; i++) {
    block(k0, k1, i, DOMAIN_SPLIT)
    children.push(makeKey(word0(), word1()))
  }
  return Object.freeze(children) as unknown as Keys<N>
}

/**
 * A key derived from a key and an integer (a step number, an environment index, a worker id). Distinct safe integers
 * give distinct counters, and none of them is a counter of {@link split} or of the parent's draws.
 *
 * @throws when `data` is not a safe integer
 *
 * @example
 * ```ts
 * const noiseKey = key(0)
 * const stepKeys = [0, 1, 2].map((step) => foldIn(noiseKey, step))
 * ```
 */
export const foldIn = (parent: Key, data: number): Key => {
  if (!Number.isSafeInteger(data)) {
    throw new RangeError(`Rng.foldIn: data must be a safe integer, got ${describe(data)}`)
  }
  // low word in c0; the high 22 bits of the two's complement (enough for any safe integer) above the domain tag in c1
  const high = Math.floor(data / TWO_32) & 0x3fffff
  block(parent.words[0], parent.words[1], data | 0, DOMAIN_FOLD + high * 4)
  return makeKey(word0(), word1())
}

/**
 * `n` pseudo-random uint32 words: words `2i` and `2i + 1` are block `i` of the key's stream, so `bits(k, n)` is a
 * prefix of `bits(k, m)` for `n < m`.
 *
 * @throws when `n` is not an integer in [0, 2³²]
 *
 * @example
 * ```ts
 * const words = bits(key(0), 4) // Uint32Array(4)
 * ```
 */
export const bits = (k: Key, n: number): Uint32Array => {
  checkCount('bits', n)
  const [k0, k1] = k.words
  const out = new Uint32Array(n)
  let i = 0
  for (let b = 0; i + 1 < n; b++, i += 2) {
    block(k0, k1, b, DOMAIN_DRAW)
    out[i] = word0()
    out[i + 1] = word1()
  }
  if (i < n) {
    block(k0, k1, i / 2, DOMAIN_DRAW)
    out[i] = word0()
  }
  return out
}

const checkInterval = (name: string, low: number, high: number): void => {
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(low <= high) || !Number.isFinite(high - low)) {
    throw new RangeError(`Rng.${name}: need finite low <= high with a finite width, got [${low}, ${high})`)
  }
}

const f64 = new Float64Array(1)
const i64 = new BigInt64Array(f64.buffer)
/** The largest double below a finite `x`. */
const nextDown = (x: number): number => {
  if (x === 0) return -Number.MIN_VALUE
  f64[0] = x
  i64[0] = (i64[0] as bigint) + (x > 0 ? -1n : 1n)
  return f64[0] as number
}

const f32 = new Float32Array(1)
const i32 = new Int32Array(f32.buffer)
/** The largest float32 below a finite float32 `x`. */
const nextDown32 = (x: number): number => {
  if (x === 0) return -1.401298464324817e-45
  f32[0] = x
  i32[0] = (i32[0] as number) + (x > 0 ? -1 : 1)
  return f32[0] as number
}

/**
 * `n` doubles uniform in [low, high) (default [0, 1)), each made of 53 random bits from one block: value `i` is
 * `low + u·(high − low)` with `u = j / 2⁵³` from block `i`, rounded down to the largest double below `high` in the
 * rare case where rounding reaches `high`. Prefix-stable: `uniform(k, n)` is the first `n` values of `uniform(k, m)`.
 * When `low === high` every value is `low`.
 *
 * @throws when `n` is not an integer in [0, 2³²], or the bounds are not finite with `low <= high`
 *
 * @example
 * ```ts
 * const u = uniform(key(3), 1000) // all in [0, 1)
 * const angles = uniform(key(4), 8, -Math.PI, Math.PI)
 * ```
 */
export const uniform = (k: Key, n: number, low = 0, high = 1): Float64Array => {
  checkCount('uniform', n)
  checkInterval('uniform', low, high)
  const [k0, k1] = k.words
  const width = high - low
  const cap = width > 0 ? nextDown(high) : low
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    block(k0, k1, i, DOMAIN_DRAW)
    const v = low + unit53() * width
    out[i] = v < high ? v : cap
  }
  return out
}

/**
 * `n` float32 values uniform in [low, high): the values of {@link uniform} rounded to float32, every one in
 * `[fround(low), fround(high))` (stepped down to the float32 below `fround(high)` when rounding reaches it). When
 * `fround(low) === fround(high)` every value is `fround(low)`. Prefix-stable like {@link uniform}.
 *
 * @throws when `n` is not an integer in [0, 2³²], or the bounds are not finite with `low <= high`
 *
 * @example
 * ```ts
 * const kernel = uniformF32(key(0), 256 * 3, -0.05, 0.05)
 * ```
 */
export const uniformF32 = (k: Key, n: number, low = 0, high = 1): Float32Array => {
  checkCount('uniformF32', n)
  checkInterval('uniformF32', low, high)
  const [k0, k1] = k.words
  const width = high - low
  const top = Math.fround(high)
  const bottom = Math.fround(low)
  const cap = bottom < top ? nextDown32(top) : bottom
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    block(k0, k1, i, DOMAIN_DRAW)
    const v = Math.fround(low + unit53() * width)
    out[i] = v < top ? v : cap
  }
  return out
}

const checkNormal = (name: string, mean: number, std: number): void => {
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
    throw new RangeError(`Rng.${name}: need a finite mean and a finite std >= 0, got mean ${mean}, std ${std}`)
  }
}

/** Box-Muller over the key's blocks: pair `p` uses blocks `2p` (radius) and `2p + 1` (angle). */
const fillNormal = (k: Key, out: Float64Array | Float32Array, mean: number, std: number): void => {
  const [k0, k1] = k.words
  const n = out.length
  for (let i = 0; i < n; i += 2) {
    block(k0, k1, i, DOMAIN_DRAW)
    const radius = Math.sqrt(-2 * Math.log(1 - unit53())) // 1 − u ∈ [2⁻⁵³, 1]: never log(0), |z| < 8.58
    block(k0, k1, i + 1, DOMAIN_DRAW)
    const angle = 2 * Math.PI * unit53()
    out[i] = mean + std * radius * Math.cos(angle)
    if (i + 1 < n) out[i + 1] = mean + std * radius * Math.sin(angle)
  }
}

/**
 * `n` normal draws from N(mean, std²) (default N(0, 1)) by the Box-Muller transform of 53-bit uniforms; never takes
 * `log(0)`, so every value is finite. Prefix-stable: `normal(k, n)` is the first `n` values of `normal(k, m)`.
 *
 * @throws when `n` is not an integer in [0, 2³²], or `mean`/`std` is not finite, or `std < 0`
 *
 * @example
 * ```ts
 * const eps = normal(key(5), 3, 0, 0.1)
 * ```
 */
export const normal = (k: Key, n: number, mean = 0, std = 1): Float64Array => {
  checkCount('normal', n)
  checkNormal('normal', mean, std)
  const out = new Float64Array(n)
  fillNormal(k, out, mean, std)
  return out
}

/**
 * `n` float32 normal draws: the values of {@link normal} rounded to float32.
 *
 * @throws like {@link normal}
 *
 * @example
 * ```ts
 * const eps = normalF32(key(5), 6, 0, 0.2)
 * ```
 */
export const normalF32 = (k: Key, n: number, mean = 0, std = 1): Float32Array => {
  checkCount('normalF32', n)
  checkNormal('normalF32', mean, std)
  const out = new Float32Array(n)
  fillNormal(k, out, mean, std)
  return out
}

/** The smallest word rejected when reducing uint32 words modulo `bound`: the largest multiple of `bound` <= 2³². */
const rejectionLimit = (bound: number): number => TWO_32 - (TWO_32 % bound)

/**
 * `n` integers uniform in [0, maxExclusive), without modulo bias: the key's words are read in order (words `2i`,
 * `2i + 1` from block `i`), a word at or above the largest multiple of `maxExclusive` not above 2³² is skipped
 * (fewer than half of the words, since `maxExclusive <= 2³¹`), and the others are reduced modulo `maxExclusive`.
 * Prefix-stable: `integers(k, n, b)` is the first `n` values of `integers(k, m, b)`. Used by replay samplers to draw
 * indices.
 *
 * @throws when `n` is not an integer in [0, 2³²], or `maxExclusive` is not an integer in [1, 2³¹]
 *
 * @example
 * ```ts
 * const indices = integers(key(9), 256, 10_000) // 256 indices into a buffer of 10 000
 * ```
 */
export const integers = (k: Key, n: number, maxExclusive: number): Int32Array => {
  checkCount('integers', n)
  if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_31) {
    throw new RangeError(`Rng.integers: maxExclusive must be an integer in [1, 2^31], got ${describe(maxExclusive)}`)
  }
  const out = new Int32Array(n)
  if (maxExclusive === 1) return out
  const [k0, k1] = k.words
  const limit = rejectionLimit(maxExclusive)
  let i = 0
  for (let b = 0; i < n; b++) {
    block(k0, k1, b, DOMAIN_DRAW)
    const w0 = word0()
    if (w0 < limit) out[i++] = w0 % maxExclusive
    const w1 = word1()
    if (i < n && w1 < limit) out[i++] = w1 % maxExclusive
  }
  return out
}

/**
 * A uniformly random permutation of `0, 1, …, n − 1`: Fisher-Yates from the last position down, position `i`
 * swapped with an unbiased index in [0, i] drawn from the key's words in order (as in {@link integers}).
 *
 * @throws when `n` is not an integer in [0, 2³¹]
 *
 * @example
 * ```ts
 * const order = permutation(key(2), 5) // the numbers 0 … 4 in a shuffled order
 * ```
 */
export const permutation = (k: Key, n: number): Int32Array => {
  checkCount('permutation', n, TWO_31)
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) out[i] = i
  const [k0, k1] = k.words
  let b = 0
  let spare = -1 // the unread second word of the last block, if any
  for (let i = n - 1; i > 0; i--) {
    const bound = i + 1
    const limit = rejectionLimit(bound)
    let w: number
    do {
      if (spare >= 0) {
        w = spare
        spare = -1
      } else {
        block(k0, k1, b++, DOMAIN_DRAW)
        w = word0()
        spare = word1()
      }
    } while (w >= limit)
    const j = w % bound
    const tmp = out[i] as number
    out[i] = out[j] as number
    out[j] = tmp
  }
  return out
}

/**
 * The two words of a key as a fresh array, for checkpoints and JSON.
 *
 * @example
 * ```ts
 * JSON.stringify(serialize(key(1))) // "[0,1]"
 * ```
 */
export const serialize = (k: Key): [number, number] => [k.words[0], k.words[1]]

/**
 * A key from its two words: the inverse of {@link serialize}. Also accepts the JSON form of a {@link Key}
 * (`{ _tag: 'RngKey', words: [w0, w1] }`), so `deserialize(JSON.parse(JSON.stringify(k)))` gives `k` back.
 *
 * @throws a TypeError naming the input when it is not two integers in [0, 2³²)
 *
 * @example
 * ```ts
 * const k = deserialize([0, 1]) // equal to key(1)
 * ```
 */
export const deserialize = (words: unknown): Key => {
  const pair =
    typeof words === 'object' && words !== null && !Array.isArray(words) && (words as Key)._tag === 'RngKey'
      ? (words as Key).words
      : words
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every(isUint32)) {
    const expected = 'two unsigned 32-bit integers like [0, 1] (or a serialized Key)'
    throw new TypeError(`Rng.deserialize: expected ${expected}, got ${describe(words)}`)
  }
  return makeKey(pair[0] as number, pair[1] as number)
}
