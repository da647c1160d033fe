import * as tf from '@tensorflow/tfjs-core'
import { type Activation, activationGradient, applyActivation } from './activation.js'
import { nativeKernelsActive } from './native.js'

export type { Activation } from './activation.js'

const makeDense = (activation: Activation) =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc]
    const y = applyActivation(tf.add(tf.matMul(x, w), b), activation)
    save([x, w, y])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]
        const dz = activationGradient(dy as tf.Tensor2D, ys, activation)
        if (nativeKernelsActive()) {
          // polyak's native products read transposed operands at full speed (docs/adr/0009)
          return [tf.matMul(dz, ws, false, true), tf.matMul(xs, dz, true, false), tf.sum(dz, 0)]
        }
        // Explicit transposes keep every product a plain (non-transposed) matMul: on the wasm backend only those
        // reach XNNPACK, the transposed variants fall back to a naive loop about 10x slower (docs/adr/0002).
        return [tf.matMul(dz, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dz), tf.sum(dz, 0)]
      },
    }
  })

const denseByActivation: Record<Activation, ReturnType<typeof makeDense>> = {
  linear: makeDense('linear'),
  relu: makeDense('relu'),
  tanh: makeDense('tanh'),
}

/**
 * A fully connected layer `activation(x·W + b)` with a hand-written gradient.
 *
 * Same values and gradients as `tf.relu(tf.add(tf.matMul(x, w), b))` and friends, but the backward pass uses only
 * non-transposed matrix products (with explicit transposes), which is several times faster on the wasm backend.
 *
 * @param x - inputs, shape [batch, in]
 * @param w - kernel, shape [in, out]
 * @param b - bias, shape [out]
 * @param activation - fused activation (default `linear`)
 *
 * @example
 * ```ts
 * const y = dense(tf.ones([2, 3]), tf.ones([3, 4]), tf.zeros([4]), 'relu') // shape [2, 4], all 3
 * ```
 */
export const dense = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation = 'linear'): tf.Tensor2D =>
  denseByActivation[activation](x, w, b) as tf.Tensor2D

/**
 * The same layer written with plain tfjs ops and tfjs' own gradients; the reference for tests and benchmarks.
 *
 * @example
 * ```ts
 * const y = denseReference(x, w, b, 'tanh')
 * ```
 */
export const denseReference = (
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  activation: Activation = 'linear',
): tf.Tensor2D => applyActivation(tf.add(tf.matMul(x, w), b), activation)
