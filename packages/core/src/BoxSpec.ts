/**
 * A Box space (Gymnasium's `Box`): float32 vectors with per-element bounds. `low` and `high` are flat arrays of
 * `size(spec)` numbers, ±Infinity for an unbounded side. As in Gymnasium, bounds are float32 values: `box` and
 * {@link BoxSpecCodec} round them to float32, and {@link contains} compares elements as float32. A spec is plain
 * data; its JSON form writes infinite bounds as the strings `'Infinity'` and `'-Infinity'`.
 *
 * @module BoxSpec
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { decodeOrThrow, PositiveInt, strictObject } from './codecs.js'

/**
 * A Box space of float32 vectors: `shape` of one value, and flat `low` / `high` bounds with one entry per element.
 *
 * @example
 * ```ts
 * const pendulumActions: BoxSpec = { shape: [1], low: [-2], high: [2] }
 * ```
 */
export interface BoxSpec {
  /** Shape of one value, e.g. `[3]`; its product is the number of elements. */
  readonly shape: readonly number[]
  /** Lower bounds, flat, one per element; `-Infinity` when unbounded below. */
  readonly low: readonly number[]
  /** Upper bounds, flat, one per element; `Infinity` when unbounded above. */
  readonly high: readonly number[]
}

/**
 * A bound as JSON can hold it: a number, or `'Infinity'` / `'-Infinity'` (JSON has no infinities).
 *
 * @example
 * ```ts
 * const bounds: readonly BoundJson[] = [-1, '-Infinity']
 * ```
 */
export type BoundJson = number | 'Infinity' | '-Infinity'

/**
 * The encoded form of a {@link BoxSpec}, safe to pass through `JSON.stringify` and back.
 *
 * @example
 * ```ts
 * const json: BoxSpecJson = { shape: [2], low: [0, '-Infinity'], high: [1, 'Infinity'] }
 * ```
 */
export interface BoxSpecJson {
  /** Shape of one value. */
  readonly shape: readonly number[]
  /** Lower bounds. */
  readonly low: readonly BoundJson[]
  /** Upper bounds. */
  readonly high: readonly BoundJson[]
}

const boundFromJson = (u: unknown): number | undefined => {
  if (typeof u === 'number') return Number.isNaN(u) ? undefined : u
  if (u === 'Infinity') return Number.POSITIVE_INFINITY
  if (u === '-Infinity') return Number.NEGATIVE_INFINITY
  return undefined
}

/** One bound: any number but NaN, or the strings `'Infinity'` / `'-Infinity'`; it encodes infinities as strings. */
const Bound = new t.Type<number, BoundJson, unknown>(
  "a number, 'Infinity' or '-Infinity'",
  (u): u is number => typeof u === 'number' && !Number.isNaN(u),
  (u, c) => {
    const bound = boundFromJson(u)
    return bound === undefined ? t.failure(u, c) : t.success(bound)
  },
  (a) => (a === Number.POSITIVE_INFINITY ? 'Infinity' : a === Number.NEGATIVE_INFINITY ? '-Infinity' : a),
)
const Bounds = t.array(Bound)
const RawBox = strictObject('BoxSpec', { shape: t.array(PositiveInt), low: Bounds, high: Bounds })

/** A bound as float32; `-0` becomes `0` (JSON cannot tell them apart, and a bound has no use for the sign). */
const toFloat32Bound = (v: number): number => Math.fround(v) + 0

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** Lengths and order of the bounds, with errors at `low`, `high` or `low.<i>`. */
const checkBounds = (spec: BoxSpec, c: t.Context): t.Errors => {
  const n = product(spec.shape)
  const errors: t.ValidationError[] = []
  for (const side of ['low', 'high'] as const) {
    const bounds = spec[side]
    if (bounds.length !== n) {
      errors.push({
        value: bounds,
        context: t.appendContext(c, side, Bounds, bounds),
        message: `expected ${n} values for shape [${spec.shape.join(', ')}], got ${bounds.length}`,
      })
    }
  }
  if (errors.length > 0) return errors
  const lowContext = t.appendContext(c, 'low', Bounds, spec.low)
  spec.low.forEach((low, i) => {
    const high = spec.high[i] ?? Number.NaN
    if (low > high) {
      errors.push({
        value: low,
        context: t.appendContext(lowContext, String(i), Bound, low),
        message: `expected <= high.${i} (${high}), got ${low}`,
      })
    }
  })
  return errors
}

