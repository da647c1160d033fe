import { describe, expect, it } from 'vitest'
import { makePendulum } from './Pendulum.js'
import { recordEpisodeStatistics } from './recordEpisodeStatistics.js'
import { makeEnv } from './registry.js'
import { makeFakeContinuousEnv } from './test/makeFakeContinuousEnv.js'
import { makeVectorEnv } from './VectorEnv.js'

describe('makeVectorEnv', () => {
  it('resets copy i with seed + i, exactly as a single env seeded so', () => {
    const vectorEnv = makeVectorEnv(() => makePendulum(), 3)
    const { observations, infos } = vectorEnv.reset({ seed: 10 })
    expect(observations).toEqual([10, 11, 12].map((seed) => makePendulum().reset({ seed }).observation))
    expect(infos).toEqual([{}, {}, {}])
    expect(vectorEnv.numEnvs).toBe(3)
    expect(vectorEnv.id).toBe('Pendulum-v1 ×3')
  })

  it('a first reset without a seed uses 0 + i, so copies never start alike', () => {
    const { observations } = makeVectorEnv(() => makePendulum(), 2).reset()
    expect(observations).toEqual([0, 1].map((seed) => makePendulum().reset({ seed }).observation))
  })

  it('steps every copy with its own action, flat or one array per copy', () => {
    const nested = makeVectorEnv(() => makePendulum(), 2)
    const flat = makeVectorEnv(() => makePendulum(), 2)
    const singles = [makePendulum(), makePendulum()]
    nested.reset({ seed: 4 })
    flat.reset({ seed: 4 })
    singles.forEach((env, i) => {
      env.reset({ seed: 4 + i })
    })
    const a = nested.step([Float32Array.of(0.5), Float32Array.of(-1.5)])
    const b = flat.step(Float32Array.of(0.5, -1.5))
    expect(a).toEqual(b)
    const expected = [singles[0]?.step(Float32Array.of(0.5)), singles[1]?.step(Float32Array.of(-1.5))]
    expect(a.observations).toEqual(expected.map((r) => r?.observation))
    expect(a.rewards).toEqual(expected.map((r) => r?.reward))
    expect(a.terminated).toEqual([false, false])
    expect(a.truncated).toEqual([false, false])
    // a flat number[] is float64, like one number[] per copy
    const float64 = makeVectorEnv(() => makePendulum(), 2)
    float64.reset({ seed: 4 })
    const c = float64.step([0.5, -1.5])
    nested.reset({ seed: 4 })
    expect(c).toEqual(nested.step([[0.5], [-1.5]]))
  })

  it('auto-resets in the same step: the reset observation is returned, the final one kept in info', () => {
    const vectorEnv = makeVectorEnv((i) => makeFakeContinuousEnv({ episodeLength: 2 + i }), 2)
    vectorEnv.reset({ seed: 0 })
    vectorEnv.step([[0], [0]])
    const second = vectorEnv.step([[0], [0]])
    // copy 0 ends (2 steps), copy 1 goes on
    expect(second.truncated).toEqual([true, false])
    expect(second.terminated).toEqual([false, false])
    expect(second.infos[0]?.finalObservation?.[0]).toBe(1) // progress 2 / 2: the true last observation
    expect(second.observations[0]?.[0]).toBe(0) // progress 0: the new episode's first observation
    expect(second.infos[0]?.resetInfo).toEqual({})
    expect(second.infos[1]).toEqual({})
    expect(second.observations[1]?.[0]).toBeCloseTo(2 / 3, 6)
    // the automatic reset continued copy 0's key stream: the same start as a second unseeded reset of a single env
    const single = makeFakeContinuousEnv({ episodeLength: 2 })
    single.reset({ seed: 0 })
    expect(second.observations[0]).toEqual(single.reset().observation)
    const third = vectorEnv.step([[0], [0]])
    expect(third.truncated).toEqual([false, true])
    expect(third.infos[1]?.finalObservation?.[0]).toBe(1)
    expect(third.observations[0]?.[0]).toBe(0.5)
  })

  it('keeps episode statistics of the final step in info, next to the final observation', () => {
    const vectorEnv = makeVectorEnv(() => recordEpisodeStatistics()(makeEnv('Pendulum-v1', { maxEpisodeSteps: 3 })), 2)
    vectorEnv.reset({ seed: 1 })
    const rewards: number[][] = []
    let last = vectorEnv.step([[0], [0]])
    rewards.push([...last.rewards])
    for (let t = 1; t < 3; t++) {
      last = vectorEnv.step([[0], [0]])
      rewards.push([...last.rewards])
    }
    expect(last.truncated).toEqual([true, true])
    last.infos.forEach((info, i) => {
      const expected = rewards.reduce((sum, r) => Math.fround(sum + (r[i] ?? 0)), 0)
      expect(info.episode).toEqual({ return: expected, length: 3 })
      expect(info.finalObservation).toBeInstanceOf(Float32Array)
    })
  })

  it('same seed, same trajectories across auto-resets', () => {
    const run = () => {
      const vectorEnv = makeVectorEnv(() => makeEnv('Pendulum-v1', { maxEpisodeSteps: 7 }), 3)
      const trace = [vectorEnv.reset({ seed: 42 }).observations]
      for (let t = 0; t < 30; t++) {
        const result = vectorEnv.step(Float32Array.of(Math.sin(t), Math.cos(t), 0.5))
        trace.push(
          result.observations,
          result.infos.map((info) => info.finalObservation ?? new Float32Array(0)),
        )
      }
      return trace
    }
    expect(run()).toEqual(run())
  })

  it('rejects a wrong number of actions and invalid actions, naming the copy', () => {
    const vectorEnv = makeVectorEnv(() => makePendulum(), 2)
    vectorEnv.reset({ seed: 0 })
    expect(() => vectorEnv.step([[0]])).toThrow('Pendulum-v1 ×2: step: expected 2 actions, got 1')
    expect(() => vectorEnv.step(Float32Array.of(0, 0, 0))).toThrow(
      'Pendulum-v1 ×2: step: expected 2 actions or 2 × 1 = 2 numbers, got 3',
    )
    expect(() => vectorEnv.step([0, Number.NaN])).toThrow(
      'Pendulum-v1 ×2: copy 1: invalid action: element 0 must be a finite number, got NaN',
    )
    expect(() => makeVectorEnv(() => makePendulum(), 0)).toThrow('expected an integer > 0, got 0')
    expect(() => makeVectorEnv((i) => (i === 0 ? makePendulum() : makeEnv('MountainCarContinuous-v0')), 2)).toThrow(
      'copy 1 (MountainCarContinuous-v0) has other spaces than copy 0',
    )
  })

  it('closes every copy', () => {
    const vectorEnv = makeVectorEnv(() => makePendulum(), 2)
    vectorEnv.reset({ seed: 0 })
    vectorEnv.close()
    expect(() => vectorEnv.envs[1]?.step([0])).toThrow('called after close()')
  })
})
