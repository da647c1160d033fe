import { beforeAll, describe, expect, it } from 'vitest'
import type { StepResult } from '../Env.js'
import { makeAnt } from './Ant.js'
import { makeHalfCheetah } from './HalfCheetah.js'
import { makeHopper } from './Hopper.js'
import { makeInvertedDoublePendulum } from './InvertedDoublePendulum.js'
import { makeInvertedPendulum } from './InvertedPendulum.js'
import { makeReacher } from './Reacher.js'
import { loadMujoco } from './runtime.js'
import { makeWalker2d } from './Walker2d.js'

const info = (result: StepResult, key: string): number => {
  const value = result.info[key]
  if (typeof value !== 'number') throw new Error(`info.${key} is not a number: ${String(value)}`)
  return value
}

const sumOfSquares = (values: readonly number[]): number => values.reduce((sum, v) => sum + v * v, 0)

beforeAll(async () => {
  await loadMujoco()
})

describe('HalfCheetah-v5 rewards', () => {
  it('zero action: no control cost, reward = reward_forward = Δx/dt', () => {
    const env = makeHalfCheetah()
    env.reset({ seed: 0 })
    for (let t = 0; t < 20; t++) {
      const x0 = env.state().qpos[0] ?? 0
      const result = env.step([0, 0, 0, 0, 0, 0])
      const x1 = env.state().qpos[0] ?? 0
      expect(info(result, 'reward_ctrl')).toBe(-0)
      expect(result.reward).toBe(info(result, 'reward_forward'))
      expect(info(result, 'x_velocity')).toBeCloseTo((x1 - x0) / 0.05, 12)
      expect(result.reward).toBeCloseTo((x1 - x0) / 0.05, 12)
      expect(info(result, 'x_position')).toBe(x1)
      expect(result.terminated).toBe(false)
    }
    env.close()
  })

  it('constant action: reward_ctrl = −0.1·Σa² (of the unclipped action), reward = forward + ctrl', () => {
    const env = makeHalfCheetah()
    env.reset({ seed: 1 })
    for (const action of [
      [0.5, -0.3, 1, -1, 0.2, 0.9],
      [2, 2, -2, 0, 0, 0], // beyond the bounds: MuJoCo clamps the control, the cost sees 2
    ]) {
      const result = env.step(action)
      expect(info(result, 'reward_ctrl')).toBeCloseTo(-0.1 * sumOfSquares(action), 14)
      expect(result.reward).toBeCloseTo(info(result, 'reward_forward') + info(result, 'reward_ctrl'), 12)
    }
    // weights are options
    const weighted = makeHalfCheetah({ ctrlCostWeight: 1, forwardRewardWeight: 0 })
    weighted.reset({ seed: 1 })
    expect(weighted.step([1, 1, 1, 1, 1, 1]).reward).toBeCloseTo(-6, 12)
    env.close()
    weighted.close()
  })
})

