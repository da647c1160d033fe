/**
 * A whole training run as one cold Observable.
 *
 * @module runExperiment
 */
import {
  cloneTrainState,
  D4pgConfigCodec,
  DdpgConfigCodec,
  d4pgHead,
  initTrainState,
  type LearnerMetrics,
  makeD4pgLearner,
  makeDdpgLearner,
  makeNetworks,
  makeTd3Learner,
  type Networks,
  Td3ConfigCodec,
  type TrainState,
} from '@polyak/agents'
import {
  Box,
  ConfigError,
  decodeOrThrow,
  NonNegativeInt,
  NonNegativeNumber,
  type PartialInputOf,
  PositiveInt,
  PositiveNumber,
  Rng,
  strictObject,
  tidy,
  withDefaults,
} from '@polyak/core'
import { type Env, makeEnv } from '@polyak/envs'
import { DDPG_OU_PARAMS, gaussianProcess, type NoiseProcess, ouProcess } from '@polyak/noise'
import { accumulateNSteps, PrioritizedConfig, type PriorityUpdate, type ReplaySnapshot, remember } from '@polyak/replay'
import * as tf from '@tensorflow/tfjs'
import * as t from 'io-ts'
import { concatMap, connect, defer, filter, map, merge, type Observable, Subject, take, tap } from 'rxjs'
import type { EnvStep } from './EnvStep.js'
import { type ExperimentSnapshot, takeSnapshot } from './ExperimentSnapshot.js'
import { evaluatePolicy } from './evaluatePolicy.js'
import { explore } from './explore.js'
import { learn } from './learn.js'
import { redisActors } from './redisActors.js'
import { rollout } from './rollout.js'
import { timeSlicedTicks } from './timeSlicedTicks.js'
import { workerActors } from './workerActors.js'

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
 * action) join before a head of `headSizes` (default [256, 256]). The terrain range and the image size are checked
 * against the env's observation size when the run is made (`networks.terrain`, `networks.image`); Parkour and pixel
 * networks need inline actors.
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
    }),
    { headSizes: [256, 256] },
  ),
])

/**
 * The io-ts codec of a run's configuration, with CleanRL's defaults (TD3 and DDPG scripts): 1M steps, 25k random
 * warm-up steps, batch 256 from a 1M uniform replay of 1-step transitions, one gradient step per env step, Gaussian
 * exploration with σ = 0.1 of the action half-range. D4PG is `algo: 'd4pg'` with `nStep: 5` and a prioritized
 * `sampler`. `agent` is the algorithm's own config (`Td3ConfigCodec`/`DdpgConfigCodec`/`D4pgConfigCodec`),
 * `envOptions` go to `makeEnv`. Unknown keys are errors that name the field.
 *
 * @example
 * ```ts
 * const config = decodeOrThrow(ExperimentConfigCodec, { algo: 'td3', env: 'Pendulum-v1', steps: 15_000 })
 * ```
 */
export const ExperimentConfigCodec = withDefaults(
  strictObject('ExperimentConfig', {
    /** The learner: `td3`, `ddpg` or `d4pg`. */
    algo: t.keyof({ td3: null, ddpg: null, d4pg: null }, 'one of td3, ddpg, d4pg'),
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
    /** n of n-step returns (1: plain transitions; D4PG: 5). */
    nStep: PositiveInt,
    /** `uniform`, or `{ prioritized: { alpha, beta0, betaSteps, epsilon } }` (Schaul et al. 2016; D4PG). */
    sampler: t.union([t.literal('uniform'), strictObject('PrioritizedSampler', { prioritized: PrioritizedConfig })]),
    /** Exploration noise σ in units of the action half-range (CleanRL: 0.1). */
    explorationNoise: NonNegativeNumber,
    /** `gaussian` (TD3, CleanRL's DDPG) or `ou` (the DDPG paper: θ = 0.15, dt = 0.01). */
    noise: t.keyof({ gaussian: null, ou: null }, 'one of gaussian, ou'),
    /** The learner's config, decoded by the algorithm's codec. */
    agent: t.UnknownRecord,
    /** Evaluate the greedy policy at the first episode end after every this many steps (0: only at the end). */
    evalEvery: NonNegativeInt,
    /** Episodes per evaluation (0: no evaluation). */
    evalEpisodes: NonNegativeInt,
    /** Emit a snapshot at the first episode end after every this many steps (0: none). */
    checkpointEvery: NonNegativeInt,
    /** `{ kind: 'inline' }` (default), `{ kind: 'workers', count }` or `{ kind: 'redis', url, count }`: see {@link ActorsConfigCodec}. */
    actors: ActorsConfigCodec,
    /** `{ kind: 'mlp' }` (default), `{ kind: 'parkour', terrain, … }` or `{ kind: 'pixels', image, … }`: see {@link NetworksConfigCodec}. */
    networks: NetworksConfigCodec,
  }),
  {
    algo: 'td3',
    env: 'Pendulum-v1',
    envOptions: {},
    steps: 1_000_000,
    seed: 1,
    warmupSteps: 25_000,
    batchSize: 256,
    bufferSize: 1_000_000,
    replayRatio: 1,
    nStep: 1,
    sampler: 'uniform',
    explorationNoise: 0.1,
    noise: 'gaussian',
    agent: {},
    evalEvery: 0,
    evalEpisodes: 10,
    checkpointEvery: 0,
    actors: { kind: 'inline' },
    networks: { kind: 'mlp' },
  },
)

