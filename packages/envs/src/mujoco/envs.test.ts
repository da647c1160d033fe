import { ConfigError } from '@polyak/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { envSpec, makeEnv, registeredEnvIds } from '../registry.js'
import { makeAnt } from './Ant.js'
import { makeHalfCheetah } from './HalfCheetah.js'
import { makeHopper } from './Hopper.js'
import { makeInvertedDoublePendulum } from './InvertedDoublePendulum.js'
import { makeInvertedPendulum } from './InvertedPendulum.js'
import type { MujocoEnv } from './MujocoEnv.js'
import { makeReacher } from './Reacher.js'
import { loadMujoco } from './runtime.js'
import { makeWalker2d } from './Walker2d.js'

interface Case {
  readonly id: string
  readonly make: () => MujocoEnv
  readonly observation: number
  readonly action: readonly [number, number, number]
  readonly dt: number
  readonly maxEpisodeSteps: number
  readonly rewardThreshold: number | undefined
  /** Per-step reward bounds the registry records, where the env guarantees them. */
  readonly rewardRange?: readonly [number, number]
  /** Half-width of the uniform qpos noise; of the uniform qvel noise, or the std of the normal one. */
  readonly qposNoise: number
  readonly qvelNoise: number
  readonly qvelNoiseKind: 'uniform' | 'normal'
  readonly resetInfoKeys: readonly string[]
}

// Observation and action sizes, dt and specs of Gymnasium's v5 envs with their default arguments (Ant-v5 includes the
// contact forces by default: 13 + 14 + 13 · 6 = 105).
const CASES: readonly Case[] = [
  {
    id: 'InvertedPendulum-v5',
    make: () => makeInvertedPendulum(),
    observation: 4,
    action: [1, -3, 3],
    dt: 0.04,
    maxEpisodeSteps: 1000,
    rewardThreshold: 950,
    rewardRange: [0, 1],
    qposNoise: 0.01,
    qvelNoise: 0.01,
    qvelNoiseKind: 'uniform',
    resetInfoKeys: [],
  },
  {
    id: 'InvertedDoublePendulum-v5',
    make: () => makeInvertedDoublePendulum(),
    observation: 9,
    action: [1, -1, 1],
    dt: 0.05,
    maxEpisodeSteps: 1000,
    rewardThreshold: 9100,
    qposNoise: 0.1,
    qvelNoise: 0.1,
    qvelNoiseKind: 'normal',
    resetInfoKeys: [],
  },
  {
    id: 'Reacher-v5',
    make: () => makeReacher(),
    observation: 10,
    action: [2, -1, 1],
    dt: 0.02,
    maxEpisodeSteps: 50,
    rewardThreshold: -3.75,
    qposNoise: 0.1,
    qvelNoise: 0.005,
    qvelNoiseKind: 'uniform',
    resetInfoKeys: [],
  },
  {
    id: 'HalfCheetah-v5',
    make: () => makeHalfCheetah(),
    observation: 17,
    action: [6, -1, 1],
    dt: 0.05,
    maxEpisodeSteps: 1000,
    rewardThreshold: 4800,
    qposNoise: 0.1,
    qvelNoise: 0.1,
    qvelNoiseKind: 'normal',
    resetInfoKeys: ['x_position'],
  },
  {
    id: 'Hopper-v5',
    make: () => makeHopper(),
    observation: 11,
    action: [3, -1, 1],
    dt: 0.008,
    maxEpisodeSteps: 1000,
    rewardThreshold: 3800,
    qposNoise: 0.005,
    qvelNoise: 0.005,
    qvelNoiseKind: 'uniform',
    resetInfoKeys: ['x_position', 'z_distance_from_origin'],
  },
  {
    id: 'Walker2d-v5',
    make: () => makeWalker2d(),
    observation: 17,
    action: [6, -1, 1],
    dt: 0.008,
    maxEpisodeSteps: 1000,
    rewardThreshold: undefined,
    qposNoise: 0.005,
    qvelNoise: 0.005,
    qvelNoiseKind: 'uniform',
    resetInfoKeys: ['x_position', 'z_distance_from_origin'],
  },
  {
    id: 'Ant-v5',
    make: () => makeAnt(),
    observation: 105,
    action: [8, -1, 1],
    dt: 0.05,
    maxEpisodeSteps: 1000,
    rewardThreshold: 6000,
    qposNoise: 0.1,
    qvelNoise: 0.1,
    qvelNoiseKind: 'normal',
    resetInfoKeys: ['x_position', 'y_position', 'distance_from_origin'],
  },
]

