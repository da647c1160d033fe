/**
 * The actor's loss.
 *
 * @module dpgLoss
 */
import * as tf from '@tensorflow/tfjs-core'

/**
 * The deterministic policy gradient loss `L(θ) = −mean Q(s, μ_θ(s))` (Silver et al. 2014): its gradient with respect
 * to the actor's parameters is `−mean ∇_a Q(s, a)|_{a = μ_θ(s)} ∇_θ μ_θ(s)`, the DPG theorem's ascent direction with
 * the sign flipped for a minimiser. Differentiate it with respect to the actor's parameters only. Pure tensor maths;
 * call it inside `tf.tidy`.
 *
 * @example
 * ```ts
 * dpgLoss(tf.tensor1d([1, 3])) // −2
 * ```
 */
export const dpgLoss = (values: tf.Tensor1D): tf.Scalar => tf.neg(tf.mean(values)) as tf.Scalar
