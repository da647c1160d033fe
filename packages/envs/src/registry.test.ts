import { Box, ConfigError, Rng } from '@polyak/core'
import { describe, expect, it } from 'vitest'
import type { Env } from './Env.js'
import { makePendulum } from './Pendulum.js'
import { envSpec, makeEnv, prepareEnv, registerEnv, registeredEnvIds } from './registry.js'

/** Runs `steps` uniformly random actions, resetting at episode ends; returns counts and the reward range. */
const randomRun = (env: Env, steps: number, seed: number) => {
  const size = Box.size(env.actionSpace)
  const actions = Rng.uniformF32(Rng.key(seed), steps * size, 0, 1)
  let episodes = 0
  let minReward = Number.POSITIVE_INFINITY
  let maxReward = Number.NEGATIVE_INFINITY
  let outside = 0
  env.reset({ seed })
  for (let t = 0; t < steps; t++) {
    const action = actions.subarray(t * size, (t + 1) * size).map((u, i) => {
      const low = env.actionSpace.low[i] ?? 0
      return low + u * ((env.actionSpace.high[i] ?? 0) - low)
    })
    const result = env.step(action)
    minReward = Math.min(minReward, result.reward)
    maxReward = Math.max(maxReward, result.reward)
    if (!Box.contains(env.observationSpace, result.observation)) outside++
    if (result.terminated || result.truncated) {
      episodes++
      env.reset()
    }
  }
  return { episodes, minReward, maxReward, outside }
}

