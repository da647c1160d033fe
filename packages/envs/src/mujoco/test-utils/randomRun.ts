import { Box, Rng } from '@polyak/core'
import { makeEnv } from '../../registry.js'

/** What {@link randomRun} counts. */
export interface RandomRunSummary {
  readonly terminated: number
  readonly truncated: number
  readonly nonFinite: number
  readonly wrongLength: number
}

/**
 * Runs `steps` uniformly random actions (within the action bounds, from a seeded key) in `makeEnv(id)`, resetting at
 * every episode end; counts the episode ends and the observations or rewards that are not finite. Test helper.
 */
export const randomRun = (id: string, steps: number, seed: number): RandomRunSummary => {
  const env = makeEnv(id)
  const size = Box.size(env.actionSpace)
  const { low, high } = env.actionSpace
  const draws = Rng.uniform(Rng.key(seed), steps * size)
  let terminated = 0
  let truncated = 0
  let nonFinite = 0
  let wrongLength = 0
  const action = new Float64Array(size)
  env.reset({ seed })
  for (let t = 0; t < steps; t++) {
    for (let j = 0; j < size; j++) {
      action[j] = (low[j] ?? 0) + (draws[t * size + j] ?? 0) * ((high[j] ?? 0) - (low[j] ?? 0))
    }
    const result = env.step(action)
    if (result.observation.length !== Box.size(env.observationSpace)) wrongLength++
    if (!Number.isFinite(result.reward) || !result.observation.every(Number.isFinite)) nonFinite++
    if (result.terminated) terminated++
    else if (result.truncated) truncated++
    if (result.terminated || result.truncated) env.reset()
  }
  env.close()
  return { terminated, truncated, nonFinite, wrongLength }
}