describe('Hopper-v5 termination and healthy reward', () => {
  it('pays the healthy reward while healthy: reward = Δx/dt + 1 − 0.001·Σa²', () => {
    const env = makeHopper()
    env.reset({ seed: 0 })
    const action = [0.1, -0.2, 0.3]
    for (let t = 0; t < 10; t++) {
      const result = env.step(action)
      expect(result.terminated).toBe(false)
      expect(info(result, 'reward_survive')).toBe(1)
      expect(info(result, 'reward_ctrl')).toBeCloseTo(-1e-3 * sumOfSquares(action), 15)
      expect(result.reward).toBeCloseTo(info(result, 'reward_forward') + 1 + info(result, 'reward_ctrl'), 12)
    }
    env.close()
  })

  it('a scripted action makes it fall: the terminal step is unhealthy and pays no healthy reward (v5)', () => {
    const env = makeHopper()
    env.reset({ seed: 0 })
    const steps: StepResult[] = []
    for (let t = 0; t < 500 && !steps.at(-1)?.terminated; t++) steps.push(env.step([1, -1, 1]))
    const last = steps.at(-1) as StepResult
    expect(last.terminated).toBe(true)
    expect(steps.length).toBeGreaterThan(5)
    const [, z = 0, angle = 0] = env.state().qpos
    expect(z <= 0.7 || Math.abs(angle) >= 0.2).toBe(true)
    expect(info(last, 'reward_survive')).toBe(0)
    expect(last.reward).toBeCloseTo(info(last, 'reward_forward') + info(last, 'reward_ctrl'), 12)
    expect(steps.slice(0, -1).every((s) => info(s, 'reward_survive') === 1 && !s.terminated)).toBe(true)
    env.close()
  })

  it('terminates when z ≤ 0.7, |angle| ≥ 0.2 or a state value leaves (−100, 100); not when told not to', () => {
    const env = makeHopper()
    env.reset({ seed: 0 })
    const still = [0, 0, 0, 0, 0, 0]
    const cases: readonly (readonly [readonly number[], readonly number[], boolean])[] = [
      [[0, 1.25, 0, 0, 0, 0], still, false],
      [[0, 1.25, 0.15, 0, 0, 0], still, false],
      [[0, 0.6, 0, 0, 0, 0], still, true], // too low
      [[0, 1.25, 0.3, 0, 0, 0], still, true], // tilted
      [[0, 1.25, -0.3, 0, 0, 0], still, true],
      [[0, 1.25, 0, 0, 0, 0], [150, 0, 0, 0, 0, 0], true], // x velocity out of the healthy state range
    ]
    for (const [qpos, qvel, unhealthy] of cases) {
      const observation = env.setState(qpos, qvel)
      expect(observation[5]).toBe(Math.min(10, qvel[0] ?? 0)) // velocities are clipped to ±10
      const result = env.step([0, 0, 0])
      expect(result.terminated, JSON.stringify(qpos)).toBe(unhealthy)
      expect(info(result, 'reward_survive')).toBe(unhealthy ? 0 : 1)
      expect(info(result, 'z_distance_from_origin')).toBeCloseTo((env.state().qpos[1] ?? 0) - 1.25, 12)
    }
    const lenient = makeHopper({ terminateWhenUnhealthy: false })
    lenient.setState([0, 0.6, 0, 0, 0, 0], still)
    const result = lenient.step([0, 0, 0])
    expect([result.terminated, info(result, 'reward_survive')]).toEqual([false, 0])
    env.close()
    lenient.close()
  })
})

describe('Walker2d-v5 termination', () => {
  it('terminates outside z ∈ (0.8, 2) or angle ∈ (−1, 1), with no healthy reward on that step', () => {
    const env = makeWalker2d()
    const zeros = new Array<number>(9).fill(0)
    const upright = [0, 1.25, 0, 0, 0, 0, 0, 0, 0]
    for (const [qpos, unhealthy] of [
      [upright, false],
      [[0, 1.25, 0.9, 0, 0, 0, 0, 0, 0], false],
      [[0, 0.7, 0, 0, 0, 0, 0, 0, 0], true],
      [[0, 2.1, 0, 0, 0, 0, 0, 0, 0], true],
      [[0, 1.25, 1.1, 0, 0, 0, 0, 0, 0], true],
    ] as const) {
      env.setState(qpos, zeros)
      const result = env.step([0, 0, 0, 0, 0, 0])
      expect(result.terminated, JSON.stringify(qpos)).toBe(unhealthy)
      expect(info(result, 'reward_survive')).toBe(unhealthy ? 0 : 1)
      expect(result.reward).toBeCloseTo(
        info(result, 'reward_forward') + info(result, 'reward_survive') + info(result, 'reward_ctrl'),
        12,
      )
    }
    env.close()
  })
})

describe('InvertedPendulum-v5 termination', () => {
  it('pays 1 per step while |angle| ≤ 0.2 and 0 on the terminal step', () => {
    const env = makeInvertedPendulum()
    env.reset({ seed: 3 })
    const steps: StepResult[] = []
    for (let t = 0; t < 1000 && !steps.at(-1)?.terminated; t++) steps.push(env.step([0.2]))
    const last = steps.at(-1) as StepResult
    expect(last.terminated).toBe(true)
    expect(Math.abs(last.observation[1] ?? 0)).toBeGreaterThan(0.2)
    expect([last.reward, info(last, 'reward_survive')]).toEqual([0, 0])
    for (const step of steps.slice(0, -1)) {
      expect([step.reward, step.terminated, info(step, 'reward_survive')]).toEqual([1, false, 1])
      expect(Math.abs(step.observation[1] ?? 0)).toBeLessThanOrEqual(0.2)
    }
    // from a state set by hand
    env.setState([0, 0.25], [0, 0])
    expect([env.step([0]).terminated, env.step([0]).reward]).toEqual([true, 0])
    env.setState([0, 0], [0, 0])
    expect(env.step([0])).toMatchObject({ reward: 1, terminated: false })
    env.close()
  })
})

