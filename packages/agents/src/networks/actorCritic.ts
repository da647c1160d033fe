/**
 * Actor and critic networks for continuous control, composed from this module's architectures: plain MLPs
 * ({@link applyMlp}), with the actor squashed into the action bounds and the critic taking the observation and action
 * concatenated (CleanRL's layout), two-stream ("Parkour") networks ({@link applyParkour}) where terrain and
 * proprioception go through separate torsos and the critic's action joins after them (D4PG's Parkour networks), or
 * pixel networks where a camera image goes through a conv torso ({@link applyConvTorso}) and the other observation
 * values (and the critic's action) join after it (DDPG from pixels, "Learning to Drive in a Day").
 *
 * @module actorCritic
 */
import { type ConvPadding, type Params, prefixParams, Rng, unprefixParams } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { type CriticHead, scalarHead } from '../criticHeads.js'
import { applyConvTorso, type ConvTorsoSpec, convTorsoOutputSize, initConvTorso } from './convTorso.js'
import type { Init } from './init.js'
import { applyMlp, initMlp, type MlpSpec } from './mlp.js'
import { applyParkour, initParkour, type ParkourSpec, range } from './parkour.js'

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
 * - `{ kind: 'pixels', image: [height, width, channels], torso: { filters, kernelSize, strides }, headSizes }`: the
 *   observation is an image, flattened row-major HWC (`height · width · channels` values, the layout of
 *   `LaneFollowing-v0`), then any extra values (LaneFollowing: speed and steering). The actor and the critic each run
 *   their own conv torso ({@link ConvTorsoSpec}: ReLU convolutions, `same` padding unless `torso.padding`
 *   says `valid`) on the image, concatenate the extra values (the critic: then the action, after the torso) and go
 *   through a ReLU head of `headSizes` (DDPG from pixels: Lillicrap et al. 2016; Kendall et al. 2018).
 *   `spec.hiddenSizes` is not used.
 *
 * @example
 * ```ts
 * const parkour: NetworkArchitecture = { kind: 'parkour', terrain: [14, 24], torsoSizes: [64], headSizes: [128, 128] }
 * const pixels: NetworkArchitecture = {
 *   kind: 'pixels',
 *   image: [64, 64, 1],
 *   torso: { filters: [16, 32, 32, 64], kernelSize: 4, strides: 2 },
 *   headSizes: [256, 256],
 * }
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
  | {
      readonly kind: 'pixels'
      /** `[height, width, channels]` of the image at the start of the observation. */
      readonly image: readonly [number, number, number]
      /** The conv torso of each network. */
      readonly torso: {
        /** Output channels of each convolution. */
        readonly filters: readonly number[]
        /** Width and height of every kernel. */
        readonly kernelSize: number
        /** Stride of every convolution. */
        readonly strides: number
        /** `same` (default) or `valid`. */
        readonly padding?: ConvPadding
      }
      /** Hidden widths of the head after the torso. */
      readonly headSizes: readonly number[]
      /**
       * `own` (default): the actor's torso is its own, trained by the actor's loss (Kendall et al.). `critic`: the
       * actor acts with a copy of the first critic's torso, taken before every actor update, and its loss trains only
       * its head (DrQ-v2, Yarats et al. 2021: the encoder is learned by the critic alone).
       */
      readonly actorTorso?: 'own' | 'critic'
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
 * MLP networks (the default architecture), with their MLP specs: `initActor(key)` is
 * `initMlp(actorSpec)(key)` and `initCritic(key)` is `initMlp(criticSpec)(key)`.
 *
 * @example
 * ```ts
 * const networks: MlpNetworks = makeNetworks(spec)
 * const actor = initMlp(networks.actorSpec)(Rng.key(0)) // the same as networks.initActor(Rng.key(0))
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
 * The two-stream specs of Parkour actor and critic networks: torsos `proprioception` (every observation index
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
 * The specs of pixel actor and critic networks: one conv torso spec (each network draws its own torso from it;
 * the images are data, so the torso skips the gradient with respect to them), the image and extra sizes, and the two
 * heads: the actor's on `[features, extras]` with a tanh output, the critic's on `[features, extras, action]`.
 *
 * @throws RangeError when the image does not fit the observation or the torso is invalid for it
 *
 * @example
 * ```ts
 * const architecture = { kind: 'pixels', image: [64, 64, 1], torso: { filters: [16, 32, 32, 64], kernelSize: 4, strides: 2 }, headSizes: [256] } as const
 * const specs = pixelsSpecs({ ...spec, observationSize: 64 * 64 + 2 }, architecture, 1)
 * specs.critic.inputSize // 1024 features + 2 extras + the action size
 * ```
 */
export const pixelsSpecs = (
  spec: NetworkSpec,
  architecture: Extract<NetworkArchitecture, { kind: 'pixels' }>,
  criticOutputSize: number,
): {
  readonly torso: ConvTorsoSpec
  readonly imageSize: number
  readonly extraSize: number
  readonly actor: MlpSpec
  readonly critic: MlpSpec
} => {
  const { observationSize, actionSize, finalInit } = spec
  const [height, width, channels] = architecture.image
  const imageSize = height * width * channels
  if (!([height, width, channels].every((n) => Number.isInteger(n) && n > 0) && imageSize <= observationSize)) {
    throw new RangeError(
      `makeNetworks: image must be [height, width, channels] of positive integers with height · width · channels <= ${observationSize} (the observation size), got [${architecture.image}]`,
    )
  }
  const torso: ConvTorsoSpec = {
    inputShape: [height, width, channels],
    filters: architecture.torso.filters,
    kernelSize: architecture.torso.kernelSize,
    strides: architecture.torso.strides,
    padding: architecture.torso.padding ?? 'same',
    inputGradient: false,
  }
  const features = convTorsoOutputSize(torso)
  const extraSize = observationSize - imageSize
  const final = finalInit === undefined ? {} : { finalInit }
  return {
    torso,
    imageSize,
    extraSize,
    actor: {
      inputSize: features + extraSize,
      hiddenSizes: architecture.headSizes,
      outputSize: actionSize,
      outputActivation: 'tanh',
      ...final,
    },
    critic: {
      inputSize: features + extraSize + actionSize,
      hiddenSizes: architecture.headSizes,
      outputSize: criticOutputSize,
      ...final,
    },
  }
}

/**
 * Builds the actor and critic forward functions for a spec (CleanRL's TD3/DDPG networks: ReLU MLPs, a tanh actor
 * scaled to the action bounds, a critic on the concatenated observation and action). The critic's last layer has
 * `head.outputSize` units: one value by default ({@link scalarHead}), or the logits of a categorical distribution
 * (`categoricalHead`, D4PG). With `architecture` `{ kind: 'parkour', … }` the actor and critic are two-stream
 * networks ({@link NetworkArchitecture}, {@link parkourSpecs}) behind the same interface, with the same tanh scaling;
 * with `{ kind: 'pixels', … }` each runs a conv torso on the image part of the observation ({@link pixelsSpecs}):
 * parameters `torso/c<i>/…` and `head/l<i>/…`, the torso from the first child of the key, the head from the second.
 *
 * @throws RangeError when the bounds do not match the action size or are not finite with low < high, for an
 * invalid Parkour terrain range, or when a pixel image does not fit the observation
 *
 * @example
 * ```ts
 * import { Rng } from '@polyak/core'
 *
 * const networks = makeNetworks({ observationSize: 3, actionSize: 1, low: [-2], high: [2], hiddenSizes: [64, 64] })
 * const actor = networks.initActor(Rng.key(0)) // = initMlp(networks.actorSpec)(Rng.key(0))
 * const critic = networks.initCritic(Rng.key(1))
 *
 * const walker = { observationSize: 24, actionSize: 4, low: [-1, -1, -1, -1], high: [1, 1, 1, 1], hiddenSizes: [] }
 * const parkour = makeNetworks(walker, categoricalHead({ atoms: 51, vMin: -150, vMax: 150 }), {
 *   kind: 'parkour', terrain: [14, 24], torsoSizes: [64], headSizes: [128, 128],
 * })
 *
 * const car = { observationSize: 64 * 64 + 2, actionSize: 2, low: [-1, -1], high: [1, 1], hiddenSizes: [] }
 * const pixels = makeNetworks(car, undefined, {
 *   kind: 'pixels', image: [64, 64, 1], torso: { filters: [16, 32, 32, 64], kernelSize: 4, strides: 2 }, headSizes: [256],
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
      initActor: initParkour(specs.actor),
      initCritic: initParkour(specs.critic),
    }
  }
  if (architecture.kind === 'pixels') {
    const specs = pixelsSpecs(spec, architecture, head.outputSize)
    const [height, width, channels] = specs.torso.inputShape
    const torso = applyConvTorso(specs.torso)
    const initTorso = initConvTorso(specs.torso)
    const actorHead = applyMlp(specs.actor)
    const criticHead = applyMlp(specs.critic)
    /** The torso's features of the image part, then the extra values and `after` (the critic's action). */
    const headInput = (params: Params, observations: tf.Tensor2D, after?: tf.Tensor2D): tf.Tensor2D => {
      const images = tf.reshape(tf.slice(observations, [0, 0], [-1, specs.imageSize]), [-1, height, width, channels])
      const parts = [torso(unprefixParams('torso/', params), images as tf.Tensor4D)]
      if (specs.extraSize > 0) parts.push(tf.slice(observations, [0, specs.imageSize], [-1, specs.extraSize]))
      if (after !== undefined) parts.push(after)
      return parts.length === 1 ? (parts[0] as tf.Tensor2D) : tf.concat(parts, 1)
    }
    const init = (headSpec: MlpSpec) => (key: Rng.Key) => {
      const [torsoKey, headKey] = Rng.split(key, 2)
      return {
        ...prefixParams('torso/', initTorso(torsoKey)),
        ...prefixParams('head/', initMlp(headSpec)(headKey)),
      }
    }
    return {
      ...build(
        (actor, observations) => actorHead(unprefixParams('head/', actor), headInput(actor, observations)),
        (critic, observations, actions) =>
          criticHead(unprefixParams('head/', critic), headInput(critic, observations, actions)),
      ),
      architecture,
      initActor: init(specs.actor),
      initCritic: init(specs.critic),
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
    ...build(actorMlp, (critic, observations, actions) => criticMlp(critic, [observations, actions])),
    architecture: { kind: 'mlp' },
    actorSpec,
    criticSpec,
    initActor: initMlp(actorSpec),
    initCritic: initMlp(criticSpec),
  }
  return networks
}
