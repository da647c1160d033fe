import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadNativeAddon, nativeKernelsActive } from './native.js'
import { type ColumnBound, perturbWithin } from './perturbWithin.js'
import { useNativeBackend } from './test-utils/nativeBackend.js'

const loaded = loadNativeAddon()

const bound = (b: ColumnBound) => (typeof b === 'number' ? tf.scalar(b) : tf.tensor1d([...b]))

/** The ops perturbWithin stands for, written out. */
const composed = (x: tf.Tensor2D, noise: Float32Array, scale: ColumnBound, low: ColumnBound, high: ColumnBound) =>
  tf.tidy(() =>
    tf.minimum(tf.maximum(tf.add(x, tf.mul(tf.tensor2d(noise, x.shape), bound(scale))), bound(low)), bound(high)),
  )

const value = fc.float({ min: Math.fround(-3), max: Math.fround(3), noNaN: true })

const cases = fc
  .record({ rows: fc.integer({ min: 1, max: 40 }), columns: fc.integer({ min: 1, max: 7 }) })
  .chain(({ rows, columns }) => {
    const perColumn = (min: number, max: number) =>
      fc.oneof(
        fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true }),
        fc.array(fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true }), {
          minLength: columns,
          maxLength: columns,
        }),
      )
    return fc.record({
      rows: fc.constant(rows),
      columns: fc.constant(columns),
      x: fc.array(fc.oneof(value, fc.constant(Number.NaN)), { minLength: rows * columns, maxLength: rows * columns }),
      noise: fc.array(value, { minLength: rows * columns, maxLength: rows * columns }),
      scale: perColumn(0, 2),
      low: perColumn(-2, -0.5),
      high: perColumn(0.5, 2),
    })
  })

describe.skipIf(!loaded.ok)('perturbWithin on the native backend', () => {
  useNativeBackend()

  it('gives the bits of the tfjs ops it replaces (NaN actions, scalar and per-column bounds; fast-check)', () => {
    expect(nativeKernelsActive()).toBe(true)
    fc.assert(
      fc.property(cases, ({ rows, columns, x, noise, scale, low, high }) => {
        tf.tidy(() => {
          const a = tf.tensor2d(x, [rows, columns])
          const n = Float32Array.from(noise)
          const fused = perturbWithin(a, n, { scale, low, high })
          expect(Array.from(fused.dataSync())).toEqual(Array.from(composed(a, n, scale, low, high).dataSync()))
        })
      }),
      { numRuns: 80 },
    )
  })

  it('orders zeros as tfjs does (max(−0, 0) is −0), not as Math.max', () => {
    tf.tidy(() => {
      const a = tf.tensor2d([[-0, 0]])
      const n = Float32Array.of(-0, -0)
      const fused = Array.from(perturbWithin(a, n, { scale: 1, low: 0, high: [1, -0] }).dataSync())
      expect(fused).toEqual(Array.from(composed(a, n, 1, 0, [1, -0]).dataSync()))
      expect(Object.is(fused[0], -0)).toBe(true)
    })
  })

  it('runs as tfjs ops when a gradient is taken through it, leaks nothing, and refuses mismatched shapes', () => {
    const g = tf.tidy(() =>
      Array.from(
        tf
          .grad((x: tf.Tensor) =>
            tf.sum(perturbWithin(x as tf.Tensor2D, Float32Array.of(0.5, 0.5), { scale: 1, low: -1, high: 1 })),
          )(tf.tensor2d([[0, 0.9]]))
          .dataSync(),
      ),
    )
    expect(g).toEqual([1, 0]) // the clipped element passes no gradient
    const x = tf.tensor2d([[0, 0.5]])
    const noise = Float32Array.of(0.1, 0.2)
    perturbWithin(x, noise, { scale: 1, low: -1, high: 1 }).dispose()
    const tensors = tf.memory().numTensors
    for (let i = 0; i < 100; i++) perturbWithin(x, noise, { scale: [1, 2], low: -1, high: [1, 0.5] }).dispose()
    expect(tf.memory().numTensors).toBe(tensors)
    expect(() => perturbWithin(x, Float32Array.of(1), { scale: 1, low: -1, high: 1 })).toThrow(/1 noise values/)
    expect(() => perturbWithin(x, noise, { scale: [1, 2, 3], low: -1, high: 1 })).toThrow(/scale has 3 entries/)
    x.dispose()
  })
})

describe('perturbWithin on the current backend (tfjs ops)', () => {
  it('computes the documented value', () => {
    tf.tidy(() => {
      const y = perturbWithin(tf.tensor2d([[0.9, -0.2]]), Float32Array.of(0.5, 0.1), {
        scale: [1, 2],
        low: -1,
        high: 1,
      })
      expect(Array.from(y.dataSync())).toEqual([1, Math.fround(Math.fround(-0.2) + Math.fround(0.2))])
    })
  })
})
