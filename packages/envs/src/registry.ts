/**
 * The env registry, as Gymnasium's `make` / `register`: ids mapped to factories, specs (step limit, reward
 * threshold) and option codecs. `makeEnv(id, options)` validates the options (unknown keys and bad values are
 * errors naming the field), builds the env and applies the {@link timeLimit} wrapper of the spec.
 *
 * Registered here: `Pendulum-v1` (200 steps, no threshold), `MountainCarContinuous-v0` (999 steps, threshold 90),
 * `LunarLanderContinuous-v3` (1000 steps, threshold 200), `BipedalWalker-v3` (1600 steps, threshold 300; option
 * `hardcore`) and `BipedalWalkerHardcore-v3` (2000 steps, threshold 300), and `LaneFollowing-v0` (1000 steps, no threshold; a
 * camera-based lane-following simulator).
 *
 * MuJoCo (Gymnasium v5, on the official MuJoCo WebAssembly build; call `await prepareEnv(id)` or `await loadMujoco()` once
 * before making them):
 * `InvertedPendulum-v5` (1000 steps, threshold 950), `InvertedDoublePendulum-v5` (1000, 9100), `Reacher-v5` (50,
 * −3.75), `HalfCheetah-v5` (1000, 4800), `Hopper-v5` (1000, 3800), `Walker2d-v5` (1000, none) and `Ant-v5` (1000,
 * 6000).
 *
 * @module registry
 */
import {
  ConfigError,
  decodeOrThrow,
  FiniteNumber,
  optional,
  PositiveInt,
  type StrictObjectC,
  strictObject,
  type TypeOfStrict,
  type WithDefaultsC,
  withDefaults,
} from '@polyak/core'
import * as t from 'io-ts'
import {
  BIPEDAL_WALKER_HARDCORE_ID,
  BIPEDAL_WALKER_ID,
  BipedalWalkerOptionsCodec,
  makeBipedalWalker,
} from './BipedalWalker.js'
import type { Env, EnvSpec } from './Env.js'
import { LANE_FOLLOWING_ID, LaneFollowingOptionsCodec, makeLaneFollowing } from './LaneFollowing.js'
import { LUNAR_LANDER_CONTINUOUS_ID, LunarLanderOptionsCodec, makeLunarLanderContinuous } from './LunarLander.js'
import {
  MOUNTAIN_CAR_CONTINUOUS_ID,
  MountainCarOptionsCodec,
  makeMountainCarContinuous,
} from './MountainCarContinuous.js'
import {
  ANT_ID,
  AntOptionsCodec,
  HALF_CHEETAH_ID,
  HalfCheetahOptionsCodec,
  HOPPER_ID,
  HopperOptionsCodec,
  INVERTED_DOUBLE_PENDULUM_ID,
  INVERTED_PENDULUM_ID,
  InvertedDoublePendulumOptionsCodec,
  InvertedPendulumOptionsCodec,
  loadMujoco,
  makeAnt,
  makeHalfCheetah,
  makeHopper,
  makeInvertedDoublePendulum,
  makeInvertedPendulum,
  makeReacher,
  makeWalker2d,
  REACHER_ID,
  ReacherOptionsCodec,
  WALKER2D_ID,
  Walker2dOptionsCodec,
} from './mujoco/index.js'
import { makePendulum, PENDULUM_ID, PendulumOptionsCodec } from './Pendulum.js'
import { timeLimit } from './timeLimit.js'
import { wrapEnv } from './wrapEnv.js'

/**
 * What {@link registerEnv} needs besides the id and the factory: the spec's numbers and the codec of the factory's
 * options (a `withDefaults(strictObject(…), defaults)`, so every option has a default).
 *
 * @example
 * ```ts
 * const registration: EnvRegistration<typeof PendulumOptionsCodec.codec.props> = {
 *   maxEpisodeSteps: 200,
 *   options: PendulumOptionsCodec,
 * }
 * ```
 */
export interface EnvRegistration<P extends t.Props> {
  /** The default step limit, applied with {@link timeLimit}; leave out for none. */
  readonly maxEpisodeSteps?: number
  /** The average return at which the task counts as solved, where there is one. */
  readonly rewardThreshold?: number
  /** Bounds `[min, max]` of every step's reward, where the env guarantees them (see `EnvSpec.rewardRange`). */
  readonly rewardRange?: readonly [number, number]
  /** The codec of the factory's options; leave out for an env that takes none. */
  readonly options?: WithDefaultsC<StrictObjectC<P>>
  /**
   * Loads what the factory needs before it can run synchronously (the MuJoCo envs: `loadMujoco`); awaited by
   * {@link prepareEnv}. Leave out when there is nothing to load.
   */
  readonly prepare?: () => Promise<unknown>
}

