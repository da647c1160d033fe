import * as tf from '@tensorflow/tfjs'
import { nativeKernelsActive } from './native.js'

/**
 * Activation functions a {@link dense} layer can fuse.
 *
 * @example
 * ```ts
 * const activation: Activation = 'tanh'
 * const y = dense(x, w, b, activation) // tanh(x·W + b)
 * ```
 */
export type Activation = 'linear' | 'relu' | 'tanh'

const activate = (z: tf.Tensor2D, activation: Activation): tf.Tensor2D => {
  switch (activation) {
    case 'linear':
      return z
    case 'relu':
      return tf.relu(z)
    case 'tanh':
      return tf.tanh(z)
  }
}

/** dL/dz from dL/dy and the layer output y, for y = activation(z). */
const activationGrad = (dy: tf.Tensor2D, y: tf.Tensor2D, activation: Activation): tf.Tensor2D => {
  switch (activation) {
    case 'linear':
      return dy
    case 'relu':
      return tf.mul(dy, tf.step(y)) // y > 0 exactly where z > 0
    case 'tanh':
      return tf.mul(dy, tf.sub(1, tf.square(y)))
  }
}

const makeDense = (activation: Activation) =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc]
    const y = activate(tf.add(tf.matMul(x, w), b), activation)
    save([x, w, y])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]
        const dz = activationGrad(dy as tf.Tensor2D, ys, activation)
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
): tf.Tensor2D => activate(tf.add(tf.matMul(x, w), b), activation)
