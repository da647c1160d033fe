/**
 * N copies of an env stepped together in one thread, with automatic resets in the **same step** (the semantics of
 * Gym 0.26 / Gymnasium 0.29 `SyncVectorEnv`, which CleanRL's DDPG and TD3 rely on), not Gymnasium 1.x's default
 * "next-step" autoreset.
 *
 * When copy i's episode ends on a step (`terminated[i]` or `truncated[i]`), the vector env resets that copy at once:
 * `observations[i]` is the first observation of the new episode, and the true last observation of the finished one
 * is `infos[i].finalObservation` (with the reset's info in `infos[i].resetInfo`; the rest of `infos[i]`, such as
 * `episode`, is the info of the final step). Every step therefore returns a usable observation for every copy and no
 * step is wasted, and a learner stores `(observation, action, reward, finalObservation ?? next, terminated)`.
 *
 * Seeds: `reset({ seed })` resets copy i with `seed + i`; a reset without a seed lets each copy continue its own key
 * stream, except the very first one, which uses seed 0 + i so that copies never start alike. Automatic resets never
 * pass a seed.
 *
 * @module VectorEnv
 */
import { Box, type BoxSpec, decodeOrThrow, PositiveInt } from '@polyak/core'
import { checkAction, type Env, type ResetOptions, type StepInfo } from './Env.js'

/**
 * What {@link VectorEnv.reset} returns, one entry per copy.
 *
 * @example
 * ```ts
 * const { observations, infos } = vectorEnv.reset({ seed: 0 })
 * ```
 */
export interface VectorResetResult {
  /** The first observation of each copy. */
  readonly observations: readonly Float32Array[]
  /** The reset info of each copy. */
  readonly infos: readonly StepInfo[]
}

/**
 * What {@link VectorEnv.step} returns, one entry per copy.
 *
 * @example
 * ```ts
 * const { observations, rewards, terminated, truncated, infos } = vectorEnv.step(actions)
 * ```
 */
export interface VectorStepResult {
  /** The observation after the step, or the reset observation for a copy whose episode just ended. */
  readonly observations: readonly Float32Array[]
  /** The reward of each copy's step. */
  readonly rewards: readonly number[]
  /** Whether each copy's episode reached a terminal state on this step. */
  readonly terminated: readonly boolean[]
  /** Whether each copy's episode was cut (time limit) on this step. */
  readonly truncated: readonly boolean[]
  /** The step info of each copy; with `finalObservation` and `resetInfo` for a copy that was reset. */
  readonly infos: readonly StepInfo[]
}

/**
 * N copies of one env, stepped together with same-step automatic resets.
 *
 * @example
 * ```ts
 * const vectorEnv = makeVectorEnv(() => makeEnv('Pendulum-v1'), 4)
 * const { observations } = vectorEnv.reset({ seed: 1 }) // copies seeded 1, 2, 3, 4
 * ```
 */
export interface VectorEnv {
  /** A label for messages, e.g. `'Pendulum-v1 ×4'`. */
  readonly id: string
  /** The number of copies. */
  readonly numEnvs: number
  /** The copies, in order (read their state, e.g. normalisation statistics; step them only through the vector). */
  readonly envs: readonly Env[]
  /** The observation space of one copy. */
  readonly singleObservationSpace: BoxSpec
  /** The action space of one copy. */
  readonly singleActionSpace: BoxSpec
  /** Resets every copy (copy i with `seed + i` when a seed is given). */
  readonly reset: (options?: ResetOptions) => VectorResetResult
  /**
   * Steps every copy: either one action per copy, or all actions flat (`numEnvs · size(singleActionSpace)` numbers,
   * copy i's action at `[i·size, (i + 1)·size)`).
   *
   * @throws RangeError naming the copy when an action is invalid, or when the number of actions is wrong
   */
  readonly step: (actions: readonly ArrayLike<number>[] | ArrayLike<number>) => VectorStepResult
  /** Closes every copy. */
  readonly close: () => void
}

const sameSpace = (a: BoxSpec, b: BoxSpec): boolean => JSON.stringify(a) === JSON.stringify(b)

