import { describe, expect, it } from 'vitest'
import { DEFAULT_PARAMS, formatParams, parseParams } from './params.js'

describe('parseParams', () => {
  it('reads the test URL', () => {
    expect(parseParams('?env=Pendulum-v1&seed=3&steps=200&speed=max').params).toEqual({
      ...DEFAULT_PARAMS,
      seed: 3,
      steps: 200,
      speed: 'max',
    })
  })

  it('keeps the defaults for missing keys and names the invalid ones', () => {
    expect(parseParams('').params).toEqual(DEFAULT_PARAMS)
    const { params, problems } = parseParams('?env=CartPole-v1&seed=-1&steps=1.5&speed=0&backend=wasm')
    expect(params).toEqual(DEFAULT_PARAMS)
    expect(problems).toHaveLength(5)
    expect(problems[0]).toBe('env=CartPole-v1 is not valid')
  })

  it('reads an actor URL (empty: the zero action), MountainCar and autostart', () => {
    expect(parseParams('?actor=&env=MountainCarContinuous-v0&autostart=0&speed=4').params).toEqual({
      ...DEFAULT_PARAMS,
      actor: '',
      env: 'MountainCarContinuous-v0',
      autostart: false,
      speed: 4,
    })
  })

  it('round-trips through formatParams', () => {
    const params = { ...DEFAULT_PARAMS, seed: 7, speed: 'max' as const, backend: 'webgl' as const }
    expect(formatParams(params)).toBe('?seed=7&speed=max&backend=webgl')
    expect(parseParams(formatParams(params)).params).toEqual(params)
    expect(formatParams(DEFAULT_PARAMS)).toBe('')
  })
})
