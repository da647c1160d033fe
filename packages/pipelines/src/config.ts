/**
 * The io-ts codecs of a training run's configuration: where the actors live, the networks' shape, and the run
 * itself ({@link TrainConfigCodec}; {@link ExperimentConfigCodec} adds the algorithm's name).
 *
 * @module config
 */
import { agents } from '@polyak/agents'
import {
  NonNegativeInt,
  NonNegativeNumber,
  PositiveInt,
  PositiveNumber,
  strictObject,
  withDefaults,
} from '@polyak/core'
import * as t from 'io-ts'

/**
 * Where a run's actors live: `{ kind: 'inline' }` (the default: one env stepped in the learner's thread, in lockstep,
 * bit-reproducible) or `{ kind: 'workers', count }`: `count` worker threads, each with its own env, seeds and noise,
 * acting with the learner's latest published actor (not bit-reproducible; see `workerActors`). `setup` lists modules
 * (URLs or absolute paths) every worker imports before making its env, e.g. one that registers a custom env id;
 * parameters are published once `paramsEverySteps` learner steps or `paramsEveryMs` milliseconds have passed;
 * `maxRestarts` bounds the crashes in a row, without a single step, of one actor slot.
 * `{ kind: 'redis', url, password, prefix, count, spawn }`: actors in other processes, on this machine (`spawn: true`
 * starts `count` of them) or elsewhere, talking to the learner through Redis (see `redisActors`); `password: ''` (the
 * default) takes the URL's password, else the `POLYAK_REDIS_PASSWORD` environment variable.
 *
 * @example
 * ```ts
 * decodeOrThrow(ActorsConfigCodec, { kind: 'workers', count: 4 })
 * ```
 */
export const ActorsConfigCodec = t.union([
  strictObject('InlineActors', { kind: t.literal('inline') }),
  withDefaults(
    strictObject('WorkerActors', {
      kind: t.literal('workers'),
      count: PositiveInt,
      setup: t.readonlyArray(t.string),
      paramsEverySteps: PositiveInt,
      paramsEveryMs: PositiveNumber,
      maxRestarts: NonNegativeInt,
    }),
    { count: 2, setup: [], paramsEverySteps: 100, paramsEveryMs: 100, maxRestarts: 5 },
  ),
  withDefaults(
    strictObject('RedisActors', {
      kind: t.literal('redis'),
      url: t.string,
      password: t.string,
      prefix: t.string,
      count: PositiveInt,
      spawn: t.boolean,
      setup: t.readonlyArray(t.string),
      paramsEverySteps: PositiveInt,
      paramsEveryMs: PositiveNumber,
      maxRestarts: NonNegativeInt,
    }),
    {
      url: 'redis://127.0.0.1:6379',
      password: '',
      prefix: 'polyak',
      count: 2,
      spawn: true,
      setup: [],
      paramsEverySteps: 100,
      paramsEveryMs: 100,
      maxRestarts: 5,
    },
  ),
])

/**
 * The shape of the actor and critic networks (`@polyak/agents` `NetworkArchitecture`): `{ kind: 'mlp' }` (the
 * default: MLPs of `agent.hiddenSizes` on the whole observation), `{ kind: 'parkour', terrain: [start, end],
 * torsoSizes, headSizes }`: D4PG's Parkour networks, where observation values `start … end − 1` (the terrain, e.g.
 * BipedalWalker's lidar `[14, 24]`) and the rest (the proprioception) go through separate torsos of `torsoSizes`,
 * merged by a head of `headSizes` (default torsos [64], head [256, 256]; `agent.hiddenSizes` is not used); the
 * critic's action joins after the torsos. Or `{ kind: 'pixels', image: [height, width, channels], torso: { filters,
 * kernelSize, strides, padding }, headSizes }`: the observation starts with an image (row-major HWC, as
 * `LaneFollowing-v0`'s camera), which goes through a conv torso in the actor and in the critic (default filters
 * [16, 32, 32, 64], kernel 4, stride 2, `same` padding), then the remaining observation values (and the critic's
 * action) join before a head of `headSizes` (default [256, 256]); `actorTorso: 'critic'` makes the actor act with a
 * copy of the first critic's torso and train only its head (DrQ-v2), `'own'` (default) trains its own torso. The terrain range and the image size are checked
 * against the env's observation size when the run is made (`networks.terrain`, `networks.image`); every kind of
 * actor (inline, worker threads, Redis) acts with every architecture.
 *
 * @example
 * ```ts
 * decodeOrThrow(NetworksConfigCodec, { kind: 'parkour', terrain: [14, 24] }) // torsos [64], head [256, 256]
 * decodeOrThrow(NetworksConfigCodec, { kind: 'pixels', image: [64, 64, 1] }) // LaneFollowing-v0's default camera
 * ```
 */
