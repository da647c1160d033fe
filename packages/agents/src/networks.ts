/**
 * Actor and critic networks for continuous control: plain MLPs from core, with the actor squashed into the action
 * bounds and the critic taking the observation and action concatenated (CleanRL's layout), or two-stream ("Parkour")
 * networks from core where terrain and proprioception go through separate torsos and the critic's action joins after
 * them (D4PG's Parkour networks).
 *
 * @module networks
 */
import {
  applyMlp,
  applyParkour,
  type Init,
  initMlp,
  initParkour,
  type MlpSpec,
  type Params,
  type ParkourSpec,
  type Rng,
  range,
} from '@polyak/core'
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
 * The shape of the actor and critic networks:
 * - `{ kind: 'mlp' }` (the default): MLPs of `spec.hiddenSizes`, the critic on `[observation, action]`;
 * - `{ kind: 'parkour', terrain: [start, end], torsoSizes, headSizes }`: observation values `start … end − 1` are the
 *   terrain (e.g. BipedalWalker's lidar, `[14, 24]`), the others the proprioception; each goes through its own torso
 *   of `torsoSizes`, the torso outputs (then, in the critic, the action) are concatenated and go through a head of
 *   `headSizes` (D4PG's Parkour networks, Barth-Maron et al. 2018, Fig. 1 right). `spec.hiddenSizes` is not used.
 *
 * @example
 * ```ts
 * const parkour: NetworkArchitecture = { kind: 'parkour', terrain: [14, 24], torsoSizes: [64], headSizes: [128, 128] }
 * ```
 */
export type NetworkArchitecture =
  | { readonly kind: 'mlp' }
  | {
      readonly kind: 'parkour'
      /** `[start, end)`: the terrain's observation indices; the rest is proprioception. */
      readonly terrain: readonly [number, number]
      /** Layer widths of each torso (the last is the torso's output size). */
      readonly torsoSizes: readonly number[]
      /** Hidden widths of the shared head. */
      readonly headSizes: readonly number[]
    }

/**
 * The pure forward functions of an actor-critic pair, and how to draw their parameters. The learners (DDPG, TD3,
 * D4PG) use only this interface, so they work unchanged on any architecture.
 *
 * @example
 * ```ts
 * const networks: Networks = makeNetworks(spec)
 * const actor = networks.initActor(Rng.key(0))
 * const actions = networks.policy(actor, observations) // [batch, actionSize], inside the bounds
 * ```
 */
export interface Networks {
  readonly spec: NetworkSpec
  /** Which shape the networks have. */
  readonly architecture: NetworkArchitecture
  /** What the critic's output means (one value, or a categorical distribution). */
  readonly head: CriticHead
  /** Draws the actor's parameters from a key (same key, same parameters). */
  readonly initActor: (key: Rng.Key) => Params
  /** Draws one critic's parameters from a key (same key, same parameters). */
  readonly initCritic: (key: Rng.Key) => Params
  /** μ(s) = tanh(f(s)) · (high − low)/2 + (high + low)/2, `[batch, actionSize]`. */
  readonly policy: (actor: Params, observations: tf.Tensor2D) => tf.Tensor2D
  /** The critic's raw output at (s, a), `[batch, head.outputSize]`. */
  readonly criticOutput: (critic: Params, observations: tf.Tensor2D, actions: tf.Tensor2D) => tf.Tensor2D
  /** Q(s, a) = `head.value(criticOutput(…))`, `[batch]`. */
  readonly q: (critic: Params, observations: tf.Tensor2D, actions: tf.Tensor2D) => tf.Tensor1D
}

/**
 * MLP networks (the default architecture), with their core MLP specs: `initActor(key)` is
 * `initMlp(actorSpec, key)` and `initCritic(key)` is `initMlp(criticSpec, key)`.
 *
 * @example
 * ```ts
 * const networks: MlpNetworks = makeNetworks(spec)
 * const actor = initMlp(networks.actorSpec, Rng.key(0)) // the same as networks.initActor(Rng.key(0))
 * ```
 */
export interface MlpNetworks extends Networks {
  readonly architecture: { readonly kind: 'mlp' }
  /** The actor's MLP shape: observation → tanh-squashed action in [−1, 1] before scaling. */
  readonly actorSpec: MlpSpec
  /** The critic's MLP shape: [observation, action] → `head.outputSize` outputs. */
  readonly criticSpec: MlpSpec
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
 * The core two-stream specs of Parkour actor and critic networks: torsos `proprioception` (every observation index
 * outside `terrain`) and `terrain`, the critic's action as the extra input joined after them.
 *
 * @throws RangeError when `terrain` is not a non-empty range inside the observation that leaves some proprioception
 *
 * @example
 * ```ts
 * const { actor, critic } = parkourSpecs(spec, { kind: 'parkour', terrain: [14, 24], torsoSizes: [64], headSizes: [128] }, 51)
 * critic.extraInputSize // spec.actionSize
 * ```
 */
export const parkourSpecs = (
  spec: NetworkSpec,
  architecture: Extract<NetworkArchitecture, { kind: 'parkour' }>,
  criticOutputSize: number,
): { readonly actor: ParkourSpec; readonly critic: ParkourSpec } => {
  const { observationSize, actionSize, finalInit } = spec
  const [start, end] = architecture.terrain
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= observationSize)) {
    throw new RangeError(
      `makeNetworks: terrain must be [start, end] with 0 <= start < end <= ${observationSize} (the observation size), got [${start}, ${end}]`,
    )
  }
  if (end - start === observationSize) {
    throw new RangeError(
      `makeNetworks: terrain [${start}, ${end}] covers the whole observation: no proprioception left`,
    )
  }
  const torsos = [
    {
      name: 'proprioception',
      indices: range(0, observationSize).filter((i) => i < start || i >= end),
      sizes: architecture.torsoSizes,
    },
    { name: 'terrain', indices: range(start, end), sizes: architecture.torsoSizes },
  ]
  const common = { inputSize: observationSize, torsos, headSizes: architecture.headSizes }
  const final = finalInit === undefined ? {} : { finalInit }
  return {
    actor: { ...common, outputSize: actionSize, outputActivation: 'tanh', ...final },
    critic: { ...common, extraInputSize: actionSize, outputSize: criticOutputSize, ...final },
  }
}

/**
 * Builds the actor and critic forward functions for a spec (CleanRL's TD3/DDPG networks: ReLU MLPs, a tanh actor
 * scaled to the action bounds, a critic on the concatenated observation and action). The critic's last layer has
 * `head.outputSize` units: one value by default ({@link scalarHead}), or the logits of a categorical distribution
 * (`categoricalHead`, D4PG). With `architecture` `{ kind: 'parkour', … }` the actor and critic are core's two-stream
 * networks ({@link NetworkArchitecture}, {@link parkourSpecs}) behind the same interface, with the same tanh scaling.
 *
 * @throws RangeError when the bounds do not match the action size or are not finite with low < high, or for an
 * invalid Parkour terrain range
 *
 * @example
 * ```ts
 * import { Rng } from '@polyak/core'
 *
 * const networks = makeNetworks({ observationSize: 3, actionSize: 1, low: [-2], high: [2], hiddenSizes: [64, 64] })
 * const actor = networks.initActor(Rng.key(0)) // = initMlp(networks.actorSpec, Rng.key(0))
 * const critic = networks.initCritic(Rng.key(1))
 *
 * const walker = { observationSize: 24, actionSize: 4, low: [-1, -1, -1, -1], high: [1, 1, 1, 1], hiddenSizes: [] }
 * const parkour = makeNetworks(walker, categoricalHead({ atoms: 51, vMin: -150, vMax: 150 }), {
 *   kind: 'parkour', terrain: [14, 24], torsoSizes: [64], headSizes: [128, 128],
 * })
 * ```
 */
export function makeNetworks(spec: NetworkSpec, head?: CriticHead): MlpNetworks
export function makeNetworks(
  spec: NetworkSpec,
  head: CriticHead | undefined,
  architecture: NetworkArchitecture,
): Networks
export function makeNetworks(
  spec: NetworkSpec,
  head: CriticHead = scalarHead,
  architecture: NetworkArchitecture = { kind: 'mlp' },
): Networks {
  checkBounds(spec)
  const scale = Float32Array.from(spec.high, (h, i) => (h - (spec.low[i] as number)) / 2)
  const offset = Float32Array.from(spec.high, (h, i) => (h + (spec.low[i] as number)) / 2)
  const build = (
    actorForward: (actor: Params, observations: tf.Tensor2D) => tf.Tensor2D,
    criticOutput: Networks['criticOutput'],
  ) => ({
    spec,
    head,
    criticOutput,
    policy: (actor: Params, observations: tf.Tensor2D) =>
      tf.tidy(() =>
        tf.add(tf.mul(actorForward(actor, observations), tf.tensor1d(scale)), tf.tensor1d(offset)),
      ) as tf.Tensor2D,
    q: (critic: Params, observations: tf.Tensor2D, actions: tf.Tensor2D) =>
      tf.tidy(() => head.value(criticOutput(critic, observations, actions))),
  })
  if (architecture.kind === 'parkour') {
    const specs = parkourSpecs(spec, architecture, head.outputSize)
    const actorNet = applyParkour(specs.actor)
    const criticNet = applyParkour(specs.critic)
    return {
      ...build(actorNet, (critic, observations, actions) => criticNet(critic, observations, actions)),
      architecture,
      initActor: (key) => initParkour(specs.actor, key),
      initCritic: (key) => initParkour(specs.critic, key),
    }
  }
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
  const networks: MlpNetworks = {
    ...build(actorMlp, (critic, observations, actions) => criticMlp(critic, tf.concat([observations, actions], 1))),
    architecture: { kind: 'mlp' },
    actorSpec,
    criticSpec,
    initActor: (key) => initMlp(actorSpec, key),
    initCritic: (key) => initMlp(criticSpec, key),
  }
  return networks
}
