import { Rng } from '@polyak/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addWithMaxPriority, makePrioritizedState, samplePrioritized, updatePriorities } from './PrioritizedSampler.js'
import { get, total } from './SumTree.js'

describe('PrioritizedSampler', () => {
  it('hand case: stratified indices and IS weights (α = 1, β = 1, ε = 0)', () => {
    const per = makePrioritizedState({ capacity: 4, alpha: 1, epsilon: 0 })
    addWithMaxPriority(per, 0)
    addWithMaxPriority(per, 1)
    updatePriorities(per, Int32Array.of(0, 1), Float32Array.of(-1, 3))
    // P = [0.25, 0.75]; segments of the mass 4 are [0,1), [1,2), [2,3), [3,4)
    const { indices, weights } = samplePrioritized(per, Rng.key(3), 4, 1)
    expect(Array.from(indices)).toEqual([0, 1, 1, 1])
    // w = (N P)^-1 = [2, 2/3], normalised by the max 2
    expect(Array.from(weights)).toEqual([1, 1 / 3, 1 / 3, 1 / 3].map(Math.fround))
  })

  it('gives new transitions the maximum priority seen so far', () => {
    const per = makePrioritizedState({ capacity: 4, alpha: 0.5, epsilon: 0.5 })
    addWithMaxPriority(per, 0)
    expect(get(per.tree, 0)).toBe(1)
    updatePriorities(per, Int32Array.of(0), Float32Array.of(-2.5))
    expect(get(per.tree, 0)).toBeCloseTo(Math.sqrt(3), 12)
    addWithMaxPriority(per, 1)
    expect(get(per.tree, 1)).toBeCloseTo(Math.sqrt(3), 12)
    updatePriorities(per, Int32Array.of(0), Float32Array.of(0))
    addWithMaxPriority(per, 2)
    expect(get(per.tree, 2)).toBeCloseTo(Math.sqrt(3), 12)
    expect(total(per.tree)).toBeCloseTo(Math.sqrt(0.5) + 2 * Math.sqrt(3), 12)
  })

  it('sampling frequencies match P(i) = p^α / Σ p^α (chi-square, fixed key, 32 000 draws)', () => {
    const alpha = 0.7
    const epsilon = 0.01
    const deltas = Float32Array.of(0, 0.5, 1, 2, 4, 0.1, 3, 8)
    const per = makePrioritizedState({ capacity: 8, alpha, epsilon })
    for (let i = 0; i < 8; i++) addWithMaxPriority(per, i)
    updatePriorities(
      per,
      Int32Array.from({ length: 8 }, (_, i) => i),
      deltas,
    )
    const mass = Array.from(deltas, (d) => (Math.abs(d) + epsilon) ** alpha)
    const sum = mass.reduce((a, b) => a + b, 0)
    const counts = new Array<number>(8).fill(0)
    const draws = 500 * 64
    for (let b = 0; b < 500; b++) {
      for (const i of samplePrioritized(per, Rng.foldIn(Rng.key(11), b), 64, 0.5).indices) {
        counts[i] = (counts[i] ?? 0) + 1
      }
    }
    const chi2 = counts.reduce((s, c, i) => {
      const expected = (draws * (mass[i] as number)) / sum
      return s + (c - expected) ** 2 / expected
    }, 0)
    // 7 degrees of freedom: the 0.999 quantile is 24.3
    expect(chi2).toBeLessThan(24.3)
  })

  it('law: the largest IS weight of a batch is 1 and all weights lie in (0, 1]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 64 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(),
        (deltas, batchSize, beta, seed) => {
          const per = makePrioritizedState({ capacity: deltas.length, alpha: 0.6, epsilon: 1e-3 })
          for (let i = 0; i < deltas.length; i++) addWithMaxPriority(per, i)
          updatePriorities(
            per,
            Int32Array.from(deltas, (_, i) => i),
            Float32Array.from(deltas),
          )
          const { indices, weights } = samplePrioritized(per, Rng.key(seed), batchSize, beta)
          expect(Math.max(...weights)).toBe(1)
          expect(weights.every((w) => w > 0 && w <= 1)).toBe(true)
          expect(indices.every((i) => i >= 0 && i < deltas.length)).toBe(true)
        },
      ),
    )
  })

  it('rejects mismatched updates and sampling from an empty memory', () => {
    const per = makePrioritizedState({ capacity: 2, alpha: 0.6, epsilon: 0 })
    expect(() => samplePrioritized(per, Rng.key(0), 2, 0.4)).toThrow(/no transitions/)
    expect(() => updatePriorities(per, Int32Array.of(0), new Float32Array(2))).toThrow(/indices/)
  })
})
