/**
 * Convolution layers as differentiable ops: square-kernel 2-D convolutions and transposed convolutions (for decoders)
 * with hand-written gradients. Images are NHWC (channels last). The architectures built from them (the conv torso of
 * `@polyak/agents`, the driving app's VAE) live with the other networks (docs/adr/0012).
 *
 * Every layer's gradient is written by hand from forward convolutions: the filter gradient is a dilated convolution
 * of the input with the output gradient, the input gradient a sub-pixel convolution of the output gradient with the
 * flipped kernel regrouped by phase. The wasm backend has no kernel for tfjs' own filter gradient
 * (`Conv2DBackpropFilter`), and its transposed convolution (`Conv2DBackpropInput`) is a plain loop several times
 * slower than its XNNPACK convolution, so these layers train on every backend and are fastest where only `Conv2D` is
 * fast. A transposed convolution's forward pass is the same sub-pixel convolution.
 *
 * @module convLayers
 */
import * as tf from '@tensorflow/tfjs-core'
import { type Activation, activationGradient, applyActivation } from './activation.js'

/**
 * How a convolution pads its input, as in TensorFlow:
 * - `same`: output size ⌈in / stride⌉; zeros are added around the input, the extra one (for an even total) after;
 * - `valid`: no padding, output size ⌊(in − kernel) / stride⌋ + 1.
 *
 * @example
 * ```ts
 * const padding: ConvPadding = 'same' // 64 → 32 → 16 → 8 → 4 with stride 2
 * ```
 */
export type ConvPadding = 'same' | 'valid'

/**
 * The geometry of a convolution along one spatial axis: the output size and the zeros added before and after.
 *
 * @example
 * ```ts
 * const g: ConvGeometry = convGeometry(64, 4, 2, 'same') // { output: 32, before: 1, after: 1 }
 * ```
 */
export interface ConvGeometry {
  /** Output size along the axis. */
  readonly output: number
  /** Zeros added before the first input value. */
  readonly before: number
  /** Zeros added after the last input value. */
  readonly after: number
}

/**
 * The output size and padding of a convolution along one axis (TensorFlow's rule: for `same`, the total padding is
 * `max(0, (out − 1)·stride + kernel − in)`, the smaller half before). The output size is ≤ 0 when a `valid`
 * convolution's kernel is larger than its input.
 *
 * @example
 * ```ts
 * convGeometry(64, 4, 2, 'same') // { output: 32, before: 1, after: 1 }
 * convGeometry(64, 4, 2, 'valid') // { output: 31, before: 0, after: 0 }
 * ```
 */
export const convGeometry = (
  inputSize: number,
  kernelSize: number,
  strides: number,
  padding: ConvPadding,
): ConvGeometry => {
  if (padding === 'valid') return { output: Math.floor((inputSize - kernelSize) / strides) + 1, before: 0, after: 0 }
  const output = Math.ceil(inputSize / strides)
  const total = Math.max(0, (output - 1) * strides + kernelSize - inputSize)
  const before = Math.floor(total / 2)
  return { output, before, after: total - before }
}

type Pad4 = [[number, number], [number, number], [number, number], [number, number]]

const explicitPad = (h: ConvGeometry, w: ConvGeometry): Pad4 => [
  [0, 0],
  [h.before, h.after],
  [w.before, w.after],
  [0, 0],
]

/**
 * dL/dx of `y = conv(x, w)` (stride `s`, padding `gh`, `gw`), from dL/dy, as a sub-pixel convolution: with
 * `h + before = s·q + r`, `dx[h] = Σ_m dy[q − m] · w[s·m + r]` (m < ⌈k / s⌉), so one stride-1 convolution of dy with
 * the kernel regrouped by phase `r` (flipped in space, channel axes swapped) gives every phase at once as
 * `s·s·inChannels` channels, which a transpose interleaves into rows and columns; the padding rows are cropped.
 * Also the forward pass of a transposed convolution.
 */
