import { Rng } from '@polyak/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Env, StepResult } from './Env.js'
import { makePendulum } from './Pendulum.js'
import { recordEpisodeStatistics } from './recordEpisodeStatistics.js'
import { timeLimit } from './timeLimit.js'

/** Runs one episode with random torques; returns every step result. */
const runEpisode = (env: Env, seed: number): StepResult[] => {
  env.reset({ seed })
  const torques = Rng.uniformF32(Rng.key(seed), 1000, -2, 2)
  const results: StepResult[] = []
  for (let t = 0; ; t++) {
    const result = env.step([torques[t] ?? 0])
    results.push(result)
    if (result.terminated || result.truncated) return results
  }
}

describe('recordEpisodeStatistics', () => {
  it('puts the summed rewards (float32) and the length in info.episode on the last step only', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.nat(1000), (length, seed) => {
        const results = runEpisode(recordEpisodeStatistics()(timeLimit(length)(makePendulum())), seed)
        expect(results.length).toBe(length)
        expect(results.slice(0, -1).every((r) => r.info.episode === undefined)).toBe(true)
        const float32Sum = results.reduce((sum, r) => Math.fround(sum + r.reward), 0)
        const exactSum = results.reduce((sum, r) => sum + r.reward, 0)
        const episode = results.at(-1)?.info.episode
        expect(episode).toEqual({ return: float32Sum, length })
        expect(episode?.return).toBeCloseTo(exactSum, 2)
      }),
      { numRuns: 30 },
    )
  })

  it('sums in float64 on request, as Gymnasium 1.x does', () => {
    const results = runEpisode(
      recordEpisodeStatistics({ returnPrecision: 'float64' })(timeLimit(50)(makePendulum())),
      3,
    )
    const exactSum = results.reduce((sum, r) => sum + r.reward, 0)
    expect(results.at(-1)?.info.episode).toEqual({ return: exactSum, length: 50 })
    expect(exactSum).not.toBe(Math.fround(exactSum))
  })

  it('starts over at every reset, also after an unfinished episode', () => {
    const env = recordEpisodeStatistics()(timeLimit(3)(makePendulum()))
    env.reset({ seed: 0 })
    env.step([2])
    env.step([2])
    env.reset({ seed: 1 })
    const results = [env.step([0]), env.step([0]), env.step([0])]
    const expected = results.reduce((sum, r) => Math.fround(sum + r.reward), 0)
    expect(results[2]?.info.episode).toEqual({ return: expected, length: 3 })
  })

  it('refuses to overwrite an episode record (wrapper applied twice)', () => {
    const env = recordEpisodeStatistics()(recordEpisodeStatistics()(timeLimit(1)(makePendulum())))
    env.reset({ seed: 0 })
    expect(() => env.step([0])).toThrow('Pendulum-v1: recordEpisodeStatistics: info.episode is already set')
  })
})
