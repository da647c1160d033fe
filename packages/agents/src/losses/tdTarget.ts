/**
 * One-step (or n-step) temporal-difference targets.
 *
 * @module tdTarget
 */
import { bootstrapTarget } from '@polyak/core'
import type * as tf from '@tensorflow/tfjs-core'

/**
 * The inputs of a TD target, all `[batch]` tensors.
 *
 * @example
 * ```ts
 * const inputs: TdTargetInputs = { rewards, discounts, terminated, nextValues }
 * ```
 */
export interface TdTargetInputs {
  /** The (possibly n-step discounted) rewards. */
  readonly rewards: tf.Tensor1D
  /** The bootstrap multiplier per sample: γ for 1-step transitions, γᵐ for m-step ones. */
  readonly discounts: tf.Tensor1D
  /** 1 where the episode terminated (no bootstrap), else 0. Truncation is not termination: it bootstraps. */
  readonly terminated: tf.Tensor1D
  /** The value of the next state under the target networks, e.g. Q'(s', μ'(s')). */
  readonly nextValues: tf.Tensor1D
}

/**
 * The TD target `y = r + (1 − terminated) · discount · V(s')` (DDPG: Lillicrap et al. 2016, eq. 5, with V(s') =
 * Q'(s', μ'(s'))). The update functions compute it outside the loss they differentiate, so no gradient flows into
 * the target. Pure tensor maths (`bootstrapTarget` of `@polyak/core`: one kernel on the native backend); call it
 * inside `tf.tidy`.
 *
 * @example
 * ```ts
 * const y = tdTarget({
 *   rewards: tf.tensor1d([1, 1]),
 *   discounts: tf.tensor1d([0.99, 0.99]),
 *   terminated: tf.tensor1d([0, 1]),
 *   nextValues: tf.tensor1d([10, 10]),
 * }) // [10.9, 1]
 * ```
 */
export const tdTarget = ({ rewards, discounts, terminated, nextValues }: TdTargetInputs): tf.Tensor1D =>
  bootstrapTarget({ rewards, discounts, terminated }, [nextValues])

/**
 * TD3's clipped double-Q target (Fujimoto et al. 2018, eq. 10): the TD target with the elementwise minimum of the
 * target critics' values, `y = r + (1 − terminated) · discount · min_i Q'_i(s', ã)`.
 *
 * @throws Error when no next values are given
 *
 * @example
 * ```ts
 * const y = clippedDoubleQTarget({ rewards, discounts, terminated }, [q1Next, q2Next])
 * ```
 */
export const clippedDoubleQTarget = (
  inputs: Omit<TdTargetInputs, 'nextValues'>,
  nextValues: readonly tf.Tensor1D[],
): tf.Tensor1D => {
  if (nextValues.length === 0) throw new Error('clippedDoubleQTarget: needs at least one critic value')
  return bootstrapTarget(inputs, nextValues)
}
