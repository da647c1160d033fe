import { Box, decodeOrThrow, optional, PositiveNumber, strictObject } from '@polyak/core'
import * as t from 'io-ts'
import type { Env } from './Env.js'
import {
  addSample,
  decodeStatistics,
  initialStatistics,
  normalize,
  type RunningStatistics,
  RunningStatisticsCodec,
} from './RunningStatistics.js'
import { wrapEnv } from './wrapEnv.js'

/**
 * Options of {@link normalizeObservation}, validated (unknown keys are errors).
 *
 * @example
 * ```ts
 * const evaluation: NormalizeObservationOptions = { statistics: trained.statistics(), frozen: true }
 * ```
 */
export interface NormalizeObservationOptions {
  /** Added to the variance under the square root (default 1e-8, Gymnasium's). */
  readonly epsilon?: number
  /** Start frozen: normalise with the current statistics but do not update them (for evaluation). */
  readonly frozen?: boolean
  /** Statistics to start from, e.g. saved from a training env (default: mean 0, variance 1, count 1e-4). */
  readonly statistics?: RunningStatistics
}

const NormalizeObservationOptionsCodec = strictObject('normalizeObservation options', {
  epsilon: optional(PositiveNumber),
  frozen: optional(t.boolean),
  statistics: optional(RunningStatisticsCodec),
})

/**
 * An env whose observations are normalised, with access to the running statistics.
 *
 * @example
 * ```ts
 * const env: NormalizedEnv = normalizeObservation()(makePendulum())
 * const saved = JSON.stringify(env.statistics())
 * ```
 */
export interface NormalizedEnv extends Env {
  /** The current statistics: plain data, safe to `JSON.stringify`. */
  readonly statistics: () => RunningStatistics
  /**
   * Replaces the statistics, e.g. with `JSON.parse` of saved ones.
   *
   * @throws ConfigError naming the field when the input is not valid statistics of the observation's size
   */
  readonly loadStatistics: (statistics: unknown) => void
  /** Freezes (`true`) or resumes (`false`) the updates of the statistics. */
  readonly setFrozen: (frozen: boolean) => void
  /** Whether updates are frozen. */
  readonly isFrozen: () => boolean
}

/**
 * Gymnasium's `NormalizeObservation`: every observation (of resets and steps) first updates running per-element
 * statistics, unless frozen, then is returned as (x − mean) / √(variance + ε) in float32. The observation space
 * becomes unbounded. The statistics are a plain JSON value: save them with `statistics()`, restore them with
 * `loadStatistics` or the `statistics` option, and freeze them for evaluation.
 *
 * @throws ConfigError at once when an option is invalid or the statistics do not fit the observation size
 *
 * @example
 * ```ts
 * const train = normalizeObservation()(makeEnv('Pendulum-v1'))
 * // … train …
 * const evaluation = normalizeObservation({ statistics: train.statistics(), frozen: true })(makeEnv('Pendulum-v1'))
 * ```
 */
export const normalizeObservation =
  (options: NormalizeObservationOptions = {}) =>
  (env: Env): NormalizedEnv => {
    const decoded = decodeOrThrow(NormalizeObservationOptionsCodec, options, 'normalizeObservation options')
    const size = Box.size(env.observationSpace)
    const epsilon = decoded.epsilon ?? 1e-8
    let frozen = decoded.frozen ?? false
    let statistics =
      decoded.statistics === undefined ? initialStatistics(size) : decodeStatistics(decoded.statistics, size)
    const observe = (observation: Float32Array): Float32Array => {
      if (!frozen) statistics = addSample(statistics, observation)
      return normalize(statistics, epsilon)(observation)
    }
    const wrapped = wrapEnv(env, {
      observationSpace: Box.box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, env.observationSpace.shape),
      reset: (resetOptions) => {
        const result = env.reset(resetOptions)
        return { ...result, observation: observe(result.observation) }
      },
      step: (action) => {
        const result = env.step(action)
        return { ...result, observation: observe(result.observation) }
      },
    })
    return {
      ...wrapped,
      statistics: () => statistics,
      loadStatistics: (input) => {
        statistics = decodeStatistics(input, size)
      },
      setFrozen: (value) => {
        frozen = value
      },
      isFrozen: () => frozen,
    }
  }
