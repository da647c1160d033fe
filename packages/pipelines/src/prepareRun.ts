/**
 * Everything a training run is made of, decided before it starts: the decoded config, the agent fitted to the
 * task, the networks and learner step, the replay plan, the exploration noise and the seeded keys.
 *
 * @module prepareRun
 */
import {
  type AnyAgent,
  type LearnerStep,
  makeNetworks,
  type NetworkArchitecture,
  type NetworkSpec,
  type Networks,
  type PreparedAgent,
  replayPlan,
} from '@polyak/agents'
import { Box, ConfigError, decodeOrThrow, type PartialInputOf, Rng } from '@polyak/core'
import { type Env, envSpec, type FrameStackOptions, frameStack, makeEnv } from '@polyak/envs'
import { DDPG_OU_PARAMS, gaussianProcess, type NoiseProcess, ouProcess } from '@polyak/noise'
import { type BatchAugmentation, type RememberConfig, randomShift } from '@polyak/replay'
import type * as t from 'io-ts'
import { type TrainConfig, TrainConfigCodec } from './config.js'

/**
 * A run, ready to be wired: see {@link prepareRun}.
 *
 * @example
 * ```ts
 * const run: PreparedRun = prepareRun(td3, { env: 'Pendulum-v1', steps: 2_000 })
 * ```
 */
export interface PreparedRun {
  readonly config: TrainConfig
  /** The agent with its config decoded and fitted to the env (D4PG: the support). */
  readonly agent: PreparedAgent
  /** Makes a fresh env of the run (every actor and evaluation makes its own). */
  readonly makeEnv: () => Env
  readonly networks: Networks
  /** The networks' architecture as built: `config.networks`, with the stacked image when `frameStack` > 1. */
  readonly architecture: NetworkArchitecture
  /** The frame stacking around every env of the run (`config.frameStack` > 1), or none. */
  readonly frameStack?: FrameStackOptions
  readonly learnerStep: LearnerStep
  /**
   * The replay: n of n-step returns with the agent's γ (`accumulateNSteps`), and the `remember` config (capacity,
   * batch size, warm-up, replay ratio, the agent's sampler with `betaSteps` filled in by `replayPlan`, the key).
   */
  readonly replay: {
    readonly nStep: number
    readonly gamma: number
    readonly remember: t.OutputOf<typeof RememberConfig>
  }
  /** The exploration noise process and its σ in action units. */
  readonly noise: { readonly kind: 'gaussian' | 'ou'; readonly sigma: number; readonly process: NoiseProcess<unknown> }
  /** Independent keys of the run's random draws, all from `config.seed`. */
  readonly keys: {
    readonly init: Rng.Key
    readonly explore: Rng.Key
    readonly replay: Rng.Key
    readonly learn: Rng.Key
    readonly augment: Rng.Key
  }
  /** The augmentation of the batches before the learner (`config.augmentation`), or none. */
  readonly augment?: BatchAugmentation
}

/** The network architecture checked against the observation size: problems as `networks.<field>: …` lines. */
const architectureProblems = (architecture: NetworkArchitecture, observationSize: number, env: string): string[] => {
  if (architecture.kind === 'parkour') {
    const [start, end] = architecture.terrain
    return start < end && end <= observationSize && end - start < observationSize
      ? []
      : [
          `networks.terrain: expected [start, end] with start < end <= ${observationSize} (the observation size of ${env}) leaving some proprioception, got [${architecture.terrain}]`,
        ]
  }
  if (architecture.kind === 'pixels') {
    const { image } = architecture
    const size = image[0] * image[1] * image[2]
    return size <= observationSize
      ? []
      : [
          `networks.image: expected [height, width, channels] with height · width · channels <= ${observationSize} (the observation size of ${env}), got [${image}] (${size} values)`,
        ]
  }
  return []
}

/**
 * Decodes a run's config and prepares everything it is made of, before anything runs: the agent is prepared for the
 * task the env registry describes (`agent.prepare` with `envSpec(env)`: its id and reward bounds), the env is made
 * once (its options validated, its spaces read, then closed), the networks are built with the agent's critic head and the config's architecture, the learner
 * step is made, and the replay plan, noise and keys are derived. Every problem is a `ConfigError` naming the field.
 *
 * @throws ConfigError for an invalid run config, agent config, env id or options, or architecture
 *
 * @example
 * ```ts
 * const run = prepareRun(d4pg, { env: 'Pendulum-v1', steps: 20_000 })
 * run.replay.nStep // 5
 * ```
 */