/**
 * A strict codec for Box specs: exactly the keys `shape` (positive integers), `low` and `high` (numbers, ±Infinity
 * allowed, NaN not), both of `size` entries, with `low <= high` element-wise. Errors name the element:
 * `low.2: expected <= high.2 (1), got 3`. Decoding rounds bounds to float32 and returns fresh arrays; it also
 * accepts the strings `'Infinity'` / `'-Infinity'`, which is what encoding writes for infinite bounds.
 *
 * @example
 * ```ts
 * BoxSpecCodec.decode({ shape: [1], low: [-2], high: [2] }) // Right({ shape: [1], low: [-2], high: [2] })
 * JSON.stringify(BoxSpecCodec.encode(box(-Infinity, Infinity, [1])))
 * // '{"shape":[1],"low":["-Infinity"],"high":["Infinity"]}'
 * ```
 */
export const BoxSpecCodec: t.Type<BoxSpec, BoxSpecJson, unknown> = new t.Type<BoxSpec, BoxSpecJson, unknown>(
  'BoxSpec',
  (u): u is BoxSpec => RawBox.is(u) && checkBounds(u, []).length === 0,
  (u, c) => {
    const raw = RawBox.validate(u, c)
    if (E.isLeft(raw)) return raw
    const errors = checkBounds(raw.right, c)
    if (errors.length > 0) return t.failures(errors)
    return t.success({
      shape: [...raw.right.shape],
      low: raw.right.low.map(toFloat32Bound),
      high: raw.right.high.map(toFloat32Bound),
    })
  },
  (a) => RawBox.encode({ shape: [...a.shape] as PositiveInt[], low: [...a.low], high: [...a.high] }),
)

/**
 * The number of elements of a value of the space: the product of `shape` (1 for the scalar shape `[]`).
 *
 * @example
 * ```ts
 * size(box(-1, 1, [2, 3])) // 6
 * ```
 */
export const size = (spec: BoxSpec): number => product(spec.shape)

/**
 * Builds a spec. A scalar bound is broadcast to every element; `shape` defaults to `[n]` for array bounds of
 * length `n`, and to `[1]` when both bounds are scalars. Bounds are rounded to float32.
 *
 * @throws ConfigError ("Invalid Box spec: …") when the result is not a valid Box; the message names the element
 *
 * @example
 * ```ts
 * const actions = box(-2, 2) // Pendulum-v1's action space: shape [1]
 * const observations = box([-1, -1, -8], [1, 1, 8])
 * const image = box(0, 1, [2, 2])
 * ```
 */
export const box = (
  low: number | ArrayLike<number>,
  high: number | ArrayLike<number>,
  shape?: readonly number[],
): BoxSpec => {
  const resolved = shape ?? [typeof low !== 'number' ? low.length : typeof high !== 'number' ? high.length : 1]
  const n = product(resolved)
  const expand = (bound: number | ArrayLike<number>): number[] => {
    if (typeof bound !== 'number') return Array.from(bound)
    return Number.isSafeInteger(n) && n >= 0 ? new Array<number>(n).fill(bound) : []
  }
  return decodeOrThrow(BoxSpecCodec, { shape: [...resolved], low: expand(low), high: expand(high) }, 'Box spec')
}

/**
 * Whether `x` is a value of the space: `size(spec)` elements, none NaN, each (as float32) within its bounds.
 *
 * @example
 * ```ts
 * contains(box(-1, 1, [2]), [0.5, -1]) // true
 * contains(box(-1, 1, [2]), [0.5, Number.NaN]) // false
 * contains(box(-1, 1, [2]), [0.5]) // false
 * ```
 */
export const contains = (spec: BoxSpec, x: ArrayLike<number>): boolean => {
  if (x.length !== size(spec)) return false
  for (let i = 0; i < x.length; i++) {
    const v = Math.fround(x[i] ?? Number.NaN)
    if (!(v >= (spec.low[i] ?? Number.NaN) && v <= (spec.high[i] ?? Number.NaN))) return false
  }
  return true
}

const requireSize = (spec: BoxSpec, x: ArrayLike<number>, what: string): void => {
  if (x.length !== size(spec)) throw new RangeError(`${what}: expected ${size(spec)} values, got ${x.length}`)
}

