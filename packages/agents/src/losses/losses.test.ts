import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { criticLoss } from './criticLoss.js'
import { dpgLoss } from './dpgLoss.js'
import { clippedDoubleQTarget, tdTarget } from './tdTarget.js'

const values = (x: tf.Tensor): number[] => Array.from(x.dataSync())

describe('tdTarget and clippedDoubleQTarget', () => {
  it('hand case: r + (1 − terminated)·discount·V(s′), per-sample discounts', () => {
    tf.tidy(() => {
      const y = tdTarget({
        rewards: tf.tensor1d([1, 1, -2]),
        discounts: tf.tensor1d([0.5, 0.5, 0.25]),
        terminated: tf.tensor1d([0, 1, 0]),
        nextValues: tf.tensor1d([10, 10, 8]),
      })
      expect(values(y)).toEqual([6, 1, 0])
    })
  })

  it('takes the elementwise minimum of the critics', () => {
    tf.tidy(() => {
      const inputs = { rewards: tf.tensor1d([0, 0]), discounts: tf.tensor1d([1, 1]), terminated: tf.tensor1d([0, 0]) }
      const y = clippedDoubleQTarget(inputs, [tf.tensor1d([3, -1]), tf.tensor1d([2, 5])])
      expect(values(y)).toEqual([2, -1])
      expect(() => clippedDoubleQTarget(inputs, [])).toThrow(/at least one/)
    })
  })

  it('law: the clipped target never exceeds either single-critic target, and terminated targets are the reward', () => {
    const sample = fc.array(
      fc.tuple(
        fc.float({ min: -10, max: 10, noNaN: true }),
        fc.float({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.float({ min: -100, max: 100, noNaN: true }),
        fc.float({ min: -100, max: 100, noNaN: true }),
      ),
      { minLength: 1, maxLength: 16 },
    )
    fc.assert(
      fc.property(sample, (rows) =>
        tf.tidy(() => {
          const column = (k: number) => tf.tensor1d(rows.map((r) => Number(r[k])))
          const inputs = { rewards: column(0), discounts: column(1), terminated: column(2) }
          const clipped = values(clippedDoubleQTarget(inputs, [column(3), column(4)]))
          const first = values(tdTarget({ ...inputs, nextValues: column(3) }))
          const second = values(tdTarget({ ...inputs, nextValues: column(4) }))
          rows.forEach((row, i) => {
            expect(clipped[i]).toBeLessThanOrEqual(Math.max(first[i] as number, second[i] as number))
            // exact equality, with −0 and +0 equal (a zero reward plus a masked bootstrap can give either)
            expect(Math.abs((clipped[i] as number) - Math.min(first[i] as number, second[i] as number))).toBe(0)
            if (row[2]) expect(Math.abs((clipped[i] as number) - Math.fround(row[0]))).toBe(0)
          })
        }),
      ),
    )
  })
})

describe('criticLoss and dpgLoss', () => {
  it('hand case: mean squared TD error, importance weights, TD errors y − Q', () => {
    tf.tidy(() => {
      const q = tf.tensor1d([1, 2])
      const y = tf.tensor1d([2, 0])
      const plain = criticLoss(q, y)
      expect(values(plain.loss)).toEqual([2.5])
      expect(values(plain.tdErrors)).toEqual([1, -2])
      expect(values(criticLoss(q, y, tf.tensor1d([1, 0.5])).loss)).toEqual([1.5])
    })
  })

  it('dpgLoss is −mean Q and its gradient with respect to Q is −1/B', () => {
    tf.tidy(() => {
      expect(values(dpgLoss(tf.tensor1d([1, 3])))).toEqual([-2])
      const grad = tf.grad((q: tf.Tensor) => dpgLoss(q as tf.Tensor1D))(tf.tensor1d([1, 3, 5, 7]))
      expect(values(grad)).toEqual([-0.25, -0.25, -0.25, -0.25])
    })
  })
})
