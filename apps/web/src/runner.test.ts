import { makeEnv } from '@polyak/envs'
import { describe, expect, it } from 'vitest'
import { frameToRgba } from './frame.js'
import { makeRunner, shownReturn } from './runner.js'

const zero = () => Float32Array.of(0)

describe('makeRunner', () => {
  it('sums one episode as a plain loop does and stops after the asked steps', () => {
    const runner = makeRunner(makeEnv('Pendulum-v1'), zero, { seed: 5, steps: 200 })
    while (!runner.step().done) {}
    const env = makeEnv('Pendulum-v1')
    env.reset({ seed: 5 })
    let expected = 0
    for (let i = 0; i < 200; i++) expected += env.step(Float32Array.of(0)).reward
    const state = runner.state()
    expect(state).toMatchObject({
      step: 200,
      episodeStep: 0,
      episodeReturn: 0,
      finishedReturns: [expected],
      done: true,
    })
    expect(shownReturn(state)).toBe(expected)
    expect(runner.step()).toBe(state)
  })

  it('resets between episodes, continuing the key stream, and shows the running episode', () => {
    const runner = makeRunner(makeEnv('Pendulum-v1'), zero, { seed: 0, steps: 250 })
    while (!runner.step().done) {}
    const state = runner.state()
    expect(state.finishedReturns).toHaveLength(1)
    expect(state.episodeStep).toBe(50)
    expect(shownReturn(state)).toBe(state.episodeReturn)
    expect(state.episodeReturn).toBeLessThan(0)
  })

  it('runs MountainCarContinuous-v0 too', () => {
    const runner = makeRunner(makeEnv('MountainCarContinuous-v0'), zero, { seed: 0, steps: 10 })
    while (!runner.step().done) {}
    expect(runner.state()).toMatchObject({ step: 10, episodeStep: 10, episodeReturn: 0 })
  })
})

describe('frameToRgba', () => {
  it('copies RGB into opaque RGBA and checks the size', () => {
    const rgba = new Uint8ClampedArray(8)
    frameToRgba({ width: 2, height: 1, data: Uint8Array.of(1, 2, 3, 4, 5, 6) }, rgba)
    expect([...rgba]).toEqual([1, 2, 3, 255, 4, 5, 6, 255])
    expect(() => frameToRgba({ width: 2, height: 2, data: new Uint8Array(12) }, rgba)).toThrow(RangeError)
  })
})