describe('registry', () => {
  it('knows Pendulum-v1 and MountainCarContinuous-v0 with Gymnasium specs', () => {
    expect(registeredEnvIds()).toEqual(expect.arrayContaining(['MountainCarContinuous-v0', 'Pendulum-v1']))
    expect(envSpec('Pendulum-v1')).toEqual({
      id: 'Pendulum-v1',
      maxEpisodeSteps: 200,
      rewardThreshold: undefined,
      rewardRange: [-16.2736044, 0],
    })
    expect(envSpec('MountainCarContinuous-v0')).toEqual({
      id: 'MountainCarContinuous-v0',
      maxEpisodeSteps: 999,
      rewardThreshold: 90,
    })
    expect(makeEnv('MountainCarContinuous-v0').spec).toEqual(envSpec('MountainCarContinuous-v0'))
    expect(envSpec('LunarLanderContinuous-v3')).toEqual({
      id: 'LunarLanderContinuous-v3',
      maxEpisodeSteps: 1000,
      rewardThreshold: 200,
    })
    expect(() => makeEnv('LunarLanderContinuous-v3', { gravity: -20 })).toThrow(/gravity/)
    expect(envSpec('BipedalWalker-v3')).toEqual({ id: 'BipedalWalker-v3', maxEpisodeSteps: 1600, rewardThreshold: 300 })
    expect(envSpec('BipedalWalkerHardcore-v3')).toEqual({
      id: 'BipedalWalkerHardcore-v3',
      maxEpisodeSteps: 2000,
      rewardThreshold: 300,
    })
    expect(() => makeEnv('BipedalWalker-v3', { hardcore: 'yes' })).toThrow(/hardcore/)
    expect(() => makeEnv('BipedalWalkerHardcore-v3', { hardcore: false })).toThrow(/hardcore: unknown key/)
  })

  it('applies the time limit: Pendulum truncates at 200 steps, MountainCar at 999', () => {
    for (const [id, limit] of [
      ['Pendulum-v1', 200],
      ['MountainCarContinuous-v0', 999],
    ] as const) {
      const env = makeEnv(id)
      env.reset({ seed: 0 })
      let t = 0
      let result = env.step([0])
      for (t = 1; !result.truncated && !result.terminated; t++) result = env.step([0])
      expect([t, result.truncated, result.terminated]).toEqual([limit, true, false])
    }
  })

  it('takes maxEpisodeSteps and env options, and passes env options to the factory', () => {
    const short = makeEnv('Pendulum-v1', { maxEpisodeSteps: 3, g: 0 })
    expect(short.spec?.maxEpisodeSteps).toBe(3)
    short.reset({ seed: 0, options: { x_init: 1, y_init: 0 } })
    const steps = [short.step([0]), short.step([0]), short.step([0])]
    expect(steps.map((s) => s.truncated)).toEqual([false, false, true])
    expect(steps[0]?.observation[2]).toBe(0) // no gravity, no torque: θ̇ stays 0
  })

  it('gives readable errors: unknown id lists the known ids, bad options name the field', () => {
    expect(() => makeEnv('Pendulum-v0')).toThrow(
      /Unknown env id 'Pendulum-v0'; registered ids: .*MountainCarContinuous-v0, Pendulum-v1/,
    )
    expect(() => makeEnv('Pendulum-v1', { gg: 9.8 })).toThrow(
      new ConfigError(
        ["gg: unknown key (expected one of: g, maxEpisodeSteps); did you mean 'g'?"],
        'options of Pendulum-v1',
      ),
    )
    expect(() => makeEnv('Pendulum-v1', { g: 'strong' })).toThrow('g: expected a finite number, got "strong"')
    expect(() => makeEnv('MountainCarContinuous-v0', { maxEpisodeSteps: -1 })).toThrow(
      'maxEpisodeSteps: expected an integer > 0, got -1',
    )
  })

  it('registers new envs, with or without options, and refuses a duplicate id', () => {
    registerEnv('Pendulum-moon-test-v1', () => makePendulum({ g: 1.62 }), {
      maxEpisodeSteps: 10,
      rewardThreshold: -100,
    })
    const moon = makeEnv('Pendulum-moon-test-v1')
    expect(moon.spec).toEqual({ id: 'Pendulum-moon-test-v1', maxEpisodeSteps: 10, rewardThreshold: -100 })
    expect(moon.id).toBe('Pendulum-moon-test-v1')
    expect(() => makeEnv('Pendulum-moon-test-v1', { g: 1 })).toThrow(
      'g: unknown key (expected one of: maxEpisodeSteps)',
    )
    registerEnv('Unlimited-test-v0', () => makePendulum())
    expect(makeEnv('Unlimited-test-v0').spec?.maxEpisodeSteps).toBeUndefined()
    expect(makeEnv('Unlimited-test-v0', { maxEpisodeSteps: 2 }).spec?.maxEpisodeSteps).toBe(2)
    expect(() => registerEnv('Pendulum-v1', () => makePendulum())).toThrow(
      "registerEnv: 'Pendulum-v1' is already registered",
    )
    expect(() => registerEnv('', () => makePendulum())).toThrow('the id must be a non-empty string')
    expect(() => registerEnv('Bad-test-v0', () => makePendulum(), { maxEpisodeSteps: 0 })).toThrow(
      'Invalid maxEpisodeSteps of Bad-test-v0',
    )
    expect(() => registerEnv('Bad-range-test-v0', () => makePendulum(), { rewardRange: [1, 0] })).toThrow(
      /rewardRange: expected min <= max, got \[1,0\]/,
    )
    expect(() =>
      registerEnv('Bad-range-test-v1', () => makePendulum(), { rewardRange: [0, Number.NaN] as never }),
    ).toThrow(/rewardRange of Bad-range-test-v1/)
    registerEnv('Ranged-test-v0', () => makePendulum(), { rewardRange: [-1, 2] })
    expect(envSpec('Ranged-test-v0').rewardRange).toEqual([-1, 2])
    expect(envSpec('Unlimited-test-v0')).not.toHaveProperty('rewardRange')
  })

  it('a random policy runs 10 000 steps in each env without error, within the spaces and reward bounds', () => {
    const pendulum = randomRun(makeEnv('Pendulum-v1'), 10_000, 1)
    expect(pendulum.episodes).toBe(50)
    expect(pendulum.outside).toBe(0)
    // within the bounds the registry records for agents (D4PG's support)
    const [low, high] = envSpec('Pendulum-v1').rewardRange ?? [Number.NaN, Number.NaN]
    expect(pendulum.minReward).toBeGreaterThanOrEqual(low)
    expect(pendulum.maxReward).toBeLessThanOrEqual(high)
    expect(pendulum.minReward).toBeLessThan(-10) // a random policy meets large costs: the bound is not loose by far
    const car = randomRun(makeEnv('MountainCarContinuous-v0'), 10_000, 2)
    expect(car.episodes).toBeGreaterThanOrEqual(10)
    expect(car.outside).toBe(0)
    expect(car.minReward).toBeGreaterThanOrEqual(-0.1)
    expect(car.maxReward).toBeLessThanOrEqual(100)
    const lander = randomRun(makeEnv('LunarLanderContinuous-v3'), 10_000, 3)
    expect(lander.episodes).toBeGreaterThanOrEqual(10) // random landers crash within a few hundred steps
    expect(lander.minReward).toBeGreaterThanOrEqual(-100 - 1e-9)
    expect(lander.outside).toBe(0)
    // Gymnasium's declared bounds (±π angles, ±5 speeds, contacts in [0, 5], lidar in [−1, 1]) are not strict: the
    // hull angle is not wrapped and passes ±π when a walker flips over before its hull lands (about 1 step in 30k)
    for (const [id, seed] of [
      ['BipedalWalker-v3', 4],
      ['BipedalWalkerHardcore-v3', 5],
    ] as const) {
      const walker = randomRun(makeEnv(id), 10_000, seed)
      expect(walker.episodes).toBeGreaterThanOrEqual(5) // random walkers fall or stall until the time limit
      expect(walker.minReward).toBeGreaterThanOrEqual(-100)
      expect(walker.maxReward).toBeLessThan(10)
      expect(walker.outside).toBeLessThanOrEqual(5)
    }
  })

  it('prepareEnv loads what an env needs: MuJoCo ids can be made afterwards; others need nothing', async () => {
    expect(() => makeEnv('Hopper-v5')).toThrow(/loadMujoco/)
    await prepareEnv('Pendulum-v1')
    await prepareEnv('Hopper-v5')
    const env = makeEnv('Hopper-v5')
    expect(env.reset({ seed: 0 }).observation).toHaveLength(11)
    env.close()
    await expect(prepareEnv('Nope-v0')).rejects.toThrow(/Unknown env id 'Nope-v0'/)
  })
})
