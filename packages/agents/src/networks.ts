/**
 * The networks module: every architecture polyak trains, with one signature style, `initX(spec)(key)` and
 * `applyX(spec)(params, input)`, and the actor-critic networks the agents compose from them.
 *
 * - {@link initMlp} / {@link applyMlp}: multi-layer perceptrons (`l<i>/kernel`, `l<i>/bias`).
 * - {@link initConvTorso} / {@link applyConvTorso}: strided conv torsos from images to features (`c<i>/…`).
 * - {@link initParkour} / {@link applyParkour}: two-stream networks, one torso per input group and a shared head.
 * - {@link makeNetworks}: the actor and critic of an agent on any of them ({@link NetworkArchitecture}).
 *
 * The layers they are built from (`dense`, `conv2dLayer`, `conv2dTransposeLayer`) are differentiable ops of
 * `@polyak/core`, next to the native kernels that accelerate them (docs/adr/0012).
 *
 * @example
 * ```ts
 * import { applyMlp, initMlp, type MlpSpec } from '@polyak/agents'
 * import { Rng } from '@polyak/core'
 * import * as tf from '@tensorflow/tfjs-core'
 *
 * const spec: MlpSpec = { inputSize: 3, hiddenSizes: [64, 64], outputSize: 1 }
 * const params = initMlp(spec)(Rng.key(0))
 * const q = tf.tidy(() => applyMlp(spec)(params, tf.zeros([8, 3]))) // [8, 1]
 * ```
 *
 * @module networks
 */
export * from './networks/actorCritic.js'
export * from './networks/convTorso.js'
export * from './networks/init.js'
export * from './networks/mlp.js'
export * from './networks/parkour.js'
