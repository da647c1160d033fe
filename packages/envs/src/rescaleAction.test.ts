import { Box } from '@polyak/core'
import { arbitraryBoxSpec, arbitraryValueIn } from '@polyak/core/test'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Env } from './Env.js'
import { makeFrame } from './Frame.js'
import { makeMountainCarContinuous } from './MountainCarContinuous.js'
import { makeEnvFromStateMachine } from './makeEnvFromStateMachine.js'
import { makePendulum } from './Pendulum.js'
import { rescaleAction } from './rescaleAction.js'
import { checkEnv } from './test/checkEnv.js'
import { wrapEnv } from './wrapEnv.js'

/** Wraps an env so that the actions reaching it are recorded. */
const spy = (env: Env) => {
  const received: number[][] = []
  const wrapped = wrapEnv(env, {
    step: (action) => {
      received.push(Array.from(action))
      return env.step(action)
    },
  })
  return { env: wrapped, received }
}

/** An env with the lopsided action space Box(−0.5, 3). */
const lopsided = () =>
  makeEnvFromStateMachine<number>({
    id: 'Lopsided-v0',
    observationSpace: Box.box(-1, 1, [1]),
    actionSpace: Box.box(-0.5, 3),
    initial: () => 0,
    transition: (state, action) => ({ state, reward: action[0] ?? 0, terminated: false }),
    observe: () => new Float32Array(1),
    render: () => makeFrame(1, 1),
  })

describe('rescaleAction', () => {
  it('maps −1 to low and 1 to high exactly, and 0 to the middle', () => {
    const { env, received } = spy(lopsided())
    const rescaled = rescaleAction()(env)
    rescaled.reset({ seed: 0 })
    for (const u of [-1, 1, 0]) rescaled.step([u])
    expect(received).toEqual([[-0.5], [3], [1.25]])
  })

  it('is affine: low + (u + 1)·(high − low)/2 for any u, as float32', () => {
    const { env, received } = spy(lopsided())
    const rescaled = rescaleAction()(env)
    rescaled.reset({ seed: 0 })
    fc.assert(
      fc.property(fc.double({ min: -1, max: 1, noNaN: true }), (u) => {
        rescaled.step([u])
        expect(received.at(-1)?.[0]).toBeCloseTo(-0.5 + ((u + 1) * 3.5) / 2, 6)
      }),
    )
  })

  it('law: for any bounded action space, actions in [−1, 1] reach the env inside its box; the wrapped env keeps the contract', () => {
    const cases = arbitraryBoxSpec({ maxSize: 3, magnitude: 100, minWidth: 0.1 }).chain((actionSpace) =>
      fc.tuple(fc.constant(actionSpace), arbitraryValueIn(Box.box(-1, 1, actionSpace.shape))),
    )
    fc.assert(
      fc.property(cases, ([actionSpace, u]) => {
        const inner = makeEnvFromStateMachine<number>({
          id: 'AnyBox-v0',
          observationSpace: Box.box(-1, 1, [1]),
          actionSpace,
          initial: () => 0,
          transition: (state) => ({ state, reward: 0, terminated: false }),
          observe: () => new Float32Array(1),
          render: () => makeFrame(1, 1),
        })
        const { env, received } = spy(inner)
        const rescaled = rescaleAction()(env)
        rescaled.reset({ seed: 0 })
        rescaled.step(u)
        expect(Box.contains(actionSpace, received[0] ?? [])).toBe(true)
        checkEnv(rescaled, { steps: 5 })
      }),
      { numRuns: 50 },
    )
  })

  it('has the action space Box(−1, 1) of the same shape, and drives Pendulum as the raw torque would', () => {
    const rescaled = rescaleAction()(makePendulum())
    expect(rescaled.actionSpace).toEqual({ shape: [1], low: [-1], high: [1] })
    const raw = makePendulum()
    rescaled.reset({ seed: 2 })
    raw.reset({ seed: 2 })
    expect(rescaled.step([1])).toEqual(raw.step(Float32Array.of(2)))
    expect(rescaled.step([-0.25])).toEqual(raw.step(Float32Array.of(-0.5)))
  })

  it('does not clip: beyond [−1, 1] the env clips, and MountainCar penalises the unclipped action', () => {
    const { env, received } = spy(makePendulum())
    const rescaled = rescaleAction()(env)
    rescaled.reset({ seed: 0 })
    rescaled.step([1.5])
    expect(received).toEqual([[3]])
    const car = rescaleAction()(makeMountainCarContinuous())
    car.reset({ seed: 0 })
    expect(car.step([2]).reward).toBeCloseTo(-0.4, 12)
  })

  it('rejects invalid actions naming the env, and unbounded action spaces', () => {
    const rescaled = rescaleAction()(makePendulum())
    rescaled.reset({ seed: 0 })
    expect(() => rescaled.step([0, 0])).toThrow('Pendulum-v1: invalid action: expected 1 value')
    expect(() => rescaled.step([Number.NaN])).toThrow('Pendulum-v1: invalid action: element 0 must be a finite number')
    const unbounded = wrapEnv(makePendulum(), { actionSpace: Box.box(Number.NEGATIVE_INFINITY, 1) })
    expect(() => rescaleAction()(unbounded)).toThrow('Pendulum-v1: rescaleAction needs a bounded action space')
  })
})
