/**
 * Independent Gaussian action noise, plain and clipped.
 *
 * @module gaussianNoise
 */
import { Rng } from '@polyak/core'

const checkSize = (name: string, size: number): void => {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`${name}: size must be an integer >= 0, got ${size}`)
}

const checkNonNegative = (name: string, what: string, value: number): void => {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name}: ${what} must be a finite number >= 0, got ${value}`)
  }
}

/**
 * `size` independent draws of N(0, σ²) as float32: the exploration noise of TD3 (Fujimoto et al. 2018) and of
 * DDPG as most modern implementations run it.
 *
 * A pure function of the key: the same key gives the same array.
 *
 * @throws RangeError when `size` is not an integer >= 0 or `sigma` is negative or not finite
 *
 * @example
 * ```ts
 * import { Rng } from '@polyak/core'
 *
 * const eps = gaussianNoise(Rng.key(0), 3, 0.1) // Float32Array(3), each ~ N(0, 0.01)
 * ```
 */
export const gaussianNoise = (key: Rng.Key, size: number, sigma: number): Float32Array => {
  checkSize('gaussianNoise', size)
  checkNonNegative('gaussianNoise', 'sigma', sigma)
  return Rng.normalF32(key, size, 0, sigma)
}

/**
 * `size` draws of clip(N(0, σ²), −c, c) as float32: the target-policy-smoothing noise of TD3 (Fujimoto et al. 2018,
 * "Addressing Function Approximation Error in Actor-Critic Methods", eq. 14, with σ = 0.2 and c = 0.5).
 *
 * Uses the same draws as {@link gaussianNoise} for the same key, then clips them.
 *
 * @throws RangeError when `size` is not an integer >= 0 or `sigma`/`clip` are negative or not finite
 *
 * @example
 * ```ts
 * import { Rng } from '@polyak/core'
 *
 * const eps = clippedGaussianNoise(Rng.key(0), 4, 0.2, 0.5) // every |eps[i]| <= 0.5
 * ```
 */
export const clippedGaussianNoise = (key: Rng.Key, size: number, sigma: number, clip: number): Float32Array => {
  checkNonNegative('clippedGaussianNoise', 'clip', clip)
  const noise = gaussianNoise(key, size, sigma)
  const c = Math.fround(clip)
  return noise.map((x) => Math.min(c, Math.max(-c, x)))
}