/**
 * A decoded run configuration.
 *
 * @example
 * ```ts
 * const config: ExperimentConfig = decodeOrThrow(ExperimentConfigCodec, {})
 * ```
 */
export type ExperimentConfig = t.TypeOf<typeof ExperimentConfigCodec>

/**
 * What a run emits. Metric keys follow CleanRL's namespaces. `checkpoint` and `final` events hand over a snapshot
 * that the receiver owns (save it, then `disposeExperimentSnapshot`).
 *
 * @example
 * ```ts
 * runExperiment(config).subscribe((event) => {
 *   if (event.type === 'episode') console.log(event.t, event.return)
 * })
 * ```
 */
export type ExperimentEvent =
  | {
      readonly type: 'episode'
      readonly t: number
      readonly episode: number
      readonly return: number
      readonly length: number
    }
  | { readonly type: 'update'; readonly t: number; readonly learnerStep: number; readonly metrics: LearnerMetrics }
  | {
      readonly type: 'evaluation'
      readonly t: number
      readonly meanReturn: number
      readonly returns: readonly number[]
    }
  | { readonly type: 'checkpoint'; readonly t: number; readonly snapshot: ExperimentSnapshot }
  | { readonly type: 'final'; readonly t: number; readonly snapshot: ExperimentSnapshot }

/**
 * A training run as a cold `Observable<ExperimentEvent>`: nothing happens until it is subscribed, and unsubscribing
 * stops it between two steps and frees its env, replay and tensors. The pipeline is the design's picture:
 *
 *     ticks ─ rollout(policy ⟵ latest actor, explore(noise)) ─┬─ episode ends → episode, evaluation, checkpoint events
 *                                                              └─ transitions ─ remember(replay) ─ learn(update) → update events
 *
 * The policy reads the actor the learner published last (never waited for). Everything random derives from
 * `config.seed`: episodes from their index, noise from the step, batches from their count, learner draws from the
 * learner step, so a run resumed from a snapshot (`options.resume`, taken at an episode end) continues exactly as
 * the uninterrupted run. The config is decoded when this function is called: an invalid one throws a `ConfigError`
 * naming each bad field before anything starts.
 *
 * @throws ConfigError for an invalid config (or an invalid `agent` or env options)
 *
 * @example
 * ```ts
 * runExperiment({ algo: 'td3', env: 'Pendulum-v1', steps: 15_000, warmupSteps: 1_000, agent: { hiddenSizes: [64, 64] } })
 *   .pipe(filter((event) => event.type === 'episode'))
 *   .subscribe((event) => console.log(event.t, event.return))
 * ```
 */
