/**
 * The C51 projection of a shifted return distribution onto a fixed support.
 *
 * @module categoricalProjection
 */
import * as tf from '@tensorflow/tfjs-core'

/**
 * Projects the distribution `r + discount·Z` (atoms `r_b + discount_b·z_j` with probabilities `p_bj`) onto the
 * support `z` (evenly spaced from v_min to v_max), as in C51 (Bellemare, Dabney and Munos 2017, Algorithm 1) and
 * D4PG (Barth-Maron et al. 2018): each shifted atom is clipped to [v_min, v_max] and its mass split between the two
 * nearest atoms of the support in proportion to closeness, written as
 * `(Φ p)_bi = Σ_j p_bj · clip(1 − |clip(r_b + d_b z_j) − z_i| / Δz, 0, 1)` (rlax's `categorical_l2_project`). Mass
 * and non-negativity are preserved. Pure tensor maths; call it inside `tf.tidy`.
 *
 * @param support - `[N]` atoms, evenly spaced, increasing
 * @param probabilities - `[B, N]` the next-state distributions, rows summing to 1
 * @param rewards - `[B]` (n-step) rewards
 * @param discounts - `[B]` bootstrap multipliers, 0 for terminated transitions
 * @returns `[B, N]` the projected target distributions
 *
 * @example
 * ```ts
 * const z = tf.linspace(-10, 10, 51)
 * const target = categoricalProjection(z, nextProbabilities, rewards, tf.mul(discounts, tf.sub(1, terminated)))
 * ```
 */
export const categoricalProjection = (
  support: tf.Tensor1D,
  probabilities: tf.Tensor2D,
  rewards: tf.Tensor1D,
  discounts: tf.Tensor1D,
): tf.Tensor2D => {
  const n = support.shape[0]
  const values = support.arraySync()
  const vMin = values[0] as number
  const vMax = values[n - 1] as number
  const delta = n > 1 ? (vMax - vMin) / (n - 1) : 1
  // shifted atoms [B, 1, N] against the support [1, N, 1]: weight[b, i, j] of target atom j on support atom i
  const shifted = tf.clipByValue(
    tf.add(tf.expandDims(rewards, 1), tf.mul(tf.expandDims(discounts, 1), support)),
    vMin,
    vMax,
  )
  const distance = tf.abs(tf.sub(tf.expandDims(shifted, 1), tf.reshape(support, [1, n, 1])))
  const weights = tf.clipByValue(tf.sub(1, tf.div(distance, delta)), 0, 1)
  return tf.squeeze(tf.matMul(weights, tf.expandDims(probabilities, 2)), [2]) as tf.Tensor2D
}
