/**
 * Thinning a stream.
 *
 * @module everyN
 */
import { filter, type MonoTypeOperatorFunction } from 'rxjs'

/**
 * Lets through the n-th, 2n-th, 3n-th … value (counting from 1 in each subscription): `everyN(1000)` on learner
 * events evaluates or logs every 1000 updates.
 *
 * @throws RangeError when `n` is not an integer >= 1
 *
 * @example
 * ```ts
 * learnerEvents$.pipe(everyN(1000), map(evaluatePolicy))
 * ```
 */
export const everyN = <T>(n: number): MonoTypeOperatorFunction<T> => {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`everyN: n must be an integer >= 1, got ${n}`)
  return filter((_, index) => (index + 1) % n === 0)
}
