/**
 * The critic's regression loss.
 *
 * @module criticLoss
 */
import { squaredError } from '@polyak/core'
import type * as tf from '@tensorflow/tfjs-core'

/**
 * The critic loss `L = mean(w · (y − Q(s, a))²)` and the TD errors `δ = y − Q(s, a)` (for prioritized replay).
 * Without weights, `w = 1` (plain MSE, as DDPG and TD3); with prioritized replay, `w` are the importance-sampling
 * weights (Schaul et al. 2016). Pure tensor maths (`squaredError` of `@polyak/core`: one kernel each way on the
 * native backend); call it inside `tf.tidy`.
 *
 * @example
 * ```ts
 * const { loss, tdErrors } = criticLoss(tf.tensor1d([1, 2]), tf.tensor1d([2, 0])) // loss 2.5, δ [1, −2]
 * const weighted = criticLoss(q, y, tf.tensor1d([1, 0.5]))
 * ```
 */
export const criticLoss = (
  predicted: tf.Tensor1D,
  targets: tf.Tensor1D,
  weights?: tf.Tensor1D,
): { readonly loss: tf.Scalar; readonly tdErrors: tf.Tensor1D } => {
  const { loss, errors: tdErrors } = squaredError(predicted, targets, weights)
  return { loss, tdErrors }
}
