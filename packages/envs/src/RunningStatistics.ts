/**
 * Running per-element mean and variance of vectors (Gymnasium's `RunningMeanStd`), as plain immutable data that
 * `JSON.stringify` writes and {@link RunningStatisticsCodec} reads back.
 *
 * Updates use the parallel algorithm of Chan, Golub and LeVeque (1979): merging statistics of counts nₐ and n_b with
 * δ = mean_b − meanₐ gives mean = meanₐ + δ·n_b/n and M₂ = M₂ₐ + M₂_b + δ²·nₐ·n_b/n with n = nₐ + n_b and
 * variance = M₂/n (population variance). A batch of one vector is Welford's update.
 *
 * @module RunningStatistics
 */
import { ConfigError, decodeOrThrow, FiniteNumber, NonNegativeNumber, strictObject } from '@polyak/core'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

/**
 * Count, mean and (population) variance of the vectors seen so far, one entry per element.
 *
 * @example
 * ```ts
 * const statistics: RunningStatistics = { mean: [0, 1], variance: [1, 0.5], count: 10 }
 * ```
 */
export interface RunningStatistics {
  /** Per-element mean. */
  readonly mean: readonly number[]
  /** Per-element population variance (the sum of squared deviations divided by `count`). */
  readonly variance: readonly number[]
  /** How many vectors the statistics summarise; may be fractional (Gymnasium starts from 1e-4). */
  readonly count: number
}

const RawStatistics = strictObject('RunningStatistics', {
  mean: t.array(FiniteNumber),
  variance: t.array(NonNegativeNumber),
  count: NonNegativeNumber,
})

/**
 * A strict codec for {@link RunningStatistics} from JSON: the keys `mean` (finite numbers), `variance`
 * (non-negative numbers) of the same length, and `count` (non-negative). Errors are dotted paths
 * (`variance.1: expected a number >= 0, got -1`).
 *
 * @example
 * ```ts
 * decodeOrThrow(RunningStatisticsCodec, JSON.parse('{"mean":[0],"variance":[1],"count":5}'))
 * ```
 */
export const RunningStatisticsCodec: t.Type<RunningStatistics, RunningStatistics, unknown> = new t.Type<
  RunningStatistics,
  RunningStatistics,
  unknown
>(
  'RunningStatistics',
  (u): u is RunningStatistics => RawStatistics.is(u) && u.mean.length === u.variance.length,
  (u, c) => {
    const raw = RawStatistics.validate(u, c)
    if (E.isLeft(raw)) return raw
    const { mean, variance, count } = raw.right
    if (mean.length !== variance.length) {
      return t.failure(u, c, `variance: expected ${mean.length} values (one per mean), got ${variance.length}`)
    }
    return t.success({ mean: [...mean], variance: [...variance], count })
  },
  (a) => ({ mean: [...a.mean], variance: [...a.variance], count: a.count }),
)

/**
 * The statistics before any data, as Gymnasium starts them: mean 0, variance 1 and a tiny count (default 1e-4), so
 * the first update is nearly the data's own moments and nothing divides by zero. Pass `count = 0` for exact batch
 * moments.
 *
 * @example
 * ```ts
 * initialStatistics(2) // { mean: [0, 0], variance: [1, 1], count: 1e-4 }
 * ```
 */
export const initialStatistics = (size: number, count = 1e-4): RunningStatistics => ({
  mean: new Array<number>(size).fill(0),
  variance: new Array<number>(size).fill(1),
  count,
})

/**
 * The exact statistics of a batch of vectors of one size (two passes: mean, then variance).
 *
 * @throws RangeError when the batch is empty or the vectors differ in size
 *
 * @example
 * ```ts
 * batchStatistics([[1, 0], [3, 0]]) // { mean: [2, 0], variance: [1, 0], count: 2 }
 * ```
 */
export const batchStatistics = (batch: readonly ArrayLike<number>[]): RunningStatistics => {
  const size = batch[0]?.length
  if (size === undefined) throw new RangeError('batchStatistics: empty batch')
  if (batch.some((vector) => vector.length !== size)) {
    throw new RangeError(`batchStatistics: every vector must have ${size} values`)
  }
  const mean = Array.from({ length: size }, (_, i) => batch.reduce((sum, v) => sum + (v[i] ?? 0), 0) / batch.length)
  const variance = mean.map(
    (m, i) => batch.reduce((sum, v) => sum + ((v[i] ?? 0) - m) * ((v[i] ?? 0) - m), 0) / batch.length,
  )
  return { mean, variance, count: batch.length }
}

