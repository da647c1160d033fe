/**
 * Deterministic evaluation.
 *
 * @module evaluatePolicy
 */
import type { Env } from '@polyak/envs'
import { episodeSeed } from './rollout.js'

/**
 * The result of {@link evaluatePolicy}.
 *
 * @example
 * ```ts
 * const { meanReturn, returns } = evaluatePolicy(options)
 * ```
 */
export interface Evaluation {
  readonly meanReturn: number
  readonly returns: readonly number[]
}

/**
 * Runs `episodes` whole episodes of a deterministic policy (no exploration noise) on a fresh env and returns their
 * undiscounted returns. Episode `e` is reset with `episodeSeed(seed, e)`, so evaluations at different points of
 * training see the same start states. The env is closed afterwards. Separate from the training env, as CleanRL
 * and Stable-Baselines3 evaluate.
 *
 * @example
 * ```ts
 * const result = evaluatePolicy({ makeEnv: () => makeEnv('Pendulum-v1'), policy, episodes: 10, seed: 1_000 })
 * ```
 */
export const evaluatePolicy = (options: {
  readonly makeEnv: () => Env
  readonly policy: (observation: Float32Array) => ArrayLike<number>
  readonly episodes: number
  readonly seed: number
}): Evaluation => {
  const env = options.makeEnv()
  try {
    const returns = Array.from({ length: options.episodes }, (_, e) => {
      let observation = env.reset({ seed: episodeSeed(options.seed, e) }).observation
      let total = 0
      for (;;) {
        const result = env.step(options.policy(observation))
        total += result.reward
        observation = result.observation
        if (result.terminated || result.truncated) return total
      }
    })
    return { meanReturn: returns.reduce((a, b) => a + b, 0) / Math.max(1, returns.length), returns }
  } finally {
    env.close()
  }
}
