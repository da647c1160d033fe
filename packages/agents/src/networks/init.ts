/**
 * How the networks draw their initial weights: the schemes every architecture of this module shares.
 *
 * @module init
 */

/**
 * How a layer's weights are drawn.
 * - `fanIn`: U(±1/√fan_in) for kernel and bias: the DDPG paper's hidden-layer scheme, and PyTorch's `nn.Linear`
 *   default (so CleanRL's networks start from the same distribution).
 * - `glorot`: U(±√(6/(fan_in + fan_out))) kernel, zero bias (Keras' default).
 * - `{ uniform: c }`: U(±c) for kernel and bias; the DDPG paper uses `{ uniform: 3e-3 }` for the final layers.
 *
 * @example
 * ```ts
 * import { type Init, initMlp } from '@polyak/agents'
 * import { Rng } from '@polyak/core'
 *
 * const init: Init = 'glorot'
 * const params = initMlp({ inputSize: 3, hiddenSizes: [64], outputSize: 1, init })(Rng.key(0)) // zero biases
 * ```
 */
export type Init = 'fanIn' | 'glorot' | { readonly uniform: number }

/**
 * The bounds `c` of the uniform draws U(±c) of a layer's kernel and bias under a scheme (a bound of 0: all zeros).
 *
 * @example
 * ```ts
 * initBounds('fanIn', 256, 1) // { kernel: 0.0625, bias: 0.0625 }
 * initBounds('glorot', 3, 3) // { kernel: 1, bias: 0 }
 * ```
 */
export const initBounds = (
  init: Init,
  fanIn: number,
  fanOut: number,
): { readonly kernel: number; readonly bias: number } => {
  if (init === 'fanIn') return { kernel: 1 / Math.sqrt(fanIn), bias: 1 / Math.sqrt(fanIn) }
  if (init === 'glorot') return { kernel: Math.sqrt(6 / (fanIn + fanOut)), bias: 0 }
  return { kernel: init.uniform, bias: init.uniform }
}
