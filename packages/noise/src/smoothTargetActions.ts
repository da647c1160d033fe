/**
 * TD3 target policy smoothing on a batch of actions.
 *
 * @module smoothTargetActions
 */
import { perturbWithin, type Rng } from '@polyak/core'
import type * as tf from '@tensorflow/tfjs-core'
import { clippedGaussianNoise } from './gaussianNoise.js'

/**
 * Action bounds: one number for every dimension, or one per dimension.
 *
 * @example
 * ```ts
 * const low: Bound = [-1, -2]
 * const high: Bound = 1
 * ```
 */
export type Bound = number | readonly number[]

/**
 * Options of {@link smoothTargetActions}: TD3 uses σ = 0.2, c = 0.5 (Fujimoto et al. 2018).
 *
 * @example
 * ```ts
 * const options: SmoothingOptions = { sigma: 0.2, clip: 0.5, low: -1, high: 1 }
 * ```
 */
export interface SmoothingOptions {
  /** Standard deviation of the smoothing noise (TD3: 0.2). */
  readonly sigma: number
  /** The noise is clipped to [−clip, clip] (TD3: 0.5). */
  readonly clip: number
  /** Lower action bound(s). */
  readonly low: Bound
  /** Upper action bound(s). */
  readonly high: Bound
  /**
   * Multiplies the clipped noise per dimension (default 1): pass the action half-range `(high − low)/2` to give σ and
   * c in units of the action scale, as the TD3 paper (`0.2·max_action`) and CleanRL do.
   */
  readonly scale?: Bound
}

const checkBound = (bound: Bound, dim: number, what: string): Bound => {
  if (typeof bound !== 'number' && bound.length !== dim) {
    throw new RangeError(`smoothTargetActions: ${what} has ${bound.length} entries, actions have ${dim} dimensions`)
  }
  return bound
}

/**
 * Target policy smoothing (Fujimoto et al. 2018, "Addressing Function Approximation Error in Actor-Critic Methods",
 * eq. 14): `ã = clip(a + scale·clip(ε, −c, c), low, high)` with ε ~ N(0, σ²) drawn independently per element.
 *
 * Pure in the key: the same key and actions give the same result. Returns a new tensor that the caller owns;
 * every intermediate tensor is freed. The sum and clipping are `perturbWithin` of `@polyak/core` (one kernel on the
 * native backend).
 *
 * @throws RangeError when a bound array does not match the action dimension
 *
 * @example
 * ```ts
 * import { Rng } from '@polyak/core'
 * import * as tf from '@tensorflow/tfjs-core'
 *
 * const next = tf.tensor2d([[0.9, -0.2]])
 * const smoothed = smoothTargetActions(Rng.key(0), next, { sigma: 0.2, clip: 0.5, low: -1, high: 1 })
 * ```
 */
export const smoothTargetActions = (
  key: Rng.Key,
  actions: tf.Tensor2D,
  { sigma, clip, low, high, scale = 1 }: SmoothingOptions,
): tf.Tensor2D => {
  const [batch, dim] = actions.shape
  const noise = clippedGaussianNoise(key, batch * dim, sigma, clip)
  const bounds = {
    scale: checkBound(scale, dim, 'scale'),
    low: checkBound(low, dim, 'low'),
    high: checkBound(high, dim, 'high'),
  }
  return perturbWithin(actions, noise, bounds)
}
