import { Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { clippedGaussianNoise } from './gaussianNoise.js'
import { smoothTargetActions } from './smoothTargetActions.js'

describe('smoothTargetActions', () => {
  it('stays inside the bounds and moves each action by at most c before bound clipping (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (seed, batch, dim, sigma, clip) => {
          const low = Array.from({ length: dim }, (_, i) => -1 - i * 0.5)
          const high = Array.from({ length: dim }, (_, i) => 1 + i * 0.25)
          const input = Rng.uniformF32(Rng.key(seed + 1), batch * dim, -2, 2)
          const actions = tf.tensor2d(input, [batch, dim])
          const before = tf.memory().numTensors
          const out = smoothTargetActions(Rng.key(seed), actions, { sigma, clip, low, high })
          expect(tf.memory().numTensors).toBe(before + 1)
          const values = out.dataSync()
          // the unclipped sum is input + clipped noise from the same key
          const noise = clippedGaussianNoise(Rng.key(seed), batch * dim, sigma, clip)
          values.forEach((v, k) => {
            const j = k % dim
            expect(v).toBeGreaterThanOrEqual(Math.fround(low[j] as number))
            expect(v).toBeLessThanOrEqual(Math.fround(high[j] as number))
            const unclipped = (input[k] as number) + (noise[k] as number)
            expect(Math.abs(unclipped - (input[k] as number))).toBeLessThanOrEqual(Math.fround(clip) + 1e-6)
            const expected = Math.min(high[j] as number, Math.max(low[j] as number, unclipped))
            expect(v).toBeCloseTo(expected, 5)
          })
          tf.dispose([actions, out])
        },
      ),
      { numRuns: 50 },
    )
  })

  it('is pure (same key, same output) and leaks no tensors with scalar bounds', () => {
    const actions = tf.tensor2d([
      [0.9, -0.9],
      [0, 0.2],
    ])
    const before = tf.memory().numTensors
    const a = smoothTargetActions(Rng.key(5), actions, { sigma: 0.2, clip: 0.5, low: -1, high: 1 })
    const b = smoothTargetActions(Rng.key(5), actions, { sigma: 0.2, clip: 0.5, low: -1, high: 1 })
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()))
    expect(a.shape).toEqual([2, 2])
    tf.dispose([a, b])
    expect(tf.memory().numTensors).toBe(before)
    // the input is untouched
    expect(Array.from(actions.dataSync())).toEqual([0.8999999761581421, -0.8999999761581421, 0, 0.20000000298023224])
    actions.dispose()
  })

  it('scale multiplies the clipped noise per dimension (σ and c in action-scale units)', () => {
    const actions = tf.zeros([64, 2]) as tf.Tensor2D
    const options = { sigma: 0.2, clip: 0.5, low: -10, high: 10 }
    const unit = smoothTargetActions(Rng.key(9), actions, options)
    const scaled = smoothTargetActions(Rng.key(9), actions, { ...options, scale: [2, 0.5] })
    const u = unit.dataSync()
    scaled.dataSync().forEach((v, i) => {
      expect(v).toBeCloseTo((u[i] as number) * (i % 2 === 0 ? 2 : 0.5), 6)
    })
    expect(Math.max(...Array.from(scaled.dataSync()).filter((_, i) => i % 2 === 0))).toBeLessThanOrEqual(1)
    tf.dispose([actions, unit, scaled])
  })

  it('with sigma = 0 only clips to the bounds', () => {
    const actions = tf.tensor2d([[2, -3, 0.5]])
    const out = smoothTargetActions(Rng.key(0), actions, { sigma: 0, clip: 0.5, low: -1, high: [1, 1, 0.25] })
    expect(Array.from(out.dataSync())).toEqual([1, -1, 0.25])
    tf.dispose([actions, out])
  })

  it('rejects bounds of the wrong length without leaking', () => {
    const actions = tf.zeros([1, 2]) as tf.Tensor2D
    const before = tf.memory().numTensors
    expect(() => smoothTargetActions(Rng.key(0), actions, { sigma: 0.1, clip: 0.5, low: [-1], high: 1 })).toThrow(
      /low has 1 entries/,
    )
    expect(tf.memory().numTensors).toBe(before)
    actions.dispose()
  })
})