/** A fixed open-loop action: a_t[j] = high_j · sin(0.7·t + j). */
const scripted = (env: MujocoEnv, t: number): number[] =>
  env.actionSpace.high.map((high, j) => high * Math.sin(0.7 * t + j))

beforeAll(async () => {
  await loadMujoco()
})

describe.each(CASES)('$id', (c) => {
  it('has Gymnasium v5 observation and action sizes, action bounds and dt', () => {
    const env = c.make()
    expect(env.observationSpace.shape).toEqual([c.observation])
    expect(env.observationSpace.low.every((low) => low === Number.NEGATIVE_INFINITY)).toBe(true)
    expect(env.actionSpace.shape).toEqual([c.action[0]])
    expect(env.actionSpace.low.every((low) => low === c.action[1])).toBe(true)
    expect(env.actionSpace.high.every((high) => high === c.action[2])).toBe(true)
    expect(env.dt).toBeCloseTo(c.dt, 12)
    const { observation, info } = env.reset({ seed: 0 })
    expect(observation).toBeInstanceOf(Float32Array)
    expect(observation.length).toBe(c.observation)
    expect(Object.keys(info).sort()).toEqual([...c.resetInfoKeys].sort())
    expect(env.step(scripted(env, 0)).observation.length).toBe(c.observation)
    env.close()
  })

  it('is registered with Gymnasium’s step limit and reward threshold; makeEnv applies the limit', () => {
    expect(registeredEnvIds()).toContain(c.id)
    const range = c.rewardRange === undefined ? {} : { rewardRange: c.rewardRange }
    expect(envSpec(c.id)).toEqual({
      id: c.id,
      maxEpisodeSteps: c.maxEpisodeSteps,
      rewardThreshold: c.rewardThreshold,
      ...range,
    })
    const env = makeEnv(c.id, { maxEpisodeSteps: 3 })
    expect(env.spec).toEqual({ id: c.id, maxEpisodeSteps: 3, rewardThreshold: c.rewardThreshold, ...range })
    env.reset({ seed: 1 })
    const results = [0, 1, 2].map(() => env.step(new Float32Array(c.action[0])))
    expect(results.map((r) => [r.terminated, r.truncated])).toEqual([
      [false, false],
      [false, false],
      [false, true],
    ])
    env.close()
  })

  it('is deterministic per seed; an unseeded reset continues the key stream', () => {
    const run = (seeds: readonly (number | undefined)[]) => {
      const env = c.make()
      const out: number[][] = []
      for (const seed of seeds) {
        out.push(Array.from(env.reset(seed === undefined ? {} : { seed }).observation))
        for (let t = 0; t < 5; t++) {
          const { observation, reward } = env.step(scripted(env, t))
          out.push([...observation, reward])
        }
      }
      env.close()
      return out
    }
    const a = run([7, undefined])
    expect(run([7, undefined])).toEqual(a)
    const b = run([8, undefined])
    expect(b[0]).not.toEqual(a[0])
    expect(a[6]).not.toEqual(a[0]) // the second, unseeded reset draws a new state
  })

  it('draws reset noise within the v5 bounds (and at their scale)', () => {
    const env = c.make()
    const qpos0 = env.simulation.qpos0
    let maxQpos = 0
    let maxQvel = 0
    let sumSquares = 0
    let count = 0
    env.reset({ seed: 123 })
    for (let i = 0; i < 200; i++) {
      env.reset()
      const { qpos, qvel } = env.state()
      const armJoints = c.id === 'Reacher-v5' ? 2 : qpos.length
      for (let j = 0; j < armJoints; j++) maxQpos = Math.max(maxQpos, Math.abs((qpos[j] ?? 0) - (qpos0[j] ?? 0)))
      const armVelocities = c.id === 'Reacher-v5' ? 2 : qvel.length
      for (let j = 0; j < armVelocities; j++) {
        maxQvel = Math.max(maxQvel, Math.abs(qvel[j] ?? 0))
        sumSquares += (qvel[j] ?? 0) ** 2
        count++
      }
      if (c.id === 'Reacher-v5') {
        expect(Math.hypot(qpos[2] ?? 0, qpos[3] ?? 0)).toBeLessThan(0.2) // the target, in the disc of radius 0.2
        expect([qvel[2], qvel[3]]).toEqual([0, 0])
      }
    }
    expect(maxQpos).toBeLessThanOrEqual(c.qposNoise)
    expect(maxQpos).toBeGreaterThan(0.9 * c.qposNoise)
    if (c.qvelNoiseKind === 'uniform') {
      expect(maxQvel).toBeLessThanOrEqual(c.qvelNoise)
      expect(maxQvel).toBeGreaterThan(0.9 * c.qvelNoise)
    } else {
      const std = Math.sqrt(sumSquares / count)
      expect(std).toBeGreaterThan(0.9 * c.qvelNoise)
      expect(std).toBeLessThan(1.1 * c.qvelNoise)
      expect(maxQvel).toBeGreaterThan(2 * c.qvelNoise) // normal, not bounded by the scale
    }
    env.close()
  })
})

