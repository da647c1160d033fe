import * as tf from '@tensorflow/tfjs-core'

/**
 * `tf.tidy` with the result's own type: runs `fn`, keeps every tensor reachable from its result (through nested
 * objects and arrays, e.g. `{ params, state: { m, v } }`), and disposes every other tensor made inside.
 * `fn` must be synchronous.
 *
 * @example
 * ```ts
 * const next = tidy(() => adam(params, valueAndGradsOf(loss, params).grads, state)) // typed { params, state }
 * ```
 */
export const tidy = <T>(fn: () => T): T => tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T
