/**
 * Multi-layer perceptrons as data: a spec, a pure initialiser that returns a parameter record, and a pure forward
 * function. Layer `i` owns `l<i>/kernel` ([in, out]) and `l<i>/bias` ([out]).
 *
 * @module mlp
 */
import { type Activation, dense, denseStack, type Params, Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { type Init, initBounds } from './init.js'

/**
 * The shape of an MLP.
 *
 * @example
 * ```ts
 * const critic: MlpSpec = { inputSize: 3 + 1, hiddenSizes: [256, 256], outputSize: 1 }
 * const params = initMlp(critic)(Rng.key(1))
 * const q = applyMlp(critic)(params, tf.zeros([32, 4])) // [32, 1]
 * ```
 */
export interface MlpSpec {
  /** Size of the input vector. */
  readonly inputSize: number
  /** Widths of the hidden layers, e.g. `[256, 256]`. */
  readonly hiddenSizes: readonly number[]
  /** Size of the output vector. */
  readonly outputSize: number
  /** Hidden activation (default `relu`). */
  readonly activation?: Activation
  /** Output activation (default `linear`; `tanh` for a bounded actor). */
  readonly outputActivation?: Activation
  /** Initialisation of the hidden layers (default `fanIn`). */
  readonly init?: Init
  /** Initialisation of the output layer (default: same as `init`). */
  readonly finalInit?: Init
}

/**
 * The DDPG paper's final-layer initialisation U(±3e-3) (Lillicrap et al. 2016, §7).
 *
 * @example
 * ```ts
 * const actor: MlpSpec = { inputSize: 3, hiddenSizes: [400, 300], outputSize: 1, outputActivation: 'tanh',
 *   finalInit: DDPG_FINAL_INIT }
 * ```
 */
export const DDPG_FINAL_INIT: Init = { uniform: 3e-3 }

/**
 * The layer sizes of a spec, input first: `[inputSize, ...hiddenSizes, outputSize]`.
 *
 * @example
 * ```ts
 * layerSizes({ inputSize: 3, hiddenSizes: [64], outputSize: 1 }) // [3, 64, 1]
 * ```
 */
export const layerSizes = (spec: MlpSpec): readonly number[] => [spec.inputSize, ...spec.hiddenSizes, spec.outputSize]

const validate = (spec: MlpSpec): void => {
  for (const [i, size] of layerSizes(spec).entries()) {
    if (!Number.isInteger(size) || size <= 0)
      throw new RangeError(`Mlp: layer ${i} size must be an integer > 0, got ${size}`)
  }
}

/**
 * Draws the parameters of an MLP from a key. Same key and spec, same parameters (bit for bit).
 *
 * @example
 * ```ts
 * import { DDPG_FINAL_INIT, initMlp } from '@polyak/agents'
 * import { Rng } from '@polyak/core'
 *
 * const spec = { inputSize: 3, hiddenSizes: [256, 256], outputSize: 1, finalInit: DDPG_FINAL_INIT }
 * const params = initMlp(spec)(Rng.key(0)) // { 'l0/kernel': [3, 256], 'l0/bias': [256], … }
 * ```
 */
export const initMlp =
  (spec: MlpSpec) =>
  (key: Rng.Key): Params => {
    validate(spec)
    const sizes = layerSizes(spec)
    const layers = sizes.length - 1
    const keys = Rng.split(key, layers)
    const params: Record<string, tf.Tensor> = {}
    for (let i = 0; i < layers; i++) {
      const fanIn = sizes[i] as number
      const fanOut = sizes[i + 1] as number
      const init = i === layers - 1 ? (spec.finalInit ?? spec.init ?? 'fanIn') : (spec.init ?? 'fanIn')
      const bound = initBounds(init, fanIn, fanOut)
      const [kernelKey, biasKey] = Rng.split(keys[i] as Rng.Key, 2)
      params[`l${i}/kernel`] = tf.tensor2d(Rng.uniformF32(kernelKey, fanIn * fanOut, -bound.kernel, bound.kernel), [
        fanIn,
        fanOut,
      ])
      params[`l${i}/bias`] =
        bound.bias === 0 ? tf.zeros([fanOut]) : tf.tensor1d(Rng.uniformF32(biasKey, fanOut, -bound.bias, bound.bias))
    }
    return params
  }

/**
 * A fully connected layer `activation(x·W + b)`: {@link dense} or {@link denseReference}.
 *
 * @example
 * ```ts
 * const layer: DenseLayer = denseReference
 * const forward = applyMlp(spec, layer) // same values as applyMlp(spec), with tfjs' own gradients
 * ```
 */
export type DenseLayer = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation) => tf.Tensor2D

/**
 * The forward pass of an MLP: a pure function of parameters and a batch of inputs ([batch, inputSize], or its column
 * blocks in order, e.g. `[observations, actions]` for a critic, which saves a concatenation on the native backend).
 * Differentiable with respect to both; uses {@link denseStack} (the layers as one fused chain) unless another layer
 * is given.
 *
 * @example
 * ```ts
 * const actor = applyMlp(spec)
 * const actions = tf.tidy(() => actor(params, observations)) // [batch, outputSize]
 * ```
 */
export const applyMlp =
  (spec: MlpSpec, layer: DenseLayer = dense) =>
  (params: Params, input: tf.Tensor2D | readonly tf.Tensor2D[]): tf.Tensor2D => {
    const count = spec.hiddenSizes.length + 1
    const layers = Array.from({ length: count }, (_, i) => {
      const w = params[`l${i}/kernel`]
      const b = params[`l${i}/bias`]
      if (w === undefined || b === undefined) throw new Error(`applyMlp: parameters of layer ${i} are missing`)
      return { w: w as tf.Tensor2D, b: b as tf.Tensor1D }
    })
    const activations = layers.map((_, i) =>
      i === count - 1 ? (spec.outputActivation ?? 'linear') : (spec.activation ?? 'relu'),
    )
    // dense layers run as one fused chain (one native kernel each way on the native backend)
    if (layer === dense) return denseStack(input, layers, activations)
    const joined = Array.isArray(input) ? tf.concat(input as tf.Tensor2D[], 1) : (input as tf.Tensor2D)
    return layers.reduce((x, { w, b }, i) => layer(x, w, b, activations[i] as Activation), joined)
  }
