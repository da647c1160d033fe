import type { Env } from './Env.js'
import { wrapEnv } from './wrapEnv.js'

/**
 * Options of {@link recordEpisodeStatistics}.
 *
 * @example
 * ```ts
 * const asGymnasium1: RecordEpisodeStatisticsOptions = { returnPrecision: 'float64' }
 * ```
 */
export interface RecordEpisodeStatisticsOptions {
  /**
   * How the episode return is summed: `'float32'` (default) rounds after every addition, as the float32 return buffers
   * of Gym ≤ 0.26's wrapper that CleanRL's scripts log with; `'float64'` sums in double, as Gymnasium 1.x does.
   */
  readonly returnPrecision?: 'float32' | 'float64'
}

/**
 * Gymnasium's `RecordEpisodeStatistics`: on the step that ends an episode (`terminated` or `truncated`), adds
 * `info.episode = { return, length }`, the sum of the episode's rewards and its number of steps. By default the
 * return is summed in float32, as the `np.zeros(num_envs, dtype=np.float32)` buffer of Gym ≤ 0.26's wrapper that
 * CleanRL's DDPG and TD3 log with, so logged returns match theirs; `{ returnPrecision: 'float64' }` sums as
 * Gymnasium 1.x does. Wall-clock time (Gymnasium's `t`) is left out, to keep `info` deterministic.
 *
 * @throws Error on a step whose info already has `episode` (the wrapper applied twice)
 *
 * @example
 * ```ts
 * const env = recordEpisodeStatistics()(timeLimit(200)(makePendulum()))
 * env.reset({ seed: 0 })
 * let result = env.step([0])
 * while (!result.truncated) result = env.step([0])
 * result.info.episode // { return: -1234.5…, length: 200 }
 * ```
 */
export const recordEpisodeStatistics =
  (options: RecordEpisodeStatisticsOptions = {}) =>
  (env: Env): Env => {
    const round = options.returnPrecision === 'float64' ? (x: number) => x : Math.fround
    let episodeReturn = 0
    let length = 0
    return wrapEnv(env, {
      reset: (options) => {
        const result = env.reset(options)
        episodeReturn = 0
        length = 0
        return result
      },
      step: (action) => {
        const result = env.step(action)
        episodeReturn = round(episodeReturn + result.reward)
        length += 1
        if (!result.terminated && !result.truncated) return result
        if (result.info.episode !== undefined) {
          throw new Error(
            `${env.id}: recordEpisodeStatistics: info.episode is already set (is the wrapper applied twice?)`,
          )
        }
        return { ...result, info: { ...result.info, episode: { return: episodeReturn, length } } }
      },
    })
  }