/**
 * The options `makeEnv` accepts for any id: the env's own options plus `maxEpisodeSteps`, which overrides the
 * spec's step limit.
 *
 * @example
 * ```ts
 * const options: MakeEnvOptions = { maxEpisodeSteps: 50, g: 9.81 }
 * ```
 */
export type MakeEnvOptions = Readonly<Record<string, unknown>> & { readonly maxEpisodeSteps?: number }

interface Entry {
  readonly spec: EnvSpec
  readonly codec: t.Type<Readonly<Record<string, unknown>>, unknown, unknown>
  readonly make: (options: Readonly<Record<string, unknown>>) => Env
  readonly prepare: (() => Promise<unknown>) | undefined
}

const registry = new Map<string, Entry>()

const describeIds = (): string => [...registry.keys()].sort().join(', ')

/**
 * Registers an env under an id for {@link makeEnv}. The factory receives the decoded options (every key present,
 * defaults filled in, `maxEpisodeSteps` taken out) and returns the env without its time limit.
 *
 * @throws Error when the id is empty or already registered; ConfigError when a number of the registration is invalid
 *
 * @example
 * ```ts
 * registerEnv('Pendulum-mars-v1', () => makePendulum({ g: 3.71 }), { maxEpisodeSteps: 200 })
 * const env = makeEnv('Pendulum-mars-v1')
 * ```
 */
export const registerEnv = <P extends t.Props>(
  id: string,
  factory: (options: TypeOfStrict<P>) => Env,
  registration: EnvRegistration<P> = {},
): void => {
  if (typeof id !== 'string' || id.length === 0) throw new Error(`registerEnv: the id must be a non-empty string`)
  if (registry.has(id)) throw new Error(`registerEnv: '${id}' is already registered (registered: ${describeIds()})`)
  const maxEpisodeSteps = decodeOrThrow(optional(PositiveInt), registration.maxEpisodeSteps, `maxEpisodeSteps of ${id}`)
  const rewardThreshold = decodeOrThrow(
    optional(FiniteNumber),
    registration.rewardThreshold,
    `rewardThreshold of ${id}`,
  )
  const rewardRange = decodeOrThrow(
    optional(t.tuple([FiniteNumber, FiniteNumber], '[min, max] of finite numbers')),
    registration.rewardRange,
    `rewardRange of ${id}`,
  )
  if (rewardRange !== undefined && !(rewardRange[0] <= rewardRange[1])) {
    throw new ConfigError([`rewardRange: expected min <= max, got [${rewardRange}]`], `registration of ${id}`)
  }
  const codec = withDefaults(
    strictObject(`options of ${id}`, {
      ...(registration.options?.codec.props ?? {}),
      maxEpisodeSteps: optional(PositiveInt),
    }),
    { ...(registration.options?.defaults ?? {}), maxEpisodeSteps },
  )
  registry.set(id, {
    spec: { id, maxEpisodeSteps, rewardThreshold, ...(rewardRange === undefined ? {} : { rewardRange }) },
    codec: codec as unknown as Entry['codec'],
    make: factory as unknown as Entry['make'],
    prepare: registration.prepare,
  })
}

/**
 * The ids that {@link makeEnv} knows, sorted.
 *
 * @example
 * ```ts
 * registeredEnvIds() // ['MountainCarContinuous-v0', 'Pendulum-v1', …]
 * ```
 */
export const registeredEnvIds = (): readonly string[] => [...registry.keys()].sort()

const entryOf = (id: string): Entry => {
  const entry = registry.get(id)
  if (entry === undefined) throw new Error(`Unknown env id '${id}'; registered ids: ${describeIds()}`)
  return entry
}

/**
 * The spec registered for an id.
 *
 * @throws Error listing the registered ids when the id is unknown
 *
 * @example
 * ```ts
 * envSpec('MountainCarContinuous-v0') // { id: 'MountainCarContinuous-v0', maxEpisodeSteps: 999, rewardThreshold: 90 }
 * ```
 */
export const envSpec = (id: string): EnvSpec => entryOf(id).spec

/**
 * Makes a registered env, as Gymnasium's `make`: validates `options` (the env's own plus `maxEpisodeSteps`), calls
 * the factory, and wraps the env in {@link timeLimit} with the spec's (or the given) step limit. The env's `spec`
 * is the registered one, with the limit actually applied.
 *
 * @throws Error listing the registered ids when the id is unknown; ConfigError naming each bad option
 *   (`Invalid options of Pendulum-v1:\n  - gg: unknown key (expected one of: g, maxEpisodeSteps); did you mean 'g'?`)
 *
 * @example
 * ```ts
 * const env = makeEnv('Pendulum-v1', { g: 9.81 })
 * env.spec // { id: 'Pendulum-v1', maxEpisodeSteps: 200, rewardThreshold: undefined }
 * const short = makeEnv('MountainCarContinuous-v0', { maxEpisodeSteps: 100 })
 * ```
 */
