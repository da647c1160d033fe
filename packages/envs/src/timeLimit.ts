import { decodeOrThrow, PositiveInt } from '@polyak/core'
import type { Env } from './Env.js'
import { wrapEnv } from './wrapEnv.js'

/**
 * Gymnasium's `TimeLimit`: sets `truncated` on the step that brings the episode to `maxEpisodeSteps` steps (and on
 * any step after it, if the caller keeps stepping). `terminated` is passed through untouched, so a step can be both
 * terminated and truncated. A reset restarts the count. When the env has a spec, the wrapped env's spec carries the
 * new limit.
 *
 * @throws ConfigError at once when `maxEpisodeSteps` is not a positive integer
 *
 * @example
 * ```ts
 * const env = timeLimit(200)(makePendulum())
 * env.reset({ seed: 0 })
 * for (let t = 1; t < 200; t++) env.step([0]) // truncated: false
 * env.step([0]).truncated // true
 * ```
 */
export const timeLimit = (maxEpisodeSteps: number): ((env: Env) => Env) => {
  const limit = decodeOrThrow(PositiveInt, maxEpisodeSteps, 'timeLimit maxEpisodeSteps')
  return (env) => {
    let elapsed = 0
    return wrapEnv(env, {
      spec: env.spec === undefined ? undefined : { ...env.spec, maxEpisodeSteps: limit },
      reset: (options) => {
        const result = env.reset(options)
        elapsed = 0
        return result
      },
      step: (action) => {
        const result = env.step(action)
        elapsed += 1
        return elapsed >= limit && !result.truncated ? { ...result, truncated: true } : result
      },
    })
  }
}
