/**
 * Just enough of NumPy 2's scalar arithmetic (NEP 50) to follow Gymnasium's step code bit for bit. In that code a
 * value is a Python float, a NumPy float32 or a NumPy float64 scalar, and the kind decides the rounding:
 *
 * - an operation takes the larger kind of its operands (Python < float32 < float64): a Python float adopts the
 *   NumPy operand's dtype, and float32 with float64 gives float64;
 * - in float32 both operands are first rounded to float32 (a Python float is cast), then the result is;
 * - a comparison of a float32 with a Python float casts the Python float to float32 first.
 *
 * An operation on float32 values done in float64 and rounded once to float32 is the correctly rounded float32
 * result (float64 has more than twice float32's precision), so `Math.fround` reproduces NumPy exactly.
 *
 * Internal to the envs; the kinds are plain numbers so that a step allocates nothing for them.
 *
 * @module numpyScalars
 */

/**
 * The kind of a Python float (a float64 that adopts the dtype of a NumPy operand).
 *
 * @example
 * ```ts
 * promote(PYTHON, FLOAT32) // FLOAT32
 * ```
 */
export const PYTHON = 0
/**
 * The kind of a NumPy float32 scalar.
 *
 * @example
 * ```ts
 * inKind(FLOAT32, 0.1) // 0.10000000149011612
 * ```
 */
export const FLOAT32 = 1
/**
 * The kind of a NumPy float64 scalar.
 *
 * @example
 * ```ts
 * promote(FLOAT32, FLOAT64) // FLOAT64
 * ```
 */
export const FLOAT64 = 2

/**
 * The kind of a scalar in Gymnasium's step code.
 *
 * @example
 * ```ts
 * const kind: ScalarKind = FLOAT32
 * ```
 */
export type ScalarKind = typeof PYTHON | typeof FLOAT32 | typeof FLOAT64

/**
 * The kind of the result of a binary operation.
 *
 * @example
 * ```ts
 * promote(PYTHON, FLOAT32) // FLOAT32
 * promote(FLOAT32, FLOAT64) // FLOAT64
 * ```
 */
export const promote = (a: ScalarKind, b: ScalarKind): ScalarKind => (a > b ? a : b)

/**
 * A value as a scalar of the kind: rounded to float32 for {@link FLOAT32}, unchanged otherwise.
 *
 * @example
 * ```ts
 * inKind(FLOAT32, 0.1) // 0.10000000149011612
 * ```
 */
export const inKind = (kind: ScalarKind, x: number): number => (kind === FLOAT32 ? Math.fround(x) : x)

/**
 * x + y computed in the kind.
 *
 * @example
 * ```ts
 * add(FLOAT32, 0.1, 0.2) // Math.fround(Math.fround(0.1) + Math.fround(0.2))
 * ```
 */
export const add = (kind: ScalarKind, x: number, y: number): number => inKind(kind, inKind(kind, x) + inKind(kind, y))

/**
 * x − y computed in the kind.
 *
 * @example
 * ```ts
 * subtract(FLOAT64, 0.3, 0.1) // 0.19999999999999998
 * ```
 */
export const subtract = (kind: ScalarKind, x: number, y: number): number =>
  inKind(kind, inKind(kind, x) - inKind(kind, y))

/**
 * x · y computed in the kind.
 *
 * @example
 * ```ts
 * multiply(FLOAT32, 3, 0.1) // Math.fround(3 * Math.fround(0.1))
 * ```
 */
export const multiply = (kind: ScalarKind, x: number, y: number): number =>
  inKind(kind, inKind(kind, x) * inKind(kind, y))

/**
 * The kind of the elements of an action: a `Float32Array` is a float32 NumPy array (the dtype of Gymnasium's Box
 * action spaces and of CleanRL's actions); anything else, a float64 one.
 *
 * @example
 * ```ts
 * actionKind(Float32Array.of(0.5)) // FLOAT32
 * actionKind([0.5]) // FLOAT64
 * ```
 */
export const actionKind = (action: ArrayLike<number>): ScalarKind =>
  action instanceof Float32Array ? FLOAT32 : FLOAT64