export const prepareRun = (agent: AnyAgent, input: PartialInputOf<typeof TrainConfigCodec>): PreparedRun => {
  const config = decodeOrThrow(TrainConfigCodec, input, 'experiment config')
  const prepared = agent.prepare(config.agent, envSpec(config.env)) // before any env is made
  const probe = makeEnv(config.env, config.envOptions)
  const { observationSpace, actionSpace } = probe
  probe.close()
  const envObservationSize = Box.size(observationSpace)
  const needsPixels = (field: string, what: string): string[] =>
    config.networks.kind === 'pixels'
      ? []
      : [`${field}: ${what}; it needs networks.kind 'pixels' (got '${config.networks.kind}')`]
  const problems = [
    ...architectureProblems(config.networks, envObservationSize, config.env),
    ...(config.frameStack > 1
      ? needsPixels('frameStack', 'frame stacking stacks the image that pixel networks read')
      : []),
    ...(config.augmentation.kind === 'randomShift'
      ? needsPixels('augmentation', 'randomShift shifts the image that pixel networks read')
      : []),
  ]
  if (problems.length > 0) throw new ConfigError(problems, 'experiment config')
  const stacking: FrameStackOptions | undefined =
    config.frameStack > 1 && config.networks.kind === 'pixels'
      ? { image: config.networks.image, frames: config.frameStack }
      : undefined
  const architecture: NetworkArchitecture =
    stacking === undefined || config.networks.kind !== 'pixels'
      ? config.networks
      : { ...config.networks, image: [stacking.image[0], stacking.image[1], stacking.image[2] * stacking.frames] }
  const newEnv = (): Env => {
    const env = makeEnv(config.env, config.envOptions)
    return stacking === undefined ? env : frameStack(stacking)(env)
  }
  const observationSize =
    envObservationSize +
    (stacking === undefined ? 0 : (stacking.frames - 1) * stacking.image.reduce((a, b) => a * b, 1))
  const low = Array.from(actionSpace.low)
  const high = Array.from(actionSpace.high)
  const networkSpec: NetworkSpec = {
    observationSize,
    actionSize: low.length,
    low,
    high,
    hiddenSizes: prepared.config.hiddenSizes,
  }
  const networks = (() => {
    try {
      return makeNetworks(networkSpec, prepared.head, architecture)
    } catch (error) {
      if (error instanceof RangeError && config.networks.kind === 'pixels') {
        throw new ConfigError([`networks.torso: ${error.message}`], 'experiment config')
      }
      throw error
    }
  })()
  const halfRange = low.reduce((sum, l, i) => sum + ((high[i] as number) - l) / 2, 0) / Math.max(1, low.length)
  const sigma = config.explorationNoise * halfRange
  const process = (
    config.noise === 'ou' ? ouProcess({ ...DDPG_OU_PARAMS, sigma }) : gaussianProcess(sigma)
  ) as NoiseProcess<unknown>
  // split(k, 5) begins with split(k, 4): adding the fifth key changed none of the others
  const [init, explore, replay, learn, augmentKey] = Rng.split(Rng.key(config.seed), 5)
  const plan = replayPlan(prepared.config, config)
  return {
    config,
    agent: prepared,
    makeEnv: newEnv,
    networks,
    architecture,
    ...(stacking && { frameStack: stacking }),
    learnerStep: prepared.learner(networks),
    replay: {
      nStep: plan.nStep,
      gamma: prepared.config.gamma,
      remember: {
        capacity: config.bufferSize,
        batchSize: config.batchSize,
        warmupSteps: config.warmupSteps,
        replayRatio: config.replayRatio,
        sampler: plan.sampler,
        key: replay,
      },
    },
    noise: { kind: config.noise, sigma, process },
    keys: { init, explore, replay, learn, augment: augmentKey },
    ...(config.augmentation.kind === 'randomShift' &&
      architecture.kind === 'pixels' && {
        augment: randomShift({ image: architecture.image, pad: config.augmentation.pad }),
      }),
  }
}
