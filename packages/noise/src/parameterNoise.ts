/**
 * Parameter space noise (Plappert et al. 2018, "Parameter Space Noise for Exploration", ICLR): perturb the policy's
 * weights instead of its actions, and adapt the perturbation scale so that the perturbed policy's actions stay at a
 * target distance from the unperturbed ones.
 *
 * @module parameterNoise
 */
import { type Params, Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'

/**
 * A perturbed copy of a parameter record: every tensor plus independent N(0, σ²) noise (Plappert et al. 2018, §3).
 * Tensor `name` draws from `Rng.foldIn(key, i)` where `i` is its index in the sorted names, so the result does not
 * depend on the record's key order. Returns new tensors the caller owns; the input is not touched.
 *
 * @throws RangeError when `stddev` is negative or not finite
 *
 * @example
 * ```ts
 * import { Rng } from '@polyak/core'
 *
 * const perturbed = perturbParams(Rng.key(3), actorParams, 0.1)
 * ```
 */
export const perturbParams = (key: Rng.Key, params: Params, stddev: number): Params => {
  if (!(stddev >= 0) || !Number.isFinite(stddev)) {
    throw new RangeError(`perturbParams: stddev must be a finite number >= 0, got ${stddev}`)
  }
  const names = Object.keys(params).sort()
  return Object.fromEntries(
    names.map((name, i) => {
      const tensor = params[name] as tf.Tensor
      const noise = Rng.normalF32(Rng.foldIn(key, i), tensor.size, 0, stddev)
      return [name, tf.tidy(() => tf.add(tensor, tf.tensor(noise, tensor.shape, tensor.dtype)))] as const
    }),
  )
}

/**
 * The distance between two batches of actions used to adapt parameter noise (Plappert et al. 2018, §3, eq. for
 * DDPG): `d = sqrt(mean((a − b)²))` over every element. Frees everything it makes.
 *
 * @throws when the shapes differ
 *
 * @example
 * ```ts
 * actionDistance(tf.tensor2d([[0, 0]]), tf.tensor2d([[3, 4]])) // sqrt(12.5) ≈ 3.536
 * ```
 */
export const actionDistance = (a: tf.Tensor2D, b: tf.Tensor2D): number => {
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    throw new Error(`actionDistance: shapes differ: [${a.shape}] and [${b.shape}]`)
  }
  const d = tf.tidy(() => tf.sqrt(tf.mean(tf.square(tf.sub(a, b)))))
  const value = d.dataSync()[0] as number
  d.dispose()
  return value
}

/**
 * Options of {@link adaptStddev} (Plappert et al. 2018, §3).
 *
 * @example
 * ```ts
 * const options: AdaptOptions = { targetDistance: 0.2, coefficient: 1.01 }
 * ```
 */
export interface AdaptOptions {
  /** The target distance δ between perturbed and unperturbed actions. */
  readonly targetDistance: number
  /** The scaling factor α > 1 (default 1.01, as in the paper). */
  readonly coefficient?: number
}

/**
 * The adaptive scaling rule of Plappert et al. 2018 (§3): `σ ← σ/α` when the measured distance exceeds δ, otherwise
 * `σ ← σ·α`.
 *
 * @throws RangeError when `coefficient` is not > 1
 *
 * @example
 * ```ts
 * adaptStddev(0.1, 0.3, { targetDistance: 0.2 }) // 0.1 / 1.01
 * adaptStddev(0.1, 0.1, { targetDistance: 0.2 }) // 0.1 * 1.01
 * ```
 */
export const adaptStddev = (
  stddev: number,
  distance: number,
  { targetDistance, coefficient = 1.01 }: AdaptOptions,
): number => {
  if (!(coefficient > 1)) throw new RangeError(`adaptStddev: coefficient must be > 1, got ${coefficient}`)
  return distance > targetDistance ? stddev / coefficient : stddev * coefficient
}
