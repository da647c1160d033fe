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
  it('agrees with initOu / ouStep and resets to μ', () => {
    const params = { ...DDPG_OU_PARAMS, mu: 0.3 }
    const p = ouProcess(params)
    const s0 = p.init(2)
    expect(s0).toEqual(initOu(params, 2))
    const a = p.sample(Rng.key(1), s0)
    expect(a).toEqual(ouStep(Rng.key(1), s0, params))
    const b = p.sample(Rng.key(2), a.state)
    expect(Array.from(p.reset(b.state))).toEqual([0.3, 0.3])
  })
})