/** Splits the actions argument into one action per copy. */
const actionsPerCopy = (
  label: string,
  actions: readonly ArrayLike<number>[] | ArrayLike<number>,
  numEnvs: number,
  actionSize: number,
): readonly ArrayLike<number>[] => {
  if (Array.isArray(actions) && actions.length > 0 && typeof actions[0] === 'object') {
    if (actions.length !== numEnvs)
      throw new RangeError(`${label}: step: expected ${numEnvs} actions, got ${actions.length}`)
    return actions as readonly ArrayLike<number>[]
  }
  const flat = actions as ArrayLike<number>
  if (flat.length !== numEnvs * actionSize) {
    throw new RangeError(
      `${label}: step: expected ${numEnvs} actions or ${numEnvs} × ${actionSize} = ${numEnvs * actionSize} numbers, got ${flat.length}`,
    )
  }
  const typed = flat instanceof Float32Array || flat instanceof Float64Array ? flat : Float64Array.from(flat)
  return Array.from({ length: numEnvs }, (_, i) => typed.subarray(i * actionSize, (i + 1) * actionSize))
}

/**
 * Makes a vector env of `numEnvs` copies, copy i made by `makeCopy(i)`. The copies must share their spaces.
 *
 * @throws ConfigError when `numEnvs` is not a positive integer; Error when the copies' spaces differ
 *
 * @example
 * ```ts
 * const vectorEnv = makeVectorEnv(() => recordEpisodeStatistics()(makeEnv('Pendulum-v1')), 8)
 * vectorEnv.reset({ seed: 0 })
 * const result = vectorEnv.step(new Float32Array(8)) // zero torque for every copy
 * ```
 */
export const makeVectorEnv = (makeCopy: (index: number) => Env, numEnvs: number): VectorEnv => {
  const count = decodeOrThrow(PositiveInt, numEnvs, 'makeVectorEnv numEnvs')
  const envs = Array.from({ length: count }, (_, i) => makeCopy(i))
  const first = envs[0] as Env
  const label = `${first.id} ×${count}`
  envs.forEach((env, i) => {
    if (!sameSpace(env.observationSpace, first.observationSpace) || !sameSpace(env.actionSpace, first.actionSpace)) {
      throw new Error(`${label}: copy ${i} (${env.id}) has other spaces than copy 0`)
    }
  })
  const actionSize = Box.size(first.actionSpace)
  let seeded = false

  const reset = (options: ResetOptions = {}): VectorResetResult => {
    const base = options.seed ?? (seeded ? undefined : 0)
    seeded = true
    const results = envs.map((env, i) =>
      env.reset({
        ...(base === undefined ? {} : { seed: base + i }),
        ...(options.options ? { options: options.options } : {}),
      }),
    )
    return { observations: results.map((r) => r.observation), infos: results.map((r) => r.info) }
  }

  const step = (actions: readonly ArrayLike<number>[] | ArrayLike<number>): VectorStepResult => {
    const perCopy = actionsPerCopy(label, actions, count, actionSize)
    perCopy.forEach((action, i) => {
      checkAction(`${label}: copy ${i}`, first.actionSpace, action)
    })
    const results = envs.map((env, i) => {
      const result = env.step(perCopy[i] as ArrayLike<number>)
      if (!result.terminated && !result.truncated) return result
      const restart = env.reset()
      const info: StepInfo = { ...result.info, finalObservation: result.observation, resetInfo: restart.info }
      return { ...result, observation: restart.observation, info }
    })
    return {
      observations: results.map((r) => r.observation),
      rewards: results.map((r) => r.reward),
      terminated: results.map((r) => r.terminated),
      truncated: results.map((r) => r.truncated),
      infos: results.map((r) => r.info),
    }
  }

  return {
    id: label,
    numEnvs: count,
    envs,
    singleObservationSpace: first.observationSpace,
    singleActionSpace: first.actionSpace,
    reset,
    step,
    close: () => {
      for (const env of envs) env.close()
    },
  }
}
