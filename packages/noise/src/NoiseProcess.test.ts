import { Rng } from '@polyak/core'
import { describe, expect, it } from 'vitest'
import { gaussianNoise } from './gaussianNoise.js'
import { gaussianProcess, ouProcess } from './NoiseProcess.js'
import { DDPG_OU_PARAMS, initOu, ouStep } from './OrnsteinUhlenbeck.js'

describe('gaussianProcess', () => {
  it('samples gaussianNoise of the state size and keeps the state', () => {
    const p = gaussianProcess(0.1)
    const s = p.init(3)
    const { noise, state } = p.sample(Rng.key(2), s)
    expect(noise).toEqual(gaussianNoise(Rng.key(2), 3, 0.1))
    expect(state).toEqual({ size: 3 })
    expect(p.reset(state)).toEqual({ size: 3 })
  })
})

describe('ouProcess', () => {
  it('agrees with initOu / ouStep, resets to μ and counts episodes', () => {
    const params = { ...DDPG_OU_PARAMS, mu: 0.3 }
    const p = ouProcess(params)
    const s0 = p.init(2)
    expect(s0).toEqual({ x: initOu(params, 2), episode: 0 })
    const a = p.sample(Rng.key(1), s0)
    const direct = ouStep(Rng.key(1), s0.x, params)
    expect(a).toEqual({ noise: direct.noise, state: { x: direct.state, episode: 0 } })
    const b = p.sample(Rng.key(2), a.state)
    const reset = p.reset(b.state)
    expect(Array.from(reset.x)).toEqual([0.3, 0.3])
    expect(reset.episode).toBe(1)
  })

  it('with sigmaHalfLife, samples episode e with σ·2^(−e/halfLife) and leaves σ alone without it', () => {
    const params = { ...DDPG_OU_PARAMS, sigma: 0.4 }
    const decaying = ouProcess(params, { sigmaHalfLife: 2 })
    const constant = ouProcess(params)
    const atEpisode = (p: typeof decaying, episodes: number) => {
      let state = p.init(3)
      for (let e = 0; e < episodes; e++) state = p.reset(state)
      return p.sample(Rng.key(7), state).noise // from x = μ = 0, the noise is σ√dt·ε
    }
    const first = atEpisode(decaying, 0)
    expect(first).toEqual(atEpisode(constant, 0))
    const later = atEpisode(decaying, 4)
    for (let i = 0; i < 3; i++) expect(later[i]).toBeCloseTo((first[i] as number) / 4, 6)
    expect(atEpisode(constant, 4)).toEqual(first)
    expect(() => ouProcess(params, { sigmaHalfLife: 0 })).toThrow(/sigmaHalfLife/)
  })
})
