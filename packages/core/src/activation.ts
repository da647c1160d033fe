/**
 * The activations layers fuse, and their gradients from the layer's output, shared by `dense` and the conv layers.
 * Internal: not exported from the package.
 *
 * @module activation
 */
import * as tf from '@tensorflow/tfjs-core'

/**
 * Activation functions a layer can fuse.
 *
 * @example
 * ```ts
 * const activation: Activation = 'tanh'
 * const y = dense(x, w, b, activation) // tanh(x·W + b)
 * ```
 */
export type Activation = 'linear' | 'relu' | 'tanh'

/** y = activation(z). */
export const applyActivation = <T extends tf.Tensor>(z: T, activation: Activation): T => {
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
export const activationGradient = <T extends tf.Tensor>(dy: T, y: T, activation: Activation): T => {
  switch (activation) {
    case 'linear':
      return dy
    case 'relu':
      return tf.mul(dy, tf.step(y)) // y > 0 exactly where z > 0
    case 'tanh':
      return tf.mul(dy, tf.sub(1, tf.square(y)))
  }
}
