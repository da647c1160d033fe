/**
 * Conv torsos as data: a stack of strided convolutions from images `[N, H, W, C]` (NHWC, channels last) to flat
 * features `[N, features]`, with a pure initialiser and a pure forward function. Every layer is core's
 * `conv2dLayer` (a differentiable op with a hand-written gradient that the native backend accelerates).
 *
 * Layer `i` of a torso owns `c<i>/kernel` (`[k, k, inChannels, outChannels]`) and `c<i>/bias` (`[outChannels]`).
 *
 * @module convTorso
 */
import { type Activation, type ConvPadding, conv2dLayer, convGeometry, type Params, Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { type Init, initBounds } from './init.js'

/**
 * The shape of a conv torso: convolutions of `kernelSize` and `strides` with `filters[i]` output channels, each
 * followed by the activation, then the last feature map flattened (row-major HWC) to `[N, features]`.
 *
 * @example
 * ```ts
 * // 64×64 grey images: 64 → 32 → 16 → 8 → 4, so 4·4·64 = 1024 features
 * const torso: ConvTorsoSpec = { inputShape: [64, 64, 1], filters: [16, 32, 32, 64], kernelSize: 4, strides: 2 }
 * ```
 */
export interface ConvTorsoSpec {
  /** `[height, width, channels]` of an input image. */
  readonly inputShape: readonly [number, number, number]
  /** Output channels of each convolution (at least one). */
  readonly filters: readonly number[]
  /** Width and height of every (square) kernel. */
  readonly kernelSize: number
  /** Stride of every convolution, in both axes. */
  readonly strides: number
  /** `same` (default: output ⌈in / stride⌉) or `valid`: see core's `ConvPadding`. */
  readonly padding?: ConvPadding
  /** Activation after every convolution, the last included (default `relu`). */
  readonly activation?: Activation
  /**
   * Weight initialisation (default `fanIn`: U(±1/√fan_in) for kernel and bias with fan_in = k·k·inChannels,
   * PyTorch's `nn.Conv2d` default, as `initMlp`'s default is `nn.Linear`'s); `glorot` uses fan_out = k·k·outChannels.
   */
  readonly init?: Init
  /**
   * Whether the torso is differentiable with respect to the images (default true); `false` skips that part of the
   * backward pass when the images are data (observations, a VAE's input). See core's `ConvLayerOptions`.
   */
  readonly inputGradient?: boolean
}

const isPositiveInt = (n: number): boolean => Number.isInteger(n) && n > 0

/**
 * The output shape `[height, width, channels]` of every layer of a torso, first layer first.
 *
 * @throws RangeError when a size is not a positive integer or a `valid` layer's kernel does not fit its input
 *
 * @example
 * ```ts
 * convTorsoShapes({ inputShape: [64, 64, 1], filters: [16, 32], kernelSize: 4, strides: 2 }) // [[32, 32, 16], [16, 16, 32]]
 * ```
 */
export const convTorsoShapes = (spec: ConvTorsoSpec): ReadonlyArray<readonly [number, number, number]> => {
  const { inputShape, filters, kernelSize, strides } = spec
  const padding = spec.padding ?? 'same'
  if (inputShape.length !== 3 || !inputShape.every(isPositiveInt))
    throw new RangeError(`Conv: inputShape must be [height, width, channels] of positive integers, got [${inputShape}]`)
  if (filters.length === 0) throw new RangeError('Conv: filters must list at least one layer')
  filters.forEach((f, i) => {
    if (!isPositiveInt(f)) throw new RangeError(`Conv: filters[${i}] must be an integer > 0, got ${f}`)
  })
  if (!isPositiveInt(kernelSize)) throw new RangeError(`Conv: kernelSize must be an integer > 0, got ${kernelSize}`)
  if (!isPositiveInt(strides)) throw new RangeError(`Conv: strides must be an integer > 0, got ${strides}`)
  const shapes: Array<readonly [number, number, number]> = []
  let [h, w] = inputShape
  for (const [i, f] of filters.entries()) {
    const gh = convGeometry(h, kernelSize, strides, padding)
    const gw = convGeometry(w, kernelSize, strides, padding)
    if (gh.output < 1 || gw.output < 1)
      throw new RangeError(
        `Conv: layer ${i}'s ${kernelSize}×${kernelSize} 'valid' kernel does not fit its ${h}×${w} input (inputShape [${inputShape}])`,
      )
    h = gh.output
    w = gw.output
    shapes.push([h, w, f])
  }
  return shapes
}

/**
 * The number of features a torso outputs per image: height · width · channels of its last feature map.
 *
 * @throws RangeError for an invalid spec (see {@link convTorsoShapes})
 *
 * @example
 * ```ts
 * convTorsoOutputSize({ inputShape: [64, 64, 1], filters: [16, 32, 32, 64], kernelSize: 4, strides: 2 }) // 1024
 * ```
 */
export const convTorsoOutputSize = (spec: ConvTorsoSpec): number => {
  const shapes = convTorsoShapes(spec)
  const [h, w, c] = shapes[shapes.length - 1] as readonly [number, number, number]
  return h * w * c
}

/**
 * How {@link initConvKernel} draws a kernel and its bias: the bias size, the fans that set the bounds (see
 * {@link Init}) and the scheme.
 *
 * @example
 * ```ts
 * // a transposed convolution [4, 4, 32, 64] (64 → 32 channels), PyTorch's ConvTranspose2d fan_in: 32·4·4
 * const options: ConvInitOptions = { biasSize: 32, fanIn: 512, fanOut: 1024, init: 'fanIn' }
 * ```
 */
export interface ConvInitOptions {
  /** Number of bias values (the layer's output channels). */
  readonly biasSize: number
  /** Fan-in of the layer (`k·k·inChannels` for a convolution). */
  readonly fanIn: number
  /** Fan-out of the layer (only `glorot` uses it). */
  readonly fanOut: number
  /** The scheme (default `fanIn`). */
  readonly init?: Init
}

/**
 * Draws one kernel of the given shape and its bias uniformly (bounds from {@link Init}): the kernel from the first
 * child of `key`, the bias from the second, as `initMlp` does per layer. A zero bias for `glorot`.
 *
 * @example
 * ```ts
 * const { kernel, bias } = initConvKernel(Rng.key(0), [4, 4, 1, 16], { biasSize: 16, fanIn: 16, fanOut: 256 })
 * // kernel and bias in U(±1/4)
 * ```
 */
export const initConvKernel = (
  key: Rng.Key,
  shape: readonly [number, number, number, number],
  options: ConvInitOptions,
): { readonly kernel: tf.Tensor4D; readonly bias: tf.Tensor1D } => {
  const bound = initBounds(options.init ?? 'fanIn', options.fanIn, options.fanOut)
  const [kernelKey, biasKey] = Rng.split(key, 2)
  const size = shape[0] * shape[1] * shape[2] * shape[3]
  return {
    kernel: tf.tensor4d(Rng.uniformF32(kernelKey, size, -bound.kernel, bound.kernel), [...shape]),
    bias:
      bound.bias === 0
        ? tf.zeros([options.biasSize])
        : tf.tensor1d(Rng.uniformF32(biasKey, options.biasSize, -bound.bias, bound.bias)),
  }
}

/**
 * Draws the parameters of a conv torso from a key: layer `i` from the `i`-th child of `Rng.split(key, layers)`,
 * its kernel and bias from that child's two children. Same key and spec, same parameters (bit for bit).
 *
 * @throws RangeError for an invalid spec (see {@link convTorsoShapes})
 *
 * @example
 * ```ts
 * import { initConvTorso } from '@polyak/agents'
 * import { Rng } from '@polyak/core'
 *
 * const spec = { inputShape: [64, 64, 1], filters: [16, 32], kernelSize: 4, strides: 2 } as const
 * const params = initConvTorso(spec)(Rng.key(0)) // { 'c0/kernel': [4, 4, 1, 16], 'c0/bias': [16], 'c1/kernel': [4, 4, 16, 32], … }
 * ```
 */
export const initConvTorso =
  (spec: ConvTorsoSpec) =>
  (key: Rng.Key): Params => {
    convTorsoShapes(spec)
    const { filters, kernelSize: k } = spec
    const keys = Rng.split(key, filters.length)
    const params: Record<string, tf.Tensor> = {}
    let inChannels = spec.inputShape[2]
    for (const [i, outChannels] of filters.entries()) {
      const { kernel, bias } = initConvKernel(keys[i] as Rng.Key, [k, k, inChannels, outChannels], {
        biasSize: outChannels,
        fanIn: k * k * inChannels,
        fanOut: k * k * outChannels,
        init: spec.init ?? 'fanIn',
      })
      params[`c${i}/kernel`] = kernel
      params[`c${i}/bias`] = bias
      inChannels = outChannels
    }
    return params
  }

/**
 * The forward pass of a conv torso: every layer is core's `conv2dLayer` with the spec's stride, padding and
 * activation; the last feature map is flattened row-major (height, width, channel) to `[N, features]`. A pure
 * function of the parameters and the images, differentiable with respect to the parameters (and the images unless
 * `inputGradient: false`).
 *
 * @throws Error when the images do not have the spec's shape or parameters are missing
 *
 * @example
 * ```ts
 * const features = tf.tidy(() => applyConvTorso(spec)(params, images)) // images [N, 64, 64, 1] → [N, 1024]
 * ```
 */
export const applyConvTorso =
  (spec: ConvTorsoSpec) =>
  (params: Params, images: tf.Tensor4D): tf.Tensor2D => {
    const [height, width, channels] = spec.inputShape
    const [, h, w, c] = images.shape
    if (images.rank !== 4 || h !== height || w !== width || c !== channels)
      throw new Error(`applyConvTorso: expected images [N, ${height}, ${width}, ${channels}], got [${images.shape}]`)
    const activation = spec.activation ?? 'relu'
    const padding = spec.padding ?? 'same'
    let x = images
    for (let i = 0; i < spec.filters.length; i++) {
      const kernel = params[`c${i}/kernel`]
      const bias = params[`c${i}/bias`]
      if (kernel === undefined || bias === undefined)
        throw new Error(`applyConvTorso: parameters of layer ${i} are missing`)
      x = conv2dLayer(x, kernel as tf.Tensor4D, bias as tf.Tensor1D, {
        strides: spec.strides,
        padding,
        activation,
        inputGradient: i > 0 || spec.inputGradient !== false,
      })
    }
    const [n, fh, fw, fc] = x.shape
    return tf.reshape(x, [n, fh * fw * fc])
  }
