/**
 * Test helpers the env tests share (LunarLander, BipedalWalker): rollouts from a seeded reset under a policy,
 * constant and seeded random policies, and spies on planck's body creation for leak checks. Test code only: not part
 * of the build.
 */
import { Rng } from '@polyak/core'
import { World } from 'planck'
import { vi } from 'vitest'
import type { Env } from '../Env.js'

/** The observations (the reset's first), rewards and termination flags of a rollout. */
export interface Trajectory {
  readonly observations: Float32Array[]
  readonly rewards: number[]
  readonly terminated: boolean[]
}

/**
 * Runs `steps` steps from `reset({ seed })` with `policy(t, observation)`, stopping at termination when asked.
 * `afterEach`, when given, runs after the reset and after every step (to record more of the env's state).
 */
export const rollout = (
  env: Env,
  seed: number,
  steps: number,
  policy: (t: number, observation: Float32Array) => ArrayLike<number>,
  stopAtTermination = true,
  afterEach?: () => void,
): Trajectory => {
  let observation = env.reset({ seed }).observation
  const trajectory: Trajectory = { observations: [observation], rewards: [], terminated: [] }
  afterEach?.()
  for (let t = 0; t < steps; t++) {
    const result = env.step(policy(t, observation))
    observation = result.observation
    trajectory.observations.push(observation)
    afterEach?.()
    trajectory.rewards.push(result.reward)
    trajectory.terminated.push(result.terminated)
    if (stopAtTermination && result.terminated) break
  }
  return trajectory
}

/** The policy that always takes `action`. */
export const constant = (action: readonly number[]) => (): readonly number[] => action

/** Uniform random actions in [−1, 1]^size from a key, one per step. */
export const randomPolicy = (key: Rng.Key, steps: number, size: number) => {
  const values = Rng.uniform(key, size * steps, -1, 1)
  return (t: number): Float64Array => values.subarray(size * t, size * t + size)
}

/** Spies on `World.prototype.createBody` and `destroyBody`; restore both with `mockRestore()` when done. */
export const spyOnPlanckBodies = () => ({
  created: vi.spyOn(World.prototype, 'createBody'),
  destroyed: vi.spyOn(World.prototype, 'destroyBody'),
})