export const runExperiment = (
  input: PartialInputOf<typeof ExperimentConfigCodec>,
  options: { readonly resume?: ExperimentSnapshot } = {},
): Observable<ExperimentEvent> => {
  const config = decodeOrThrow(ExperimentConfigCodec, input, 'experiment config')
  const learner = (() => {
    if (config.algo === 'td3') {
      const agent = decodeOrThrow(Td3ConfigCodec, config.agent, 'agent config (td3)')
      return { agent, critics: 2, make: (n: Networks) => makeTd3Learner(n, agent) }
    }
    if (config.algo === 'd4pg') {
      const agent = decodeOrThrow(D4pgConfigCodec, config.agent, 'agent config (d4pg)')
      return { agent, critics: agent.critics, head: d4pgHead(agent), make: (n: Networks) => makeD4pgLearner(n, agent) }
    }
    const agent = decodeOrThrow(DdpgConfigCodec, config.agent, 'agent config (ddpg)')
    return { agent, critics: 1, make: (n: Networks) => makeDdpgLearner(n, agent) }
  })()
  const newEnv = (): Env => makeEnv(config.env, config.envOptions)
  const probe = newEnv() // validates the id and options now, and gives the spaces
  const { observationSpace, actionSpace } = probe
  probe.close()
  const observationSize = Box.size(observationSpace)
  const low = Array.from(actionSpace.low)
  const high = Array.from(actionSpace.high)
  const networkSpec = { observationSize, actionSize: low.length, low, high, hiddenSizes: learner.agent.hiddenSizes }
  const criticHead = 'head' in learner ? learner.head : undefined
  const networks = (() => {
    const architecture = config.networks
    if (architecture.kind === 'mlp') return makeNetworks(networkSpec, criticHead)
    if (architecture.kind === 'parkour') {
      const { terrain } = architecture
      const problems = [
        ...(terrain[0] < terrain[1] && terrain[1] <= observationSize && terrain[1] - terrain[0] < observationSize
          ? []
          : [
              `networks.terrain: expected [start, end] with start < end <= ${observationSize} (the observation size of ${config.env}) leaving some proprioception, got [${terrain}]`,
            ]),
      ]
      if (problems.length > 0) throw new ConfigError(problems, 'experiment config')
      return makeNetworks(networkSpec, criticHead, architecture)
    }
    const { image } = architecture
    const imageSize = image[0] * image[1] * image[2]
    const problems = [
      ...(imageSize <= observationSize
        ? []
        : [
            `networks.image: expected [height, width, channels] with height · width · channels <= ${observationSize} (the observation size of ${config.env}), got [${image}] (${imageSize} values)`,
          ]),
    ]
    if (problems.length > 0) throw new ConfigError(problems, 'experiment config')
    try {
      return makeNetworks(networkSpec, criticHead, architecture)
    } catch (error) {
      if (error instanceof RangeError) throw new ConfigError([`networks.torso: ${error.message}`], 'experiment config')
      throw error
    }
  })()
  const step = learner.make(networks)
  const halfRange = low.reduce((sum, l, i) => sum + ((high[i] as number) - l) / 2, 0) / Math.max(1, low.length)
  const sigma = config.explorationNoise * halfRange
  const process: NoiseProcess<unknown> = (
    config.noise === 'ou' ? ouProcess({ ...DDPG_OU_PARAMS, sigma }) : gaussianProcess(sigma)
  ) as NoiseProcess<unknown>
  const { resume } = options
  const start = resume?.t ?? 0
  const [initKey, exploreKey, replayKey, learnKey] = Rng.split(Rng.key(config.seed), 4) as [
    Rng.Key,
    Rng.Key,
    Rng.Key,
    Rng.Key,
  ]

  return defer(() => {
    let current: TrainState | undefined // the learner's latest state (borrowed from learn)
    let t = start
    const replayRequests$ = new Subject<(snapshot: ReplaySnapshot | undefined) => void>()
    const priorityUpdates$ = new Subject<PriorityUpdate>()
    const replaySnapshot = (): ReplaySnapshot => {
      let replay: ReplaySnapshot | undefined
      replayRequests$.next((s) => {
        replay = s
      })
      if (replay === undefined) throw new Error('runExperiment: no replay snapshot (nothing stored yet)')
      return replay
    }
    const greedy = (observation: Float32Array): Float32Array => {
      const actor = current?.actor
      if (actor === undefined) throw new Error('runExperiment: the learner has not published an actor yet')
      return tidy(() =>
        networks.policy(actor, tf.tensor2d(observation, [1, observationSize])).dataSync(),
      ) as Float32Array
    }
    let nextEval = config.evalEvery > 0 ? start + config.evalEvery : Number.POSITIVE_INFINITY
    let nextCheckpoint = config.checkpointEvery > 0 ? start + config.checkpointEvery : Number.POSITIVE_INFINITY
    const evaluation = (at: number): ExperimentEvent => ({
      type: 'evaluation',
      t: at,
      ...evaluatePolicy({
        makeEnv: newEnv,
        policy: greedy,
        episodes: config.evalEpisodes,
        seed: config.seed + 1_000_003,
      }),
    })

    const { actors } = config
    /** What worker and Redis actors need alike: the env, seeds, network, noise, warm-up and the learner's params. */
    const remoteActing = (a: {
      readonly setup: readonly string[]
      readonly count: number
      readonly paramsEverySteps: number
      readonly paramsEveryMs: number
      readonly maxRestarts: number
    }) => ({
      env: config.env,
      envOptions: config.envOptions,
      setup: a.setup,
      count: a.count,
      seed: config.seed,
      networks: { spec: networkSpec, architecture: config.networks },
      noise: config.noise,
      sigma,
      warmupSteps: Math.max(0, config.warmupSteps - start),
      latestParams: () => (current === undefined ? undefined : { version: current.step, params: current.actor }),
      paramsEverySteps: a.paramsEverySteps,
      paramsEveryMs: a.paramsEveryMs,
      maxRestarts: a.maxRestarts,
      firstStep: start,
      firstEpisode: resume?.episode ?? 0,
    })
    const steps$: Observable<EnvStep> =
      actors.kind === 'inline'
        ? timeSlicedTicks(start, config.steps).pipe(
            rollout({
              makeEnv: newEnv,
              policy: (observation, at) =>
                at < config.warmupSteps ? new Float32Array(low.length) : greedy(observation),
              explore: explore({ process, key: exploreKey, warmupSteps: config.warmupSteps, low, high }),
              seed: config.seed,
              firstEpisode: resume?.episode ?? 0,
            }),
          )
        : (actors.kind === 'redis'
            ? redisActors({
                ...remoteActing(actors),
                url: actors.url,
                ...(actors.password === '' ? {} : { password: actors.password }),
                prefix: actors.prefix,
                spawn: actors.spawn,
              })
            : workerActors(remoteActing(actors))
          ).pipe(take(Math.max(0, config.steps - start)))

    return steps$.pipe(
      tap((s) => {
        t = s.t
      }),
      connect((steps$) =>
        merge(
          steps$.pipe(
            filter(
              (s): s is EnvStep & { episodeEnd: NonNullable<EnvStep['episodeEnd']> } => s.episodeEnd !== undefined,
            ),
            map((s): ExperimentEvent => ({ type: 'episode', t: s.t, episode: s.episode, ...s.episodeEnd })),
          ),
          steps$.pipe(
            // worker actors: one n-step window per env instance
            map((s) => (actors.kind === 'inline' ? s.transition : { ...s.transition, envIndex: s.envIndex })),
            config.nStep > 1 ? accumulateNSteps({ n: config.nStep, gamma: learner.agent.gamma }) : (x) => x,
            remember(
              {
                capacity: config.bufferSize,
                batchSize: config.batchSize,
                warmupSteps: config.warmupSteps,
                replayRatio: config.replayRatio,
                sampler: config.sampler,
                key: replayKey,
              },
              {
                snapshotRequests$: replayRequests$,
                priorityUpdates$,
                ...(resume === undefined ? {} : { initial: resume.replay }),
              },
            ),
            learn({
              step,
              initial: () =>
                resume === undefined
                  ? initTrainState(networks, { critics: learner.critics }, initKey)
                  : cloneTrainState(resume.train),
              key: learnKey,
              publish: (state) => {
                current = state
              },
            }),
            tap((event) => {
              const { indices } = event.kind === 'update' ? event.batch : {}
              const tdErrors = event.kind === 'update' ? event.metrics.tdErrors : undefined
              if (indices !== undefined && tdErrors !== undefined) priorityUpdates$.next({ indices, tdErrors })
            }),
            concatMap((event): ExperimentEvent[] =>
              event.kind === 'update'
                ? [{ type: 'update', t, learnerStep: event.state.step, metrics: event.metrics }]
                : [
                    ...(config.evalEpisodes > 0 ? [evaluation(config.steps)] : []),
                    {
                      type: 'final',
                      t: config.steps,
                      snapshot: takeSnapshot(event.state, replaySnapshot(), config.steps, 0),
                    },
                  ],
            ),
          ),
          steps$.pipe(
            filter((s) => s.episodeEnd !== undefined && (s.t + 1 >= nextEval || s.t + 1 >= nextCheckpoint)),
            concatMap((s): ExperimentEvent[] => {
              const events: ExperimentEvent[] = []
              if (s.t + 1 >= nextEval) {
                nextEval += config.evalEvery * Math.ceil((s.t + 1 - nextEval + 1) / config.evalEvery)
                if (config.evalEpisodes > 0) events.push(evaluation(s.t + 1))
              }
              if (s.t + 1 >= nextCheckpoint && current !== undefined) {
                nextCheckpoint +=
                  config.checkpointEvery * Math.ceil((s.t + 1 - nextCheckpoint + 1) / config.checkpointEvery)
                const snapshot = takeSnapshot(current, replaySnapshot(), s.t + 1, s.episode + 1)
                events.push({ type: 'checkpoint', t: s.t + 1, snapshot })
              }
              return events
            }),
          ),
        ),
      ),
    )
  })
}