const convInputGrad = (
  dy: tf.Tensor4D,
  kernel: tf.Tensor4D,
  inputHeight: number,
  inputWidth: number,
  strides: number,
  gh: ConvGeometry,
  gw: ConvGeometry,
): tf.Tensor4D => {
  const [n, oh, ow] = dy.shape
  const [k, , c, f] = kernel.shape
  const s = strides
  const m = Math.ceil(k / s)
  const padded =
    m * s === k
      ? kernel
      : tf.pad(kernel, [
          [0, m * s - k],
          [0, m * s - k],
          [0, 0],
          [0, 0],
        ])
  const phases = tf.reshape(
    tf.transpose(tf.reverse(tf.reshape(padded, [m, s, m, s, c, f]), [0, 2]), [0, 2, 5, 1, 3, 4]),
    [m, m, f, s * s * c],
  ) as tf.Tensor4D
  const rows = Math.ceil((inputHeight + gh.before) / s)
  const cols = Math.ceil((inputWidth + gw.before) / s)
  const z = tf.conv2d(dy, phases, 1, [
    [0, 0],
    [m - 1, Math.max(0, rows - oh)],
    [m - 1, Math.max(0, cols - ow)],
    [0, 0],
  ])
  const [, zh, zw] = z.shape
  const full =
    s === 1
      ? z
      : (tf.reshape(tf.transpose(tf.reshape(z, [n, zh, zw, s, s, c]), [0, 1, 3, 2, 4, 5]), [
          n,
          zh * s,
          zw * s,
          c,
        ]) as tf.Tensor4D)
  return gh.before === 0 && gw.before === 0 && zh * s === inputHeight && zw * s === inputWidth
    ? full
    : tf.slice(full, [0, gh.before, gw.before, 0], [n, inputHeight, inputWidth, c])
}

/**
 * dL/dw of `y = conv(x, w)` (stride `s`), from dL/dy: a convolution of the input (batch and channel axes swapped) with
 * the output gradient as a kernel dilated by the stride, cropped to the kernel size.
 */
const convFilterGrad = (
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  kernelSize: number,
  strides: number,
  gh: ConvGeometry,
  gw: ConvGeometry,
): tf.Tensor4D => {
  const xt = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D // [C, H, W, N]
  const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D // [OH, OW, N, F]
  let g = tf.conv2d(xt, dyt, 1, explicitPad(gh, gw), 'NHWC', strides) // [C, ≥ k, ≥ k, F]
  if (g.shape[1] !== kernelSize || g.shape[2] !== kernelSize) {
    g = tf.slice(g, [0, 0, 0, 0], [-1, kernelSize, kernelSize, -1])
  }
  return tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D
}

/**
 * dL/db of a per-channel bias: the sum of dL/dz over batch, rows and columns, as a product with a row of ones (on
 * wasm a reduction over the outer axes transposes first, about 10× slower).
 */
const biasGrad = (dz: tf.Tensor4D): tf.Tensor1D => {
  const channels = dz.shape[3]
  const rows = dz.size / channels
  return tf.reshape(tf.matMul(tf.ones([1, rows]), tf.reshape(dz, [rows, channels])), [channels])
}

const checkLayerArgs = (
  what: string,
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D,
  inAxis: 2 | 3,
  outAxis: 2 | 3,
  strides: number,
): void => {
  const [kh, kw] = kernel.shape
  if (x.rank !== 4 || kernel.rank !== 4 || bias.rank !== 1)
    throw new Error(`${what}: need x [N, H, W, C], a rank-4 kernel and a rank-1 bias`)
  if (kh !== kw) throw new Error(`${what}: the kernel must be square, got ${kh}×${kw}`)
  if (kernel.shape[inAxis] !== x.shape[3])
    throw new Error(`${what}: the kernel reads ${kernel.shape[inAxis]} channels, the input has ${x.shape[3]}`)
  if (bias.shape[0] !== kernel.shape[outAxis])
    throw new Error(`${what}: the bias has ${bias.shape[0]} values for ${kernel.shape[outAxis]} output channels`)
  if (!Number.isInteger(strides) || strides < 1) throw new RangeError(`${what}: strides must be an integer >= 1`)
}

