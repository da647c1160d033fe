/**
 * The Gymnasium-shaped environment API: `reset({ seed, options }) → { observation, info }` and
 * `step(action) → { observation, reward, terminated, truncated, info }`, with Box observation and action spaces,
 * `render()` to an RGB frame and `close()`.
 *
 * `terminated` (the MDP reached a terminal state: no bootstrap) and `truncated` (a time limit or another outside
 * condition cut the episode: bootstrap from the observation) are never merged. An env may keep mutable physics state
 * inside its closure, but every observation it returns is a fresh `Float32Array` that it never writes again.
 *
 * @module Env
 */
import { Box, type BoxSpec } from '@polyak/core'
import type { Frame } from './Frame.js'

/**
 * What the registry knows about an env: its id, the step limit its TimeLimit wrapper applies, and the average return
 * over 100 episodes at which the task counts as solved (Gymnasium's `reward_threshold`), where there is one.
 *
 * @example
 * ```ts
 * const spec: EnvSpec = { id: 'MountainCarContinuous-v0', maxEpisodeSteps: 999, rewardThreshold: 90 }
 * ```
 */
export interface EnvSpec {
  /** The registered id, e.g. `'Pendulum-v1'`. */
  readonly id: string
  /** Steps after which the episode is truncated; `undefined` for no limit. */
  readonly maxEpisodeSteps: number | undefined
  /** The return at which the task counts as solved; `undefined` when Gymnasium has none. */
  readonly rewardThreshold: number | undefined
  /**
   * Bounds `[min, max]` of every single step's reward, where the env guarantees them (Pendulum-v1:
   * `[−16.2736044, 0]`); absent when a step's reward is unbounded or has rare large terminal bonuses. Agents that
   * need the range of returns (D4PG's categorical support: `[min, max] / (1 − γ)`) read it here.
   */
  readonly rewardRange?: readonly [number, number]
}

/**
 * The statistics of a finished episode, put in `info.episode` by `recordEpisodeStatistics` on the step that ends it.
 *
 * @example
 * ```ts
 * const statistics: EpisodeStatistics = { return: -1234.5, length: 200 }
 * ```
 */
export interface EpisodeStatistics {
  /** The undiscounted sum of the episode's rewards, accumulated in float32 (as Gymnasium's and CleanRL's vectors). */
  readonly return: number
  /** The number of steps of the episode. */
  readonly length: number
}

/**
 * The `info` record of a reset or a step. Envs and wrappers may add any key; the typed ones are those of this
 * package's wrappers and vector env.
 *
 * @example
 * ```ts
 * const info: StepInfo = { episode: { return: -12, length: 200 } }
 * ```
 */
export interface StepInfo {
  /** Statistics of the episode that ended on this step (set by `recordEpisodeStatistics`). */
  readonly episode?: EpisodeStatistics
  /** In a vector env, for a copy whose episode ended on this step: its true final observation. */
  readonly finalObservation?: Float32Array
  /** In a vector env, for a copy whose episode ended on this step: the info of its automatic reset. */
  readonly resetInfo?: StepInfo
  readonly [key: string]: unknown
}

/**
 * The argument of {@link Env.reset}: an optional integer `seed` that re-seeds the env's key stream, and optional
 * env-specific `options` (Pendulum's `x_init`/`y_init`, MountainCar's `low`/`high`).
 *
 * @example
 * ```ts
 * const resetOptions: ResetOptions = { seed: 42, options: { x_init: 0.5 } }
 * ```
 */
export interface ResetOptions {
  /** A safe integer; the same seed gives the same episode. Left out, the env continues its own key stream. */
  readonly seed?: number
  /** Env-specific options, validated by the env (an unknown key is an error). */
  readonly options?: Readonly<Record<string, unknown>>
}

/**
 * What {@link Env.reset} returns.
 *
 * @example
 * ```ts
 * const { observation, info } = env.reset({ seed: 0 })
 * ```
 */
export interface ResetResult {
  /** The first observation of the episode: a fresh float32 array. */
  readonly observation: Float32Array
  /** Extra information; `{}` for the classic-control envs. */
  readonly info: StepInfo
}