export const NetworksConfigCodec = t.union([
  strictObject('MlpNetworks', { kind: t.literal('mlp') }),
  withDefaults(
    strictObject('ParkourNetworks', {
      kind: t.literal('parkour'),
      terrain: t.tuple([NonNegativeInt, NonNegativeInt]),
      torsoSizes: t.readonlyArray(PositiveInt),
      headSizes: t.readonlyArray(PositiveInt),
    }),
    { torsoSizes: [64], headSizes: [256, 256] },
  ),
  withDefaults(
    strictObject('PixelsNetworks', {
      kind: t.literal('pixels'),
      image: t.tuple([PositiveInt, PositiveInt, PositiveInt], '[height, width, channels] of integers > 0'),
      torso: withDefaults(
        strictObject('ConvTorso', {
          filters: t.readonlyArray(PositiveInt),
          kernelSize: PositiveInt,
          strides: PositiveInt,
          padding: t.keyof({ same: null, valid: null }, 'one of same, valid'),
        }),
        { filters: [16, 32, 32, 64], kernelSize: 4, strides: 2, padding: 'same' },
      ),
      headSizes: t.readonlyArray(PositiveInt),
      actorTorso: t.keyof({ own: null, critic: null }, 'one of own, critic'),
    }),
    { headSizes: [256, 256], actorTorso: 'own' },
  ),
])

/**
 * Augmentation of the batches on their way from the replay to the learner: `{ kind: 'none' }` (the default) or
 * `{ kind: 'randomShift', pad }`, DrQ's random shift (`@polyak/replay` `randomShift`) of the image that pixel
 * networks read (`networks.kind` must be `pixels`, whose `image` gives the layout), in observations and next
 * observations, by up to `pad` (default 4) pixels each way.
 *
 * @example
 * ```ts
 * decodeOrThrow(AugmentationConfigCodec, { kind: 'randomShift' }) // { kind: 'randomShift', pad: 4 }
 * ```
 */
export const AugmentationConfigCodec = t.union([
  strictObject('NoAugmentation', { kind: t.literal('none') }),
  withDefaults(strictObject('RandomShift', { kind: t.literal('randomShift'), pad: NonNegativeInt }), { pad: 4 }),
])

/**
 * The io-ts codec of a training run's configuration (everything but the algorithm, which `train` takes as a
 * value), with CleanRL's defaults (TD3 and DDPG scripts): 1M steps, 25k random warm-up steps, batch 256 from a 1M
 * replay, one gradient step per env step, Gaussian exploration with σ = 0.1 of the action half-range. `agent` is
 * the algorithm's own config, decoded by the agent's codec (n-step returns and the sampler are the agent's: D4PG
 * defaults to 5-step prioritized replay); `envOptions` go to `makeEnv`. Unknown keys are errors that name the
 * field.
 *
 * @example
 * ```ts
 * const config = decodeOrThrow(TrainConfigCodec, { env: 'Pendulum-v1', steps: 15_000 })
 * ```
 */