/**
 * Options of {@link conv2dLayer} and {@link conv2dTransposeLayer}.
 *
 * @example
 * ```ts
 * const options: ConvLayerOptions = { strides: 2, padding: 'same', activation: 'relu', inputGradient: false }
 * ```
 */
export interface ConvLayerOptions {
  /** The stride in both spatial axes (default 1). */
  readonly strides?: number
  /** `same` (default) or `valid`: see {@link ConvPadding}. */
  readonly padding?: ConvPadding
  /** Fused activation (default `linear`). */
  readonly activation?: Activation
  /**
   * Whether the layer is differentiable with respect to its input (default true). `false` skips computing dL/dx,
   * one sub-pixel convolution per backward pass, for a first layer whose input is data (images); asking for a
   * gradient with respect to that input then fails with tfjs' "Cannot compute gradient" error, or sees no
   * contribution through this layer when the input also reaches the loss another way.
   */
  readonly inputGradient?: boolean
}

/** The three gradients of a layer; `dx` only when the input is differentiated. */
type LayerGrads = { readonly dx?: tf.Tensor4D; readonly dw: tf.Tensor4D; readonly db: tf.Tensor1D }

/**
 * A layer `y = forward(x, w, b)` with the gradient `backward`, as a tfjs custom-gradient op: over `(x, w, b)`, or
 * over `(w, b)` only, with `x` held as a constant, when the input is not differentiated.
 */
const customLayer = (
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D,
  inputGradient: boolean,
  forward: (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor4D,
  backward: (dy: tf.Tensor4D, x: tf.Tensor4D, w: tf.Tensor4D, y: tf.Tensor4D, withDx: boolean) => LayerGrads,
): tf.Tensor4D => {
  if (inputGradient) {
    return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [xs, w, b, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc]
      const y = forward(xs, w, b)
      save([xs, w, y])
      return {
        value: y,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [xs0, w0, y0] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]
          const { dx, dw, db } = backward(dy as tf.Tensor4D, xs0, w0, y0, true)
          return [dx as tf.Tensor4D, dw, db]
        },
      }
    })(x, kernel, bias) as tf.Tensor4D
  }
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [w, b, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc]
    const y = forward(x, w, b)
    save([x, w, y])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs0, w0, y0] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]
        const { dw, db } = backward(dy as tf.Tensor4D, xs0, w0, y0, false)
        return [dw, db]
      },
    }
  })(kernel, bias) as tf.Tensor4D
}

/**
 * A 2-D convolution layer `activation(conv(x, kernel) + bias)` (NHWC, square kernel) with a hand-written gradient
 * built from forward convolutions only (see the module notes): the same values and gradients as
 * `tf.conv2d(x, kernel, strides, padding)` with tfjs' own gradients, on every backend, wasm included.
 *
 * @param x - images, `[N, H, W, inChannels]`
 * @param kernel - `[k, k, inChannels, outChannels]`
 * @param bias - `[outChannels]`
 * @returns `[N, H', W', outChannels]` with H', W' from {@link convGeometry}
 * @throws Error when the shapes do not fit together, RangeError when a `valid` kernel does not fit the input
 *
 * @example
 * ```ts
 * const y = conv2dLayer(tf.ones([1, 4, 4, 1]), tf.ones([2, 2, 1, 3]), tf.zeros([3]), { strides: 2, padding: 'valid' })
 * // [1, 2, 2, 3], every value 4
 * ```
 */