/**
 * What {@link Env.step} returns.
 *
 * @example
 * ```ts
 * const { observation, reward, terminated, truncated, info } = env.step([0.5])
 * ```
 */
export interface StepResult {
  /** The observation after the step: a fresh float32 array. */
  readonly observation: Float32Array
  /** The reward of the step. */
  readonly reward: number
  /** The episode reached a terminal state of the MDP: do not bootstrap from `observation`. */
  readonly terminated: boolean
  /** The episode was cut from outside (a time limit): bootstrap from `observation`. */
  readonly truncated: boolean
  /** Extra information, e.g. `episode` at the end of an episode. */
  readonly info: StepInfo
}

/**
 * A Gymnasium-shaped environment. Call `reset` before the first `step`; after `terminated` or `truncated` call
 * `reset` again (stepping on continues the dynamics, as in Gymnasium, but the result has no meaning for an episode).
 * Randomness comes only from `Rng` keys: `reset({ seed })` re-seeds, and a reset without a seed continues the env's
 * own key stream, so a whole run is a pure function of the first seed.
 *
 * @example
 * ```ts
 * import { makeEnv } from '@polyak/envs'
 *
 * const env = makeEnv('Pendulum-v1')
 * let { observation } = env.reset({ seed: 0 })
 * for (let t = 0; t < 200; t++) {
 *   const result = env.step([0])
 *   observation = result.observation
 *   if (result.terminated || result.truncated) observation = env.reset().observation
 * }
 * env.close()
 * ```
 */
export interface Env {
  /** The env's id, used in error messages (wrappers keep the id of the env they wrap). */
  readonly id: string
  /** The registry's spec when the env was made with `makeEnv`; `undefined` otherwise. */
  readonly spec: EnvSpec | undefined
  /** The Box of observations. */
  readonly observationSpace: BoxSpec
  /** The Box of actions. */
  readonly actionSpace: BoxSpec
  /** Starts an episode. */
  readonly reset: (options?: ResetOptions) => ResetResult
  /**
   * Applies one action (`size(actionSpace)` finite numbers).
   *
   * @throws RangeError naming the env when the action has the wrong length or a value that is NaN or infinite
   */
  readonly step: (action: ArrayLike<number>) => StepResult
  /** Draws the current state as an RGB frame. */
  readonly render: () => Frame
  /** Releases the env; later calls to `reset`, `step` or `render` throw. Calling it twice is harmless. */
  readonly close: () => void
}

/**
 * Checks an action against an action space: `size(space)` numbers, none NaN or infinite. Values outside the bounds
 * are allowed (the env clips them, as Gymnasium's envs do).
 *
 * @throws TypeError when `action` is not array-like; RangeError for a wrong length or a non-finite value. Messages
 *   start with `"<envId>: invalid action"`.
 *
 * @example
 * ```ts
 * checkAction('Pendulum-v1', box(-2, 2), [0.5]) // passes
 * checkAction('Pendulum-v1', box(-2, 2), [0.5, 1])
 * // RangeError: Pendulum-v1: invalid action: expected 1 value (action space of shape [1]), got 2
 * ```
 */
export const checkAction = (envId: string, space: BoxSpec, action: ArrayLike<number>): void => {
  const expected = Box.size(space)
  if (action === null || typeof action !== 'object' || typeof action.length !== 'number') {
    throw new TypeError(
      `${envId}: invalid action: expected an array of ${expected} number${expected === 1 ? '' : 's'}, got ${String(action)}`,
    )
  }
  if (action.length !== expected) {
    const values = `${expected} value${expected === 1 ? '' : 's'}`
    throw new RangeError(
      `${envId}: invalid action: expected ${values} (action space of shape [${space.shape.join(', ')}]), got ${action.length}`,
    )
  }
  for (let i = 0; i < expected; i++) {
    const value = action[i]
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RangeError(`${envId}: invalid action: element ${i} must be a finite number, got ${String(value)}`)
    }
  }
}
