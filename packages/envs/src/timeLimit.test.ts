import { describe, expect, it } from 'vitest'
import { makePendulum } from './Pendulum.js'
import { makeFakeContinuousEnv } from './test/makeFakeContinuousEnv.js'
import { timeLimit } from './timeLimit.js'

describe('timeLimit', () => {
  it('truncates on exactly the N-th step, and a reset restarts the count', () => {
    const env = timeLimit(5)(makePendulum())
    for (const seed of [0, 1]) {
      env.reset({ seed })
      const truncated = Array.from({ length: 5 }, () => env.step([0]).truncated)
      expect(truncated).toEqual([false, false, false, false, true])
    }
    expect(env.step([0]).truncated).toBe(true) // stepping past the limit stays truncated
  })

  it('leaves terminated alone: a terminal step before the limit is not truncated, one at the limit is both', () => {
    const fake = () => makeFakeContinuousEnv({ episodeLength: 3, ending: 'terminated' })
    const early = timeLimit(10)(fake())
    early.reset({ seed: 0 })
    const results = Array.from({ length: 3 }, () => early.step([0]))
    expect(results.map((r) => [r.terminated, r.truncated])).toEqual([
      [false, false],
      [false, false],
      [true, false],
    ])
    const atLimit = timeLimit(3)(fake())
    atLimit.reset({ seed: 0 })
    atLimit.step([0])
    atLimit.step([0])
    const last = atLimit.step([0])
    expect([last.terminated, last.truncated]).toEqual([true, true])
  })

  it('passes observation, reward and info through unchanged', () => {
    const plain = makePendulum()
    const limited = timeLimit(200)(makePendulum())
    expect(limited.reset({ seed: 4 })).toEqual(plain.reset({ seed: 4 }))
    expect(limited.step([1.5])).toEqual(plain.step([1.5]))
  })

  it('keeps one count per wrapped env', () => {
    const limit = timeLimit(2)
    const a = limit(makePendulum())
    const b = limit(makePendulum())
    a.reset({ seed: 0 })
    b.reset({ seed: 0 })
    a.step([0])
    expect(b.step([0]).truncated).toBe(false)
    expect(a.step([0]).truncated).toBe(true)
  })

  it('rejects a limit that is not a positive integer', () => {
    expect(() => timeLimit(0)).toThrow('Invalid timeLimit maxEpisodeSteps:\n  - (root): expected an integer > 0, got 0')
    expect(() => timeLimit(2.5)).toThrow('got 2.5')
  })
})
