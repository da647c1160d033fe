import * as tf from '@tensorflow/tfjs-core'
import { nativeKernelsActive, nativePolyakSteps } from './native.js'
import { assertSameStructure, cloneParams, type Params, zipParams } from './Params.js'

/**
 * Polyak averaging of target-network parameters (Lillicrap et al. 2016, §3): `θ' ← τθ + (1 − τ)θ'`.
 *
 * Data-last and pure: returns a new record of tensors and leaves both inputs untouched; the caller disposes the old
 * target when it is superseded. `tau = 1` copies the online parameters, `tau = 0` keeps the target.
 *
 * @param tau - the averaging coefficient in [0, 1] (CleanRL and SB3 use 0.005)
 * @returns a function `(online, target) => newTarget`
 * @throws when `tau` is outside [0, 1] or the records differ in names or shapes
 * @see {@link hardUpdate}
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { polyakUpdate } from '@polyak/core'
 *
 * const online = { w: tf.tensor1d([1, 1]) }
 * const target = { w: tf.tensor1d([0, 0]) }
 * const next = polyakUpdate(0.25)(online, target)
 * next.w?.dataSync() // Float32Array [0.25, 0.25]
 * ```
 */
export const polyakUpdate =
  (tau: number) =>
  (online: Params, target: Params): Params => {
    if (!(tau >= 0 && tau <= 1)) throw new RangeError(`polyakUpdate: tau must be a number in [0, 1], got ${tau}`)
    assertSameStructure(online, target, 'polyakUpdate')
    if (tau === 1) return cloneParams(online)
    if (tau === 0) return cloneParams(target)
    if (nativeKernelsActive()) {
      // one native kernel for every tensor of the network
      const names = Object.keys(online)
      const next = nativePolyakSteps(
        names.map((name) => ({ online: online[name] as tf.Tensor, target: target[name] as tf.Tensor })),
        tau,
      )
      return Object.fromEntries(names.map((name, i) => [name, next[i] as tf.Tensor]))
    }
    return tf.tidy(() =>
      zipParams(online, target, (theta, thetaTarget) => tf.add(thetaTarget, tf.mul(tf.sub(theta, thetaTarget), tau))),
    )
  }

/**
 * Copies the online parameters into a new target record (`θ' ← θ`), as DQN-style periodic target updates and
 * Acme's D4PG do. Equal to `polyakUpdate(1)` but checks nothing about an old target.
 *
 * @see {@link polyakUpdate}
 *
 * @example
 * ```ts
 * const target = hardUpdate(online) // independent tensors, same values
 * ```
 */
export const hardUpdate = (online: Params): Params => cloneParams(online)
