/**
 * Actor and critic networks for continuous control: plain MLPs from core, with the actor squashed into the action
 * bounds and the critic taking the observation and action concatenated (CleanRL's layout).
 *
 * @module networks
 */
import { applyMlp, type Init, type MlpSpec, type Params } from '@polyak/core'
import * as tf from '@tensorflow/tfjs'
import { type CriticHead, scalarHead } from './criticHeads.js'

/**
 * The sizes and bounds the networks are built for.
 *
 * @example
 * ```ts
 * const spec: NetworkSpec = { observationSize: 3, actionSize: 1, low: [-2], high: [2], hiddenSizes: [256, 256] }
 * ```
 */
export interface NetworkSpec {
  readonly observationSize: number
  readonly actionSize: number
  /** Lower action bounds, one per dimension. */
  readonly low: readonly number[]
  /** Upper action bounds, one per dimension. */
  readonly high: readonly number[]
  /** Hidden layer widths of both networks (CleanRL: [256, 256]; the DDPG paper: [400, 300]). */
  readonly hiddenSizes: readonly number[]
  /** Initialisation of the output layers (default: fan-in uniform like the hidden layers; DDPG paper: U(±3e-3)). */
  readonly finalInit?: Init
}

/**
 * The pure forward functions of an actor-critic pair.
 *
 * @example
 * ```ts
 * const networks: Networks = makeNetworks(spec)
 * const actions = networks.policy(actorParams, observations) // [batch, actionSize], inside the bounds
 * ```
 */
export interface Networks {
  readonly spec: NetworkSpec
  /** The actor's MLP shape: observation → tanh-squashed action in [−1, 1] before scaling. */
  readonly actorSpec: MlpSpec
  /** The critic's MLP shape: [observation, action] → `head.outputSize` outputs. */
  readonly criticSpec: MlpSpec
  /** What the critic's output means (one value, or a categorical distribution). */
  readonly head: CriticHead
  /** μ(s) = tanh(MLP(s)) · (high − low)/2 + (high + low)/2, `[batch, actionSize]`. */
  readonly policy: (actor: Params, observations: tf.Tensor2D) => tf.Tensor2D
  /** The critic's raw output at (s, a), `[batch, head.outputSize]`. */
  readonly criticOutput: (critic: Params, observations: tf.Tensor2D, actions: tf.Tensor2D) => tf.Tensor2D
  /** Q(s, a) = `head.value(criticOutput(…))`, `[batch]`. */
  readonly q: (critic: Params, observations: tf.Tensor2D, actions: tf.Tensor2D) => tf.Tensor1D
}

const checkBounds = (spec: NetworkSpec): void => {
  const { actionSize, low, high } = spec
  if (low.length !== actionSize || high.length !== actionSize) {
    throw new RangeError(
      `makeNetworks: low and high need ${actionSize} entries (the action size), got ${low.length} and ${high.length}`,
    )
  }
  low.forEach((l, i) => {
    const h = high[i] as number
    if (!(Number.isFinite(l) && Number.isFinite(h) && l < h)) {
      throw new RangeError(`makeNetworks: action bounds must be finite with low < high, got [${l}, ${h}] at ${i}`)
    }
  })
}

/**
 * Builds the actor and critic forward functions for a spec (CleanRL's TD3/DDPG networks: ReLU MLPs, a tanh actor
 * scaled to the action bounds, a critic on the concatenated observation and action). The critic's last layer has
 * `head.outputSize` units: one value by default ({@link scalarHead}), or the logits of a categorical distribution
 * (`categoricalHead`, D4PG).
 *
 * @throws RangeError when the bounds do not match the action size or are not finite with low < high
 *
 * @example
 * ```ts
 * import { initMlp, Rng } from '@polyak/core'
 *
 * const networks = makeNetworks({ observationSize: 3, actionSize: 1, low: [-2], high: [2], hiddenSizes: [64, 64] })
 * const actor = initMlp(networks.actorSpec, Rng.key(0))
 * const critic = initMlp(networks.criticSpec, Rng.key(1))
 * ```
 */
export const makeNetworks = (spec: NetworkSpec, head: CriticHead = scalarHead): Networks => {
  checkBounds(spec)
  const { observationSize, actionSize, hiddenSizes, finalInit } = spec
  const actorSpec: MlpSpec = {
    inputSize: observationSize,
    hiddenSizes,
    outputSize: actionSize,
    outputActivation: 'tanh',
    ...(finalInit === undefined ? {} : { finalInit }),
  }
  const criticSpec: MlpSpec = {
    inputSize: observationSize + actionSize,
    hiddenSizes,
    outputSize: head.outputSize,
    ...(finalInit === undefined ? {} : { finalInit }),
  }
  const actorMlp = applyMlp(actorSpec)
  const criticMlp = applyMlp(criticSpec)
  const scale = Float32Array.from(spec.high, (h, i) => (h - (spec.low[i] as number)) / 2)
  const offset = Float32Array.from(spec.high, (h, i) => (h + (spec.low[i] as number)) / 2)
  const criticOutput = (critic: Params, observations: tf.Tensor2D, actions: tf.Tensor2D): tf.Tensor2D =>
    criticMlp(critic, tf.concat([observations, actions], 1))
  return {
    spec,
    actorSpec,
    criticSpec,
    head,
    criticOutput,
    policy: (actor, observations) =>
      tf.tidy(() => tf.add(tf.mul(actorMlp(actor, observations), tf.tensor1d(scale)), tf.tensor1d(offset))),
    q: (critic, observations, actions) => tf.tidy(() => head.value(criticOutput(critic, observations, actions))),
  }
}