/** The float32 next to `x` (a float32 or ±Infinity) in the given direction. */
const nextFloat32 = (x: number, direction: 1 | -1): number => {
  if (x === 0) return direction * 2 ** -149
  const view = new DataView(new ArrayBuffer(4))
  view.setFloat32(0, x)
  const awayFromZero = x > 0 === direction > 0
  view.setInt32(0, view.getInt32(0) + (awayFromZero ? 1 : -1))
  return view.getFloat32(0)
}

/**
 * Clips every element into its bounds, returning a new float32 array; NaN stays NaN. The result is always
 * {@link contains | contained} (rounding to float32 never steps outside a bound) and clipping it again changes nothing.
 *
 * @throws RangeError when `x` does not have `size(spec)` elements
 *
 * @example
 * ```ts
 * clip(box(-2, 2))([3.5]) // Float32Array [2]
 * ```
 */
export const clip =
  (spec: BoxSpec) =>
  (x: ArrayLike<number>): Float32Array => {
    requireSize(spec, x, 'clip')
    const out = new Float32Array(x.length)
    for (let i = 0; i < x.length; i++) {
      const low = spec.low[i] ?? Number.NaN
      const high = spec.high[i] ?? Number.NaN
      let v = Math.fround(Math.min(high, Math.max(low, x[i] ?? Number.NaN)))
      // Only for hand-written specs whose bounds are not float32: round inwards instead of to nearest.
      if (v > high) v = nextFloat32(v, -1)
      else if (v < low) v = nextFloat32(v, 1)
      out[i] = v
    }
    return out
  }

/**
 * Whether every element has finite bounds on both sides (required by the scaling functions).
 *
 * @example
 * ```ts
 * isBounded(box(-2, 2)) // true
 * isBounded(box(-Infinity, Infinity, [3])) // false
 * ```
 */
export const isBounded = (spec: BoxSpec): boolean =>
  spec.low.every((v) => Number.isFinite(v)) && spec.high.every((v) => Number.isFinite(v))

const requireBounded = (spec: BoxSpec, what: string): void => {
  const i = spec.low.findIndex((low, j) => !Number.isFinite(low) || !Number.isFinite(spec.high[j]))
  if (i >= 0 || !isBounded(spec)) {
    const where = i >= 0 ? `element ${i} has low ${spec.low[i]}, high ${spec.high[i]}` : 'it is not bounded'
    throw new RangeError(`${what}: the Box must have finite low and high bounds, but ${where}`)
  }
}

/**
 * Maps [−1, 1] onto [low, high] element-wise (a tanh actor's output to the environment's actions): −1 gives `low`,
 * 1 gives `high`. Values outside [−1, 1] map outside the box; {@link clip} them if that matters.
 *
 * @throws RangeError when the spec is unbounded (at once), or when an input has the wrong length
 *
 * @example
 * ```ts
 * scaleFromUnit(box(-2, 2))([0.5]) // Float32Array [1]
 * scaleFromUnit(box(0, 10))([-1]) // Float32Array [0]
 * ```
 */
export const scaleFromUnit = (spec: BoxSpec): ((u: ArrayLike<number>) => Float32Array) => {
  requireBounded(spec, 'scaleFromUnit')
  return (u) => {
    requireSize(spec, u, 'scaleFromUnit')
    return Float32Array.from({ length: u.length }, (_, i) => {
      const v = u[i] ?? Number.NaN
      return ((1 - v) * (spec.low[i] ?? Number.NaN) + (1 + v) * (spec.high[i] ?? Number.NaN)) / 2
    })
  }
}

/**
 * Maps [low, high] onto [−1, 1] element-wise: the inverse of {@link scaleFromUnit} (up to float32 rounding). An
 * element with `low === high` maps to 0.
 *
 * @throws RangeError when the spec is unbounded (at once), or when an input has the wrong length
 *
 * @example
 * ```ts
 * scaleToUnit(box(0, 10))([10]) // Float32Array [1]
 * scaleToUnit(box(0, 10))([5]) // Float32Array [0]
 * ```
 */
export const scaleToUnit = (spec: BoxSpec): ((x: ArrayLike<number>) => Float32Array) => {
  requireBounded(spec, 'scaleToUnit')
  return (x) => {
    requireSize(spec, x, 'scaleToUnit')
    return Float32Array.from({ length: x.length }, (_, i) => {
      const low = spec.low[i] ?? Number.NaN
      const high = spec.high[i] ?? Number.NaN
      return high === low ? 0 : (2 * ((x[i] ?? Number.NaN) - low)) / (high - low) - 1
    })
  }
}
