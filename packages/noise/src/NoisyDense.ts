/**
 * Noisy linear layers with factorised Gaussian noise (Fortunato et al. 2018, "Noisy Networks for Exploration",
 * ICLR, §3.2): `y = x·(μ_W + σ_W ⊙ ε_W) + μ_b + σ_b ⊙ ε_b`, whose σ are learned by gradient descent.
 *
 * @module NoisyDense
 */
import { type Activation, dense, type Params, Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'

/**
 * The parameters of a noisy dense layer: `muW` and `sigmaW` ([in, out]), `muB` and `sigmaB` ([out]).
 *
 * @example
 * ```ts
 * const params: NoisyDenseParams = initNoisyDense(Rng.key(0), 4, 2)
 * ```
 */
export type NoisyDenseParams = Params & {
  readonly muW: tf.Tensor2D
  readonly sigmaW: tf.Tensor2D
  readonly muB: tf.Tensor1D
  readonly sigmaB: tf.Tensor1D
}

/**
 * Draws the parameters of a factorised noisy dense layer (Fortunato et al. 2018, §3.2): μ ~ U(−1/√p, 1/√p) and
 * σ = σ₀/√p, with p the input size and σ₀ = 0.5 by default. Returns new tensors the caller owns.
 *
 * @throws RangeError when a size is not an integer > 0 or `sigma0` is negative
 *
 * @example
 * ```ts
 * import { Rng } from '@polyak/core'
 *
 * const params = initNoisyDense(Rng.key(0), 4, 2) // { muW: [4, 2], sigmaW: [4, 2], muB: [2], sigmaB: [2] }
 * ```
 */
export const initNoisyDense = (key: Rng.Key, inputSize: number, outputSize: number, sigma0 = 0.5): NoisyDenseParams => {
  for (const [what, size] of [
    ['inputSize', inputSize],
    ['outputSize', outputSize],
  ] as const) {
    if (!Number.isInteger(size) || size <= 0)
      throw new RangeError(`initNoisyDense: ${what} must be an integer > 0, got ${size}`)
  }
  if (!(sigma0 >= 0)) throw new RangeError(`initNoisyDense: sigma0 must be >= 0, got ${sigma0}`)
  const bound = 1 / Math.sqrt(inputSize)
  const sigma = sigma0 / Math.sqrt(inputSize)
  const [wKey, bKey] = Rng.split(key, 2)
  return {
    muW: tf.tensor2d(Rng.uniformF32(wKey, inputSize * outputSize, -bound, bound), [inputSize, outputSize]),
    sigmaW: tf.fill([inputSize, outputSize], sigma) as tf.Tensor2D,
    muB: tf.tensor1d(Rng.uniformF32(bKey, outputSize, -bound, bound)),
    sigmaB: tf.fill([outputSize], sigma) as tf.Tensor1D,
  }
}

/** f(x) = sign(x)·√|x|, the noise shaping of factorised NoisyNets. */
const shape = (x: number): number => Math.sign(x) * Math.sqrt(Math.abs(x))

/**
 * The forward pass of a noisy dense layer with factorised Gaussian noise (Fortunato et al. 2018, §3.2): draws
 * ε_i ~ N(0, 1) for the p inputs and ε_j for the q outputs from `key`, sets ε_W[i, j] = f(ε_i)·f(ε_j) and
 * ε_b[j] = f(ε_j) with f(x) = sign(x)√|x|, and returns `activation(x·(μ_W + σ_W ⊙ ε_W) + μ_b + σ_b ⊙ ε_b)`.
 * Differentiable with respect to x, μ and σ. Same key, same noise. Returns a tensor the caller owns.
 *
 * @example
 * ```ts
 * import { Rng } from '@polyak/core'
 *
 * const y = noisyDense(Rng.key(1), params, tf.ones([8, 4]) as tf.Tensor2D, 'relu') // [8, 2]
 * ```
 */
export const noisyDense = (
  key: Rng.Key,
  params: NoisyDenseParams,
  x: tf.Tensor2D,
  activation: Activation = 'linear',
): tf.Tensor2D => {
  const [p, q] = params.muW.shape
  const eps = Rng.normal(key, p + q)
  const epsIn = Float32Array.from(eps.subarray(0, p), shape)
  const epsOut = Float32Array.from(eps.subarray(p), shape)
  return tf.tidy(() => {
    const epsW = tf.outerProduct(tf.tensor1d(epsIn), tf.tensor1d(epsOut))
    const epsB = tf.tensor1d(epsOut)
    const w = tf.add(params.muW, tf.mul(params.sigmaW, epsW)) as tf.Tensor2D
    const b = tf.add(params.muB, tf.mul(params.sigmaB, epsB)) as tf.Tensor1D
    return dense(x, w, b, activation)
  })
}
