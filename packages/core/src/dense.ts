import * as tf from '@tensorflow/tfjs-core'
import { type Activation, activationGradient, applyActivation } from './activation.js'
import { nativeDenseStack, nativeKernelsActive } from './native.js'

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

/**
 * A chain of {@link dense} layers, `h(i+1) = activations[i](h(i)·W_i + b_i)`: the same values and gradients as
 * applying `dense` layer by layer, which it does on every backend but `native`, where the whole chain is one kernel
 * forward and one backward (about a tenth of the tfjs kernel calls; [ADR 0017]).
 *
 * [ADR 0017]: https://github.com/polyak-rl/polyak/blob/main/docs/adr/0017-fused-layer-stacks.md
 *
 * @param x - inputs, shape [batch, in], or its column blocks (e.g. observations and actions), concatenated in order
 * @param layers - each layer's kernel `w` ([in, out]) and bias `b` ([out]), input first
 * @param activations - each layer's activation (one per layer)
 *
 * @example
 * ```ts
 * const x = tf.ones([2, 3]) as tf.Tensor2D
 * const layers = [
 *   { w: tf.ones([3, 4]) as tf.Tensor2D, b: tf.zeros([4]) as tf.Tensor1D },
 *   { w: tf.ones([4, 1]) as tf.Tensor2D, b: tf.zeros([1]) as tf.Tensor1D },
 * ]
 * const y = denseStack(x, layers, ['relu', 'linear']) // shape [2, 1], all 12
 * const q = denseStack([tf.ones([2, 2]) as tf.Tensor2D, tf.ones([2, 1]) as tf.Tensor2D], layers, ['relu', 'linear']) // x's columns in two blocks: the same
 * ```
 */
export const denseStack = (
  x: tf.Tensor2D | readonly tf.Tensor2D[],
  layers: ReadonlyArray<{ readonly w: tf.Tensor2D; readonly b: tf.Tensor1D }>,
  activations: readonly Activation[],
): tf.Tensor2D => {
  if (layers.length !== activations.length || layers.length === 0)
    throw new RangeError(
      `denseStack: give one activation per layer and at least one layer (${layers.length} layers, ${activations.length} activations)`,
    )
  const parts: readonly tf.Tensor2D[] = Array.isArray(x) ? x : [x as tf.Tensor2D]
  if (parts.length === 0) throw new RangeError('denseStack: give at least one input')
  const width = parts.reduce((sum, p) => sum + (p.shape[1] ?? 0), 0)
  const fused =
    nativeKernelsActive() &&
    parts.every((p) => p.dtype === 'float32' && p.rank === 2 && p.shape[0] === parts[0]?.shape[0]) &&
    layers.every(({ w, b }) => w.dtype === 'float32' && b.dtype === 'float32' && b.shape[0] === w.shape[1]) &&
    layers.every(({ w }, i) => w.shape[0] === (i === 0 ? width : layers[i - 1]?.w.shape[1]))
  if (fused) return nativeDenseStack(parts, layers, activations)
  const input = parts.length === 1 ? (parts[0] as tf.Tensor2D) : tf.concat(parts as tf.Tensor2D[], 1)
  return layers.reduce((h, { w, b }, i) => dense(h, w, b, activations[i] as Activation), input)
}