describe('options', () => {
  it('resetNoiseScale 0 starts exactly at the model’s qpos0 with zero velocity', () => {
    const env = makeHopper({ resetNoiseScale: 0 })
    env.reset({ seed: 5 })
    expect(Array.from(env.state().qpos)).toEqual([0, 1.25, 0, 0, 0, 0])
    expect(Array.from(env.state().qvel)).toEqual([0, 0, 0, 0, 0, 0])
    env.close()
  })

  it('changes the observation layout as Gymnasium’s arguments do', () => {
    expect(makeHalfCheetah({ excludeCurrentPositionsFromObservation: false }).observationSpace.shape).toEqual([18])
    expect(makeHopper({ excludeCurrentPositionsFromObservation: false }).observationSpace.shape).toEqual([12])
    expect(makeAnt({ includeCfrcExtInObservation: false }).observationSpace.shape).toEqual([27])
    expect(makeAnt({ excludeCurrentPositionsFromObservation: false }).observationSpace.shape).toEqual([107])
    const skipped = makeHalfCheetah({ frameSkip: 1 })
    expect(skipped.dt).toBeCloseTo(0.01, 12)
  })

  it('rejects bad options with errors naming the field', () => {
    expect(() => makeEnv('Hopper-v5', { healthyZRange: [1, 0] })).toThrow(ConfigError)
    expect(() => makeEnv('Hopper-v5', { healthyZRange: [1, 0] })).toThrow(/healthyZRange/)
    expect(() => makeEnv('Ant-v5', { ctrlCostWeigth: 1 })).toThrow(/did you mean 'ctrlCostWeight'/)
    expect(() => makeEnv('Reacher-v5', { resetNoiseScale: 0.1 })).toThrow(/resetNoiseScale: unknown key/)
    expect(() => makeAnt({ mainBody: 'tail' })).toThrow(/mainBody "tail" is not a body/)
    const env = makeInvertedPendulum()
    expect(() => env.reset({ options: { noise: 1 } })).toThrow(/noise/)
    expect(() => env.reset({ seed: 1.5 })).toThrow(/seed must be a safe integer/)
    env.reset({ seed: 0 })
    expect(() => env.step([Number.NaN])).toThrow(/InvertedPendulum-v5: invalid action/)
    expect(() => env.step([0, 0])).toThrow(/expected 1 value/)
    env.close()
  })
})