describe('InvertedDoublePendulum-v5 rewards', () => {
  it('reward = 10 (unless terminated) − distance penalty − velocity penalty; terminated when the tip is ≤ 1 high', () => {
    const env = makeInvertedDoublePendulum()
    env.setState([0, 0, 0], [0, 0, 0])
    const upright = env.step([0])
    expect(upright.terminated).toBe(false)
    expect(info(upright, 'reward_survive')).toBe(10)
    // the tip at (0, 1.2): distance penalty (1.2 − 2)² = 0.64 (the poles stay up for one step)
    expect(info(upright, 'distance_penalty')).toBeCloseTo(-0.64, 6)
    expect(upright.reward).toBeCloseTo(10 + info(upright, 'distance_penalty') + info(upright, 'velocity_penalty'), 12)
    // both poles tilted by 0.6 rad: the tip at height 1.2·cos 0.6 ≈ 0.99
    env.setState([0, 0.6, 0], [0, 0, 0])
    const fallen = env.step([0])
    expect(fallen.terminated).toBe(true)
    expect(info(fallen, 'reward_survive')).toBe(0)
    expect(fallen.reward).toBeCloseTo(info(fallen, 'distance_penalty') + info(fallen, 'velocity_penalty'), 12)
    const penalised = env.setState([0, 0, 0], [0, 2, -3])
    expect(penalised.length).toBe(9)
    expect(info(env.step([0]), 'velocity_penalty')).toBeLessThan(-1e-3 * 4 * 0.5)
    env.close()
  })
})

describe('Reacher-v5 rewards', () => {
  it('reward = −‖fingertip − target‖ after the step − Σa²', () => {
    const env = makeReacher()
    env.reset({ seed: 0 })
    for (let t = 0; t < 50; t++) {
      const action = [Math.sin(t), Math.cos(1.3 * t)]
      const result = env.step(action)
      expect(result.terminated).toBe(false)
      expect(info(result, 'reward_ctrl')).toBeCloseTo(-sumOfSquares(action), 14)
      const distance = Math.hypot(result.observation[8] ?? 0, result.observation[9] ?? 0)
      expect(info(result, 'reward_dist')).toBeCloseTo(-distance, 6) // the observation is float32
      expect(result.reward).toBeCloseTo(info(result, 'reward_dist') + info(result, 'reward_ctrl'), 12)
    }
    env.close()
  })
})

describe('Ant-v5 rewards and termination', () => {
  it('reward = forward + healthy − 0.5·Σa² − 5e-4·Σ clip(cfrc_ext, ±1)²', () => {
    const env = makeAnt()
    env.reset({ seed: 0 })
    let contactSeen = false
    for (let t = 0; t < 30; t++) {
      const action = [0.5, -0.5, 0.3, 0.1, -1, 1, 0, 0.2].map((a, j) => a * Math.cos(0.3 * t + j))
      const result = env.step(action)
      expect(info(result, 'reward_ctrl')).toBeCloseTo(-0.5 * sumOfSquares(action), 14)
      expect(info(result, 'reward_forward')).toBe(info(result, 'x_velocity'))
      const forces = Array.from(result.observation.subarray(27))
      expect(info(result, 'reward_contact')).toBeCloseTo(-5e-4 * sumOfSquares(forces), 6)
      contactSeen ||= info(result, 'reward_contact') < 0
      expect(result.reward).toBeCloseTo(
        info(result, 'reward_forward') +
          info(result, 'reward_survive') +
          info(result, 'reward_ctrl') +
          info(result, 'reward_contact'),
        12,
      )
    }
    expect(contactSeen).toBe(true)
    env.close()
  })

  it('terminates when the torso height leaves [0.2, 1] (or the given healthyZRange)', () => {
    const check = (env: ReturnType<typeof makeAnt>, z: number, unhealthy: boolean) => {
      env.reset({ seed: 0 })
      const { qpos, qvel } = env.state()
      qpos[2] = z
      env.setState(qpos, qvel.fill(0))
      const result = env.step(new Array<number>(8).fill(0))
      expect(result.terminated, `z = ${z}`).toBe(unhealthy)
      expect(info(result, 'reward_survive')).toBe(unhealthy ? 0 : 1)
    }
    const env = makeAnt()
    check(env, 0.75, false)
    check(env, 1.1, true) // above 1
    // (below 0.2 the torso would sink into the floor, which pushes it back up; a higher lower bound shows the rule)
    const strict = makeAnt({ healthyZRange: [0.8, 1] })
    check(strict, 0.75, true)
    check(strict, 0.9, false)
    env.close()
    strict.close()
  })
})
