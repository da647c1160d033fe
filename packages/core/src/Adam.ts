/**
 * Adam (Kingma & Ba 2015) as a pure function over parameter records, with PyTorch's update rule
 * `θ ← θ − lr · m̂ / (√v̂ + ε)` so that learning rates carry over from CleanRL and Stable-Baselines3.
 *
 * @module Adam
 */
import * as tf from '@tensorflow/tfjs-core'
import { nativeAdamSteps, nativeKernelsActive } from './native.js'
import { assertSameStructure, disposeParams, mapParams, type Params } from './Params.js'

/**
 * Hyperparameters of {@link adamUpdate}.
 *
 * @example
 * ```ts
 * const config: AdamConfig = { learningRate: 3e-4, maxGradNorm: 0.5 }
 * const adam = adamUpdate(config)
 * ```
 */
export interface AdamConfig {
  /** Step size (CleanRL TD3/DDPG: 3e-4). */
  readonly learningRate: number
  /** Decay of the first-moment estimate (default 0.9). */
  readonly beta1?: number
  /** Decay of the second-moment estimate (default 0.999). */
  readonly beta2?: number
  /** Added to the denominator for stability (default 1e-8, as in PyTorch). */
  readonly epsilon?: number
  /** When set, gradients are rescaled so that their global L2 norm is at most this value. */
  readonly maxGradNorm?: number
}

/**
 * Moment estimates and step count of Adam; replaced, never mutated, by {@link adamUpdate}.
 *
 * @example
 * ```ts
 * const state: AdamState = initAdam(params) // state.step === 0
 * const next = adamUpdate({ learningRate: 3e-4 })(params, grads, state) // next.state.step === 1
 * ```
 */
export interface AdamState {
  /** Number of updates applied so far. */
  readonly step: number
  /** First-moment estimates, one per parameter. */
  readonly m: Params
  /** Second-moment estimates, one per parameter. */
  readonly v: Params
}

/**
 * A fresh Adam state (zero moments, step 0) for the given parameters.
 *
 * @example
 * ```ts
 * const state = initAdam(params)
 * ```
 */
export const initAdam = (params: Params): AdamState => ({
  step: 0,
  m: mapParams(params, (p) => tf.zerosLike(p)),
  v: mapParams(params, (p) => tf.zerosLike(p)),
})

/**
 * Disposes the tensors of an Adam state.
 *
 * @example
 * ```ts
 * disposeAdam(oldState)
 * ```
 */
export const disposeAdam = (state: AdamState): void => disposeParams(state.m, state.v)

/**
 * The global L2 norm of a gradient record, as a scalar tensor.
 *
 * @example
 * ```ts
 * const norm = tf.tidy(() => globalNorm(grads)).dataSync()[0]
 * ```
 */
export const globalNorm = (grads: Params): tf.Scalar =>
  tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))) as tf.Scalar)

/**
 * One Adam step. Pure: returns new parameters and a new state and leaves the inputs untouched (the caller disposes
 * what it no longer needs). Optional global-norm gradient clipping (`maxGradNorm`) is applied first.
 *
 * @param config - learning rate and Adam's constants
 * @returns `(params, grads, state) => { params, state }`
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core'
 * import { adamUpdate, initAdam, valueAndGradsOf } from '@polyak/core'
 *
 * const params = { w: tf.tensor1d([1, -2]) }
 * const adam = adamUpdate({ learningRate: 0.1 })
 * const { grads } = valueAndGradsOf((p) => tf.sum(tf.square(p.w as tf.Tensor)), params)
 * const next = adam(params, grads, initAdam(params)) // next.params.w ≈ [0.9, -1.9]
 * ```
 */
export const adamUpdate =
  (config: AdamConfig) =>
  (params: Params, grads: Params, state: AdamState): { readonly params: Params; readonly state: AdamState } => {
    const { learningRate, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, maxGradNorm } = config
    assertSameStructure(params, grads, 'adamUpdate')
    return tf.tidy(() => {
      const step = state.step + 1
      let scale: tf.Scalar | undefined
      if (maxGradNorm !== undefined) {
        const norm = globalNorm(grads)
        scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxGradNorm), tf.add(norm, 1e-6))) as tf.Scalar
      }
      const stepSize = learningRate / (1 - beta1 ** step)
      const sqrtBias2 = Math.sqrt(1 - beta2 ** step)
      const next: Record<string, tf.Tensor> = {}
      const m: Record<string, tf.Tensor> = {}
      const v: Record<string, tf.Tensor> = {}
      if (nativeKernelsActive()) {
        // one native kernel for every tensor instead of eleven wasm ones per tensor, same float32 operations in the same order
        const constants = Float32Array.of(
          stepSize,
          beta1,
          1 - beta1,
          beta2,
          1 - beta2,
          sqrtBias2,
          epsilon,
          scale === undefined ? 1 : (scale.dataSync()[0] as number),
        )
        const names = Object.keys(params)
        const steps = nativeAdamSteps(
          names.map((name) => ({
            theta: params[name] as tf.Tensor,
            grad: grads[name] as tf.Tensor,
            m: state.m[name] as tf.Tensor,
            v: state.v[name] as tf.Tensor,
          })),
          constants,
        )
        names.forEach((name, i) => {
          const [theta, mt, vt] = steps[i] as [tf.Tensor, tf.Tensor, tf.Tensor]
          next[name] = theta
          m[name] = mt
          v[name] = vt
        })
        return { params: next, state: { step, m, v } }
      }
      for (const [name, p] of Object.entries(params)) {
        const raw = grads[name] as tf.Tensor
        const g = scale === undefined ? raw : tf.mul(raw, scale)
        const mt = tf.add(tf.mul(state.m[name] as tf.Tensor, beta1), tf.mul(g, 1 - beta1))
        const vt = tf.add(tf.mul(state.v[name] as tf.Tensor, beta2), tf.mul(tf.square(g), 1 - beta2))
        const denom = tf.add(tf.div(tf.sqrt(vt), sqrtBias2), epsilon)
        next[name] = tf.sub(p, tf.mul(tf.div(mt, denom), stepSize))
        m[name] = mt
        v[name] = vt
      }
      return { params: next, state: { step, m, v } }
    })
  }