export const TrainConfigCodec = withDefaults(
  strictObject('TrainConfig', {
    /** A registered env id (`@polyak/envs` `makeEnv`). */
    env: t.string,
    /** Options of the env, checked by its codec. */
    envOptions: t.UnknownRecord,
    /** Environment steps of the run. */
    steps: PositiveInt,
    /** Seed of every random draw of the run. */
    seed: NonNegativeInt,
    /** Steps with uniformly random actions before learning starts (CleanRL: `learning_starts`). */
    warmupSteps: NonNegativeInt,
    /** Transitions per batch. */
    batchSize: PositiveInt,
    /** Replay capacity. */
    bufferSize: PositiveInt,
    /** Gradient steps per env step. */
    replayRatio: PositiveNumber,
    /** Exploration noise σ in units of the action half-range (CleanRL: 0.1). */
    explorationNoise: NonNegativeNumber,
    /** `gaussian` (TD3, CleanRL's DDPG) or `ou` (the DDPG paper: θ = 0.15, dt = 0.01). */
    noise: t.keyof({ gaussian: null, ou: null }, 'one of gaussian, ou'),
    /** The algorithm's config, decoded by the agent's codec (`td3.config`, `d4pg.config`, …). */
    agent: t.UnknownRecord,
    /** Evaluate the greedy policy at the first episode end at or after every multiple of this many steps (0: only at the end). */
    evalEvery: NonNegativeInt,
    /** Episodes per evaluation (0: no evaluation). */
    evalEpisodes: NonNegativeInt,
    /** Emit a snapshot at the first episode end at or after every multiple of this many steps (0: none). */
    checkpointEvery: NonNegativeInt,
    /** `{ kind: 'inline' }` (default), `{ kind: 'workers', count }` or `{ kind: 'redis', url, count }`: see {@link ActorsConfigCodec}. */
    actors: ActorsConfigCodec,
    /** `{ kind: 'mlp' }` (default), `{ kind: 'parkour', terrain, … }` or `{ kind: 'pixels', image, … }`: see {@link NetworksConfigCodec}. */
    networks: NetworksConfigCodec,
    /**
     * Stack the latest this many camera images on the channel axis (`@polyak/envs` `frameStack`; 1, the default:
     * none). Needs pixel networks: `networks.image` is the env's image, and the networks read
     * `[height, width, channels · frameStack]`.
     */
    frameStack: PositiveInt,
    /** `{ kind: 'none' }` (default) or `{ kind: 'randomShift', pad }` for pixel networks: see {@link AugmentationConfigCodec}. */
    augmentation: AugmentationConfigCodec,
  }),
  {
    env: 'Pendulum-v1',
    envOptions: {},
    steps: 1_000_000,
    seed: 1,
    warmupSteps: 25_000,
    batchSize: 256,
    bufferSize: 1_000_000,
    replayRatio: 1,
    explorationNoise: 0.1,
    noise: 'gaussian',
    agent: {},
    evalEvery: 0,
    evalEpisodes: 10,
    checkpointEvery: 0,
    actors: { kind: 'inline' },
    networks: { kind: 'mlp' },
    frameStack: 1,
    augmentation: { kind: 'none' },
  },
)

/**
 * A decoded {@link TrainConfigCodec}.
 *
 * @example
 * ```ts
 * const config: TrainConfig = decodeOrThrow(TrainConfigCodec, {})
 * ```
 */
export type TrainConfig = t.TypeOf<typeof TrainConfigCodec>

const ALGO_NAMES = Object.keys(agents).join(', ')

/**
 * The io-ts codec of a whole experiment: `algo`, the name of an agent of `@polyak/agents`' `agents` record
 * (default `td3`), and every field of {@link TrainConfigCodec}. What `runExperiment`, the trainer's `config.json`
 * and the apps speak.
 *
 * @example
 * ```ts
 * const config = decodeOrThrow(ExperimentConfigCodec, { algo: 'd4pg', env: 'Pendulum-v1', steps: 20_000 })
 * ```
 */
export const ExperimentConfigCodec = withDefaults(
  strictObject('ExperimentConfig', {
    /** The algorithm: a key of `agents` (`td3`, `ddpg`, `d4pg`). */
    algo: t.keyof(
      Object.fromEntries(Object.keys(agents).map((name) => [name, null])) as Record<keyof typeof agents, null>,
      `one of ${ALGO_NAMES}`,
    ),
    ...TrainConfigCodec.codec.props,
  }),
  { algo: 'td3', ...TrainConfigCodec.defaults },
)

/**
 * A decoded {@link ExperimentConfigCodec}.
 *
 * @example
 * ```ts
 * const config: ExperimentConfig = decodeOrThrow(ExperimentConfigCodec, {})
 * ```
 */
export type ExperimentConfig = t.TypeOf<typeof ExperimentConfigCodec>