export const conv2dLayer = (
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D,
  options: ConvLayerOptions = {},
): tf.Tensor4D => {
  const { strides = 1, padding = 'same', activation = 'linear', inputGradient = true } = options
  checkLayerArgs('conv2dLayer', x, kernel, bias, 2, 3, strides)
  const k = kernel.shape[0]
  const [, height, width] = x.shape
  const gh = convGeometry(height, k, strides, padding)
  const gw = convGeometry(width, k, strides, padding)
  if (gh.output < 1 || gw.output < 1)
    throw new RangeError(`conv2dLayer: a ${k}×${k} 'valid' kernel does not fit a ${height}×${width} input`)
  return customLayer(
    x,
    kernel,
    bias,
    inputGradient,
    (xs, w, b) => applyActivation(tf.add(tf.conv2d(xs, w, strides, explicitPad(gh, gw)), b), activation),
    (dy, xs, w, y, withDx) => {
      const dz = activationGradient(dy, y, activation)
      return {
        ...(withDx ? { dx: convInputGrad(dz, w, height, width, strides, gh, gw) } : {}),
        dw: convFilterGrad(xs, dz, k, strides, gh, gw),
        db: biasGrad(dz),
      }
    },
  )
}

/**
 * The output size of {@link conv2dTransposeLayer} along one axis: `in · stride` for `same`,
 * `(in − 1) · stride + kernel` for `valid` (the input size of the convolution it transposes).
 *
 * @example
 * ```ts
 * convTransposeOutputSize(4, 4, 2, 'same') // 8
 * convTransposeOutputSize(4, 4, 2, 'valid') // 10
 * ```
 */
export const convTransposeOutputSize = (
  inputSize: number,
  kernelSize: number,
  strides: number,
  padding: ConvPadding,
): number => (padding === 'same' ? inputSize * strides : (inputSize - 1) * strides + kernelSize)

/**
 * A transposed 2-D convolution layer `activation(convTranspose(x, kernel) + bias)` (NHWC, square kernel): the
 * adjoint of {@link conv2dLayer} with the same kernel, upsampling by the stride, as `tf.conv2dTranspose` (kernel
 * `[k, k, outChannels, inChannels]`) with output size {@link convTransposeOutputSize}. Hand-written gradient from
 * forward convolutions only, so it trains on the wasm backend.
 *
 * @param x - `[N, H, W, inChannels]`
 * @param kernel - `[k, k, outChannels, inChannels]`
 * @param bias - `[outChannels]`
 * @throws Error when the shapes do not fit together
 *
 * @example
 * ```ts
 * const kernel = tf.ones([4, 4, 32, 64]) as tf.Tensor4D
 * const y = conv2dTransposeLayer(tf.ones([1, 4, 4, 64]), kernel, tf.zeros([32]), { strides: 2, activation: 'relu' })
 * // [1, 8, 8, 32]
 * ```
 */
export const conv2dTransposeLayer = (
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D,
  options: ConvLayerOptions = {},
): tf.Tensor4D => {
  const { strides = 1, padding = 'same', activation = 'linear', inputGradient = true } = options
  checkLayerArgs('conv2dTransposeLayer', x, kernel, bias, 3, 2, strides)
  const k = kernel.shape[0]
  const [, height, width] = x.shape
  const outHeight = convTransposeOutputSize(height, k, strides, padding)
  const outWidth = convTransposeOutputSize(width, k, strides, padding)
  const gh = convGeometry(outHeight, k, strides, padding)
  const gw = convGeometry(outWidth, k, strides, padding)
  return customLayer(
    x,
    kernel,
    bias,
    inputGradient,
    (xs, w, b) => applyActivation(tf.add(convInputGrad(xs, w, outHeight, outWidth, strides, gh, gw), b), activation),
    (dy, xs, w, y, withDx) => {
      const dz = activationGradient(dy, y, activation)
      return {
        ...(withDx ? { dx: tf.conv2d(dz, w, strides, explicitPad(gh, gw)) } : {}),
        dw: convFilterGrad(dz, xs, k, strides, gh, gw),
        db: biasGrad(dz),
      }
    },
  )
}
