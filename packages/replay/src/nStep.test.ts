import { makeTransition, type Transition } from '@polyak/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { makeNStepAccumulator, makeNStepAccumulators, nStepReturns } from './nStep.js'
import type { NStepTransition } from './ReplayStorage.js'

const step = (i: number, reward: number, terminated = false, truncated = false): Transition =>
  makeTransition({ observation: [i], action: [i], reward, nextObservation: [i + 1], terminated, truncated })

/** Brute force: for every start t, look ahead up to n steps without crossing an episode end. */
const reference = (stream: readonly Transition[], n: number, gamma: number): NStepTransition[] => {
  const out: NStepTransition[] = []
  for (let t = 0; t < stream.length; t++) {
    let reward = 0
    let m = 0
    let ended = false
    while (m < n && t + m < stream.length) {
      const tr = stream[t + m] as Transition
      reward += gamma ** m * tr.reward
      m += 1
      if (tr.terminated || tr.truncated) {
        ended = true
        break
      }
    }
    if (m < n && !ended) continue // still pending at the end of the stream
    const first = stream[t] as Transition
    const last = stream[t + m - 1] as Transition
    out.push({
      observation: first.observation,
      action: first.action,
      reward,
      nextObservation: last.nextObservation,
      terminated: last.terminated,
      truncated: last.truncated,
      discount: gamma ** m,
    })
  }
  return out
}

const summary = (t: NStepTransition) => ({
  start: t.observation[0],
  next: t.nextObservation[0],
  terminated: t.terminated,
  truncated: t.truncated,
})

describe('nStepReturns', () => {
  it('hand case: 3 steps with γ = 0.5', () => {
    const t = nStepReturns([step(0, 1), step(1, 2), step(2, 4)], 0.5)
    expect(t.reward).toBe(1 + 0.5 * 2 + 0.25 * 4)
    expect(t.discount).toBe(0.125)
    expect(Array.from(t.nextObservation)).toEqual([3])
    expect(Array.from(t.observation)).toEqual([0])
  })

  it('stops at the first terminal transition of the window', () => {
    const t = nStepReturns([step(0, 1), step(1, 2, true), step(2, 4)], 0.5)
    expect(t.reward).toBe(2)
    expect(t.discount).toBe(0.25)
    expect(t.terminated).toBe(true)
  })
})

describe('makeNStepAccumulator', () => {
  it('emits after n steps, then one per step, and flushes shorter windows at episode end', () => {
    const acc = makeNStepAccumulator({ n: 3, gamma: 0.5 })
    expect(acc.push(step(0, 1))).toEqual([])
    expect(acc.push(step(1, 1))).toEqual([])
    const first = acc.push(step(2, 1))
    expect(first.map(summary)).toEqual([{ start: 0, next: 3, terminated: false, truncated: false }])
    expect(first[0]?.reward).toBe(1.75)
    const flushed = acc.push(step(3, 1, false, true))
    expect(flushed.map(summary)).toEqual([
      { start: 1, next: 4, terminated: false, truncated: true },
      { start: 2, next: 4, terminated: false, truncated: true },
      { start: 3, next: 4, terminated: false, truncated: true },
    ])
    expect(flushed.map((t) => t.discount)).toEqual([0.125, 0.25, 0.5])
    expect(flushed.map((t) => t.reward)).toEqual([1.75, 1.5, 1])
    // a new episode starts from scratch
    expect(acc.push(step(10, 1))).toEqual([])
  })

  it('law: equals a brute-force reference on random episodes with terminations and truncations', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(
          fc.record({
            reward: fc.integer({ min: -10, max: 10 }),
            end: fc.constantFrom('none', 'none', 'none', 'terminated', 'truncated'),
          }),
          { maxLength: 60 },
        ),
        (n, gamma, steps) => {
          const stream = steps.map(({ reward, end }, i) => step(i, reward, end === 'terminated', end === 'truncated'))
          const acc = makeNStepAccumulator({ n, gamma })
          const got = stream.flatMap((t) => acc.push(t))
          const want = reference(stream, n, gamma)
          expect(got.map(summary)).toEqual(want.map(summary))
          got.forEach((t, i) => {
            expect(t.reward).toBeCloseTo((want[i] as NStepTransition).reward, 9)
            expect(t.discount).toBeCloseTo((want[i] as NStepTransition).discount, 12)
          })
        },
      ),
    )
  })

  it('keeps one window per environment index', () => {
    const accs = makeNStepAccumulators({ n: 2, gamma: 1 })
    expect(accs.push(0, step(0, 1))).toEqual([])
    expect(accs.push(1, step(100, 5))).toEqual([])
    expect(accs.push(0, step(1, 2)).map((t) => [t.observation[0], t.reward])).toEqual([[0, 3]])
    expect(accs.push(1, step(101, 7)).map((t) => [t.observation[0], t.reward])).toEqual([[100, 12]])
  })

  it('rejects invalid options', () => {
    expect(() => makeNStepAccumulator({ n: 0, gamma: 0.9 })).toThrow(/n must/)
    expect(() => makeNStepAccumulator({ n: 2, gamma: 1.5 })).toThrow(/gamma/)
  })
})