export const makeEnv = (id: string, options: MakeEnvOptions = {}): Env => {
  const entry = entryOf(id)
  const { maxEpisodeSteps, ...envOptions } = decodeOrThrow(entry.codec, options, `options of ${id}`)
  const limit = maxEpisodeSteps as number | undefined
  const env = entry.make(envOptions)
  const limited = limit === undefined ? env : timeLimit(limit)(env)
  return wrapEnv(limited, { id, spec: { ...entry.spec, maxEpisodeSteps: limit } })
}

/**
 * Loads whatever a registered env needs before `makeEnv` can make it (for the MuJoCo ids, the MuJoCo WebAssembly
 * module; for the others nothing). Call it once, before the first `makeEnv(id)`, in code that may receive any id.
 *
 * @throws Error listing the registered ids when the id is unknown (the promise rejects)
 *
 * @example
 * ```ts
 * await prepareEnv('HalfCheetah-v5')
 * const env = makeEnv('HalfCheetah-v5')
 * ```
 */
export const prepareEnv = async (id: string): Promise<void> => {
  await entryOf(id).prepare?.()
}

registerEnv(PENDULUM_ID, (options) => makePendulum(options), {
  maxEpisodeSteps: 200,
  rewardRange: [-16.2736044, 0], // −(π² + 0.1·8² + 0.001·2²) ≤ r ≤ 0
  options: PendulumOptionsCodec,
})
registerEnv(MOUNTAIN_CAR_CONTINUOUS_ID, (options) => makeMountainCarContinuous(options), {
  maxEpisodeSteps: 999,
  rewardThreshold: 90,
  options: MountainCarOptionsCodec,
})
registerEnv(LUNAR_LANDER_CONTINUOUS_ID, (options) => makeLunarLanderContinuous(options), {
  maxEpisodeSteps: 1000,
  rewardThreshold: 200,
  options: LunarLanderOptionsCodec,
})
registerEnv(BIPEDAL_WALKER_ID, (options) => makeBipedalWalker(options), {
  maxEpisodeSteps: 1600,
  rewardThreshold: 300,
  options: BipedalWalkerOptionsCodec,
})
registerEnv(LANE_FOLLOWING_ID, (options) => makeLaneFollowing(options), {
  maxEpisodeSteps: 1000,
  options: LaneFollowingOptionsCodec,
})
// Gymnasium registers the same class with hardcore=True; here the id fixes the terrain and takes no options.
registerEnv(BIPEDAL_WALKER_HARDCORE_ID, () => makeBipedalWalker({ hardcore: true }), {
  maxEpisodeSteps: 2000,
  rewardThreshold: 300,
})

// MuJoCo (Gymnasium v5): the factories need `await loadMujoco()` (or `await prepareEnv(id)`) first and say so otherwise.
registerEnv(INVERTED_PENDULUM_ID, (options) => makeInvertedPendulum(options), {
  prepare: loadMujoco,
  maxEpisodeSteps: 1000,
  rewardRange: [0, 1], // 1 per step alive
  rewardThreshold: 950,
  options: InvertedPendulumOptionsCodec,
})
registerEnv(INVERTED_DOUBLE_PENDULUM_ID, (options) => makeInvertedDoublePendulum(options), {
  prepare: loadMujoco,
  maxEpisodeSteps: 1000,
  rewardThreshold: 9100,
  options: InvertedDoublePendulumOptionsCodec,
})
registerEnv(REACHER_ID, (options) => makeReacher(options), {
  prepare: loadMujoco,
  maxEpisodeSteps: 50,
  rewardThreshold: -3.75,
  options: ReacherOptionsCodec,
})
registerEnv(HALF_CHEETAH_ID, (options) => makeHalfCheetah(options), {
  prepare: loadMujoco,
  maxEpisodeSteps: 1000,
  rewardThreshold: 4800,
  options: HalfCheetahOptionsCodec,
})
registerEnv(HOPPER_ID, (options) => makeHopper(options), {
  prepare: loadMujoco,
  maxEpisodeSteps: 1000,
  rewardThreshold: 3800,
  options: HopperOptionsCodec,
})
registerEnv(WALKER2D_ID, (options) => makeWalker2d(options), {
  prepare: loadMujoco,
  maxEpisodeSteps: 1000,
  options: Walker2dOptionsCodec,
})
registerEnv(ANT_ID, (options) => makeAnt(options), {
  prepare: loadMujoco,
  maxEpisodeSteps: 1000,
  rewardThreshold: 6000,
  options: AntOptionsCodec,
})
