import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { supportOf } from '../criticHeads.js'
import { categoricalProjection } from './categoricalProjection.js'

const rows = (x: tf.Tensor2D): number[][] => x.arraySync()

/** A random distribution per row from non-negative weights. */
const distributions = (atoms: number) =>
  fc
    .array(fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: atoms, maxLength: atoms }), {
      minLength: 1,
      maxLength: 6,
    })
    .map((weights) =>
      weights.map((w) => {
        const total = w.reduce((a, b) => a + b, 0)
        return total > 0 ? w.map((x) => x / total) : w.map(() => 1 / atoms)
      }),
    )

const setup = fc.record({
  atoms: fc.integer({ min: 2, max: 21 }),
  vMin: fc.float({ min: -100, max: 0, noNaN: true }),
  width: fc.float({ min: 1, max: 200, noNaN: true }),
})

describe('categoricalProjection', () => {
  it('law: the projected rows are non-negative and sum to 1, for any support, rewards and discounts', () => {
    fc.assert(
      fc.property(
        setup.chain((s) =>
          fc.record({
            s: fc.constant(s),
            p: distributions(s.atoms),
            r: fc.float({ min: -300, max: 300, noNaN: true }),
            d: fc.float({ min: 0, max: 1, noNaN: true }),
          }),
        ),
        ({ s, p, r, d }) => {
          const out = tf.tidy(() =>
            rows(
              categoricalProjection(
                tf.tensor1d(supportOf({ atoms: s.atoms, vMin: s.vMin, vMax: s.vMin + s.width })),
                tf.tensor2d(p),
                tf.fill([p.length], r) as tf.Tensor1D,
                tf.fill([p.length], d) as tf.Tensor1D,
              ),
            ),
          )
          for (const row of out) {
            for (const v of row) expect(v).toBeGreaterThanOrEqual(0)
            expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-3) // float32 rounding over ≤ 21 atoms
          }
        },
      ),
    )
  })

  it('law: with r = 0 and discount 1 a distribution on the support is projected onto itself', () => {
    fc.assert(
      fc.property(
        setup.chain((s) => fc.record({ s: fc.constant(s), p: distributions(s.atoms) })),
        ({ s, p }) => {
          const out = tf.tidy(() =>
            rows(
              categoricalProjection(
                tf.tensor1d(supportOf({ atoms: s.atoms, vMin: s.vMin, vMax: s.vMin + s.width })),
                tf.tensor2d(p),
                tf.zeros([p.length]) as tf.Tensor1D,
                tf.ones([p.length]) as tf.Tensor1D,
              ),
            ),
          )
          out.forEach((row, b) => {
            row.forEach((v, i) => {
              expect(Math.abs(v - (p[b]?.[i] as number))).toBeLessThan(1e-3) // float32 rounding on wide supports
            })
          })
        },
      ),
    )
  })

  it('law: the mean of the projection is r + d·mean(Z) when the shifted atoms stay inside the support', () => {
    fc.assert(
      fc.property(
        distributions(11),
        fc.float({ min: -2, max: 2, noNaN: true }),
        fc.float({ min: 0, max: 1, noNaN: true }),
        (p, r, d) => {
          const support = supportOf({ atoms: 11, vMin: -10, vMax: 10 }) // shifted atoms lie in [−2 − 5, 2 + 5]
          const narrow = p.map((row) => row.map((v, i) => (i >= 3 && i <= 7 ? v : 0)))
          const normalised = narrow.map((row) => {
            const total = row.reduce((a, b) => a + b, 0)
            return total > 0 ? row.map((v) => v / total) : row.map((_, i) => (i === 5 ? 1 : 0))
          })
          const out = tf.tidy(() =>
            rows(
              categoricalProjection(
                tf.tensor1d(support),
                tf.tensor2d(normalised),
                tf.fill([p.length], r) as tf.Tensor1D,
                tf.fill([p.length], d) as tf.Tensor1D,
              ),
            ),
          )
          out.forEach((row, b) => {
            const mean = (q: readonly number[]) => q.reduce((a, v, i) => a + v * (support[i] as number), 0)
            expect(mean(row)).toBeCloseTo(r + d * mean(normalised[b] as number[]), 3)
          })
        },
      ),
    )
  })

  it('hand case: values beyond the support land on its edges; a value between atoms splits by closeness', () => {
    tf.tidy(() => {
      const z = tf.tensor1d([0, 1, 2])
      const p = tf.tensor2d([
        [1, 0, 0],
        [0, 0, 1],
        [1, 0, 0],
      ])
      const out = rows(categoricalProjection(z, p, tf.tensor1d([-5, 5, 0.25]), tf.tensor1d([1, 1, 1])))
      expect(out[0]).toEqual([1, 0, 0])
      expect(out[1]).toEqual([0, 0, 1])
      expect(out[2]?.map((v) => Number(v.toFixed(6)))).toEqual([0.75, 0.25, 0])
    })
  })
})
