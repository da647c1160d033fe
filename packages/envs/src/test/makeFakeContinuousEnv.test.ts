import { describe, expect, it } from 'vitest'
import { makeFakeContinuousEnv } from './makeFakeContinuousEnv.js'

describe('makeFakeContinuousEnv', () => {
  it('rewards −mean((a − target)²): 0 at the target', () => {
    const env = makeFakeContinuousEnv({ actionSize: 2, target: 0.25 })
    env.reset({ seed: 0 })
    expect(env.step([0.25, 0.25]).reward).toBe(0)
    expect(env.step([-0.75, 0.25]).reward).toBe(-0.5)
    expect(env.actionSpace).toEqual({ shape: [2], low: [-1, -1], high: [1, 1] })
  })

  it('observes the progress t / episodeLength and a context drawn at reset from the seed', () => {
    const env = makeFakeContinuousEnv({ observationSize: 4, episodeLength: 4 })
    const first = env.reset({ seed: 1 }).observation
    expect(first.length).toBe(4)
    expect(first[0]).toBe(0)
    const next = env.step([0]).observation
    expect(next[0]).toBe(0.25)
    expect(next.subarray(1)).toEqual(first.subarray(1))
    expect(makeFakeContinuousEnv({ observationSize: 4 }).reset({ seed: 1 }).observation).toEqual(first)
    expect(makeFakeContinuousEnv({ observationSize: 4 }).reset({ seed: 2 }).observation).not.toEqual(first)
    expect(Array.from(first).every((x) => x >= -1 && x <= 1)).toBe(true)
  })

  it('ends after episodeLength steps, truncated by default or terminated on request', () => {
    for (const ending of ['truncated', 'terminated'] as const) {
      const env = makeFakeContinuousEnv({ episodeLength: 3, ending })
      env.reset({ seed: 0 })
      const results = [env.step([0]), env.step([0]), env.step([0])]
      expect(results.map((r) => r.truncated)).toEqual([false, false, ending === 'truncated'])
      expect(results.map((r) => r.terminated)).toEqual([false, false, ending === 'terminated'])
    }
  })

  it('counts resets and steps, and validates options', () => {
    const env = makeFakeContinuousEnv()
    env.reset()
    env.step([0])
    env.step([1])
    expect(env.counts()).toEqual({ resets: 1, steps: 2 })
    expect(() => makeFakeContinuousEnv({ actionSize: 0 })).toThrow('actionSize: expected an integer > 0, got 0')
    expect(() => makeFakeContinuousEnv({ ending: 'done' } as never)).toThrow('ending')
  })
})