/**
 * Merges the statistics of two disjoint sets of vectors into those of their union (the parallel algorithm).
 *
 * @throws RangeError when the sizes differ
 *
 * @example
 * ```ts
 * mergeStatistics(batchStatistics([[1]]), batchStatistics([[3]])) // { mean: [2], variance: [1], count: 2 }
 * ```
 */
export const mergeStatistics = (a: RunningStatistics, b: RunningStatistics): RunningStatistics => {
  if (a.mean.length !== b.mean.length) {
    throw new RangeError(`mergeStatistics: sizes differ (${a.mean.length} and ${b.mean.length})`)
  }
  const count = a.count + b.count
  if (count === 0) return { mean: [...a.mean], variance: [...a.variance], count }
  const mean: number[] = []
  const variance: number[] = []
  for (let i = 0; i < a.mean.length; i++) {
    const delta = (b.mean[i] ?? 0) - (a.mean[i] ?? 0)
    mean.push((a.mean[i] ?? 0) + (delta * b.count) / count)
    const m2 =
      (a.variance[i] ?? 0) * a.count + (b.variance[i] ?? 0) * b.count + (delta * delta * a.count * b.count) / count
    variance.push(m2 / count)
  }
  return { mean, variance, count }
}

/**
 * The statistics after seeing a batch of vectors: `mergeStatistics(statistics, batchStatistics(batch))`.
 *
 * @example
 * ```ts
 * const next = updateStatistics(initialStatistics(3), [Float32Array.of(1, 0, 2)])
 * ```
 */
export const updateStatistics = (
  statistics: RunningStatistics,
  batch: readonly ArrayLike<number>[],
): RunningStatistics => mergeStatistics(statistics, batchStatistics(batch))

/**
 * The statistics after seeing one more vector (Welford's update): the same numbers as
 * `updateStatistics(statistics, [x])`, computed in one pass.
 *
 * @throws RangeError when the sizes differ
 *
 * @example
 * ```ts
 * addSample({ mean: [1], variance: [0], count: 1 }, [3]) // { mean: [2], variance: [1], count: 2 }
 * ```
 */
export const addSample = (statistics: RunningStatistics, x: ArrayLike<number>): RunningStatistics => {
  const size = statistics.mean.length
  if (x.length !== size) throw new RangeError(`addSample: expected ${size} values, got ${x.length}`)
  const previous = statistics.count
  const count = previous + 1
  const mean = new Array<number>(size)
  const variance = new Array<number>(size)
  for (let i = 0; i < size; i++) {
    const m = statistics.mean[i] ?? 0
    const delta = (x[i] ?? 0) - m
    mean[i] = m + delta / count
    variance[i] = ((statistics.variance[i] ?? 0) * previous + (delta * delta * previous) / count) / count
  }
  return { mean, variance, count }
}

/**
 * Normalises a vector with statistics: (x − mean) / √(variance + ε), as a fresh float32 array.
 *
 * @example
 * ```ts
 * normalize({ mean: [1], variance: [4], count: 2 }, 1e-8)([5]) // Float32Array [2]
 * ```
 */
export const normalize =
  (statistics: RunningStatistics, epsilon: number) =>
  (x: ArrayLike<number>): Float32Array => {
    const out = new Float32Array(x.length)
    for (let i = 0; i < x.length; i++) {
      out[i] = ((x[i] ?? 0) - (statistics.mean[i] ?? 0)) / Math.sqrt((statistics.variance[i] ?? 0) + epsilon)
    }
    return out
  }

/**
 * Decodes statistics from JSON (or any input) and checks their size.
 *
 * @throws ConfigError naming the field, or when the size is not `size`
 *
 * @example
 * ```ts
 * const statistics = decodeStatistics(JSON.parse(saved), 3)
 * ```
 */
export const decodeStatistics = (input: unknown, size: number): RunningStatistics => {
  const statistics = decodeOrThrow(RunningStatisticsCodec, input, 'running statistics')
  if (statistics.mean.length !== size) {
    throw new ConfigError([`mean: expected ${size} values, got ${statistics.mean.length}`], 'running statistics')
  }
  return statistics
}
