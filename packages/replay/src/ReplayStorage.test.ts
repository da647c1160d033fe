import { makeTransition, type Transition } from '@polyak/core'
import { arbitraryTransition } from '@polyak/core/test'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { add, byteLength, gather, makeStorage, position, size } from './ReplayStorage.js'

const transitionOf = (i: number, done = false): Transition =>
  makeTransition({
    observation: [i, i + 0.5],
    action: [-i],
    reward: i * 10,
    nextObservation: [i + 1, i + 1.5],
    terminated: done,
    truncated: i % 3 === 0,
  })

describe('ReplayStorage', () => {
  it('writes rows, gathers fresh arrays and reports its byte length', () => {
    const storage = makeStorage({ capacity: 4, observationSize: 2, actionSize: 1 })
    expect(byteLength(storage)).toBe(4 * (8 + 4 + 4 + 8 + 1 + 1))
    add(storage, transitionOf(1))
    add(storage, transitionOf(2, true))
    expect(size(storage)).toBe(2)
    expect(position(storage)).toBe(2)
    const batch = gather(storage, Int32Array.of(1, 0, 1))
    expect(batch.size).toBe(3)
    expect(Array.from(batch.observations)).toEqual([2, 2.5, 1, 1.5, 2, 2.5])
    expect(Array.from(batch.nextObservations)).toEqual([3, 3.5, 2, 2.5, 3, 3.5])
    expect(Array.from(batch.actions)).toEqual([-2, -1, -2])
    expect(Array.from(batch.rewards)).toEqual([20, 10, 20])
    expect(Array.from(batch.terminated)).toEqual([1, 0, 1])
    expect(Array.from(batch.truncated)).toEqual([0, 0, 0])
    expect(Array.from(batch.indices ?? [])).toEqual([1, 0, 1])
    expect(batch.discounts).toBeUndefined()
    batch.observations[0] = 99
    expect(storage.observations[2]).toBe(2)
  })

  it('wraps around, overwriting the oldest row', () => {
    const storage = makeStorage({ capacity: 3, observationSize: 2, actionSize: 1 })
    for (let i = 0; i < 5; i++) add(storage, transitionOf(i))
    expect(size(storage)).toBe(3)
    expect(position(storage)).toBe(2)
    expect(Array.from(storage.rewards)).toEqual([30, 40, 20])
  })

  it('stores n-step discounts and rejects transitions without one', () => {
    const storage = makeStorage({ capacity: 2, observationSize: 2, actionSize: 1, nStepDiscounts: true })
    expect(byteLength(storage)).toBe(2 * (8 + 4 + 4 + 8 + 1 + 1 + 4))
    add(storage, { ...transitionOf(1), discount: 0.25 })
    expect(Array.from(gather(storage, Int32Array.of(0)).discounts ?? [])).toEqual([0.25])
    expect(() => add(storage, transitionOf(2))).toThrow(/no discount/)
  })

  it('rejects bad shapes and out-of-range indices', () => {
    const storage = makeStorage({ capacity: 2, observationSize: 3, actionSize: 1 })
    expect(() => add(storage, transitionOf(0))).toThrow(/observation sizes/)
    expect(() => gather(storage, Int32Array.of(0))).toThrow(/outside/)
    expect(() => makeStorage({ capacity: 0, observationSize: 1, actionSize: 1 })).toThrow(/capacity/)
  })

  // narrow rows are copied by a loop, rows over 64 values by `set`: both paths
  it.each([
    { observationSize: 3, actionSize: 2 },
    { observationSize: 65, actionSize: 1 },
  ])(
    'law: gather returns the stored transitions exactly, as float32, terminated and truncated as 0/1 (%o)',
    (spaces) => {
      const { observationSize: o, actionSize: a } = spaces
      fc.assert(
        fc.property(fc.array(arbitraryTransition(spaces), { minLength: 1, maxLength: 12 }), (transitions) => {
          const storage = makeStorage({ capacity: transitions.length, ...spaces })
          for (const transition of transitions) add(storage, transition)
          // every row, in reverse and repeated: a row lands where its index in the batch says, not where it is stored
          const indices = Int32Array.from([...transitions.keys()].reverse().flatMap((k) => [k, k]))
          const batch = gather(storage, indices)
          indices.forEach((k, i) => {
            const t = transitions[k] as (typeof transitions)[number]
            expect(batch.observations.subarray(o * i, o * i + o)).toEqual(t.observation)
            expect(batch.nextObservations.subarray(o * i, o * i + o)).toEqual(t.nextObservation)
            expect(batch.actions.subarray(a * i, a * i + a)).toEqual(t.action)
            expect(batch.rewards[i]).toBe(Math.fround(t.reward))
            expect([batch.terminated[i], batch.truncated[i]]).toEqual([Number(t.terminated), Number(t.truncated)])
          })
        }),
      )
    },
  )

  it('law: size never exceeds capacity and the newest `capacity` transitions are kept', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 70 }), (capacity, count) => {
        const storage = makeStorage({ capacity, observationSize: 2, actionSize: 1 })
        for (let i = 0; i < count; i++) {
          add(storage, transitionOf(i))
          expect(size(storage)).toBeLessThanOrEqual(capacity)
        }
        expect(size(storage)).toBe(Math.min(count, capacity))
        const kept = Array.from(storage.rewards.subarray(0, size(storage)), (r) => r / 10).sort((a, b) => a - b)
        const newest = Array.from(
          { length: Math.min(count, capacity) },
          (_, k) => count - Math.min(count, capacity) + k,
        )
        expect(kept).toEqual(newest)
      }),
    )
  })
})
