import { decodeOrThrow, PositiveInt } from '@polyak/core'
import type { Env, StepResult } from './Env.js'
import { wrapEnv } from './wrapEnv.js'

/**
 * Action repeat: each step applies the action `skip` times and returns the sum of the rewards with the last
 * observation, flags and info. It stops early on the first `terminated` or `truncated`, so an episode never runs past
 * its end. Apply a time limit outside this wrapper to count agent steps, inside it to count env steps.
 *
 * @throws ConfigError at once when `skip` is not a positive integer
 *
 * @example
 * ```ts
 * const env = frameSkip(4)(makePendulum())
 * env.reset({ seed: 0 })
 * env.step([1]).reward // the sum of 4 Pendulum rewards
 * ```
 */
export const frameSkip = (skip: number): ((env: Env) => Env) => {
  const repeats = decodeOrThrow(PositiveInt, skip, 'frameSkip skip')
  return (env) =>
    wrapEnv(env, {
      step: (action) => {
        let result: StepResult = env.step(action)
        let reward = result.reward
        for (let i = 1; i < repeats && !result.terminated && !result.truncated; i++) {
          result = env.step(action)
          reward += result.reward
        }
        return { ...result, reward }
      },
    })
}
