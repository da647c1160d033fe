/**
 * Acting in an environment.
 *
 * @module rollout
 */
import { Rng, type Transition } from '@polyak/core'
import type { Env } from '@polyak/envs'
import type { ActionEvent, NoisyActionEvent } from '@polyak/noise'
import { defer, finalize, map, type OperatorFunction } from 'rxjs'
import type { EnvStep } from './EnvStep.js'

/**
 * Options of {@link rollout}.
 *
 * @example
 * ```ts
 * const options: RolloutOptions = {
 *   makeEnv: () => makeEnv('Pendulum-v1'),
 *   policy: (observation) => greedyAction(observation),
 *   explore: explore({ process: gaussianProcess(0.2), key, warmupSteps: 1000, low: [-2], high: [2] }),
 *   seed: 1,
 * }
 * ```
 */
export interface RolloutOptions {
  /** Makes the env when a subscription starts; it is closed when the subscription ends. */
  readonly makeEnv: () => Env
  /**
   * The greedy action for an observation at global step `t`, from the latest actor parameters (read at every call,
   * never waited for). Its result for a step that `explore` replaces (warm-up) is ignored.
   */
  readonly policy: (observation: Float32Array, t: number) => Float32Array
  /** The exploration operator between the policy and the env, e.g. {@link explore}. */
  readonly explore: OperatorFunction<ActionEvent, NoisyActionEvent>
  /** Episode `e` is reset with a seed drawn from `Rng.foldIn(Rng.key(seed), e)`. */
  readonly seed: number
  /** The index of the first episode (to resume a run at an episode boundary); default 0. */
  readonly firstEpisode?: number
}

/**
 * The reset seed of episode `episode` of a run seeded with `seed`: a uint32 from `Rng.foldIn(Rng.key(seed), episode)`.
 * Seeding every episode this way makes a run resumable at any episode boundary without saving the env.
 *
 * @example
 * ```ts
 * env.reset({ seed: episodeSeed(1, 0) })
 * ```
 */
export const episodeSeed = (seed: number, episode: number): number =>
  Rng.bits(Rng.foldIn(Rng.key(seed), episode), 1)[0] as number

/**
 * Steps an environment once per tick: each tick `t` proposes the policy's action for the current observation,
 * passes it through the exploration operator, applies it, and emits the {@link EnvStep} (the transition keeps the
 * true final observation of a truncated episode as `nextObservation`; the next episode starts on the following
 * tick). Episode returns are summed in float32 and reported on the ending step. Cold: each subscription makes and
 * resets its own env, and closes it on completion, error or unsubscribe.
 *
 * @example
 * ```ts
 * range(0, 10_000).pipe(rollout(options), map((step) => step.transition), remember(replayConfig))
 * ```
 */
export const rollout =
  (options: RolloutOptions): OperatorFunction<number, EnvStep> =>
  (ticks$) =>
    defer(() => {
      const env = options.makeEnv()
      let episode = options.firstEpisode ?? 0
      let observation = env.reset({ seed: episodeSeed(options.seed, episode) }).observation
      let episodeStart = true
      let episodeReturn = 0
      let episodeLength = 0
      return ticks$.pipe(
        map((t): ActionEvent => ({ t, envIndex: 0, episodeStart, action: options.policy(observation, t) })),
        options.explore,
        map((event): EnvStep => {
          const result = env.step(event.action)
          const transition: Transition = {
            observation,
            action: event.action,
            reward: result.reward,
            nextObservation: result.observation,
            terminated: result.terminated,
            truncated: result.truncated,
          }
          episodeReturn = Math.fround(episodeReturn + result.reward)
          episodeLength += 1
          const ended = result.terminated || result.truncated
          const step: EnvStep = {
            t: event.t ?? 0,
            envIndex: 0,
            episode,
            transition,
            ...(ended ? { episodeEnd: { return: episodeReturn, length: episodeLength } } : {}),
          }
          observation = result.observation
          episodeStart = false
          if (ended) {
            episode += 1
            observation = env.reset({ seed: episodeSeed(options.seed, episode) }).observation
            episodeStart = true
            episodeReturn = 0
            episodeLength = 0
          }
          return step
        }),
        finalize(() => env.close()),
      )
    })
