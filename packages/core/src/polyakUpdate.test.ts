import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { disposeParams, type Params } from './Params.js'
import { hardUpdate, polyakUpdate } from './polyakUpdate.js'

const finite = fc.float({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true })
/** Two same-length float arrays (online, target). */
const pair = fc
  .integer({ min: 1, max: 12 })
  .chain((n) =>
    fc.tuple(fc.array(finite, { minLength: n, maxLength: n }), fc.array(finite, { minLength: n, maxLength: n })),
  )
const tau = fc.double({ min: 0, max: 1, noNaN: true })

const record = (values: readonly number[]): Params => ({ w: tf.tensor1d(values as number[]) })
const valuesOf = (params: Params): Float32Array => params.w?.dataSync() as Float32Array
/** Float32 rounding allowance relative to the magnitudes involved. */
const slack = (a: number, b: number): number => 1e-5 * (1 + Math.abs(a) + Math.abs(b))

describe('polyakUpdate', () => {
  it('tau = 1 copies the online parameters exactly', () => {
    fc.assert(
      fc.property(pair, ([online, target]) => {
        const [o, t] = [record(online), record(target)]
        const next = polyakUpdate(1)(o, t)
        expect(Array.from(valuesOf(next))).toEqual(Array.from(Float32Array.from(online)))
        disposeParams(o, t, next)
      }),
    )
  })

  it('tau = 0 keeps the target exactly', () => {
    fc.assert(
      fc.property(pair, ([online, target]) => {
        const [o, t] = [record(online), record(target)]
        const next = polyakUpdate(0)(o, t)
        expect(Array.from(valuesOf(next))).toEqual(Array.from(Float32Array.from(target)))
        disposeParams(o, t, next)
      }),
    )
  })

  it('the result lies between online and target, elementwise', () => {
    fc.assert(
      fc.property(pair, tau, ([online, target], k) => {
        const [o, t] = [record(online), record(target)]
        const next = valuesOf(polyakUpdate(k)(o, t))
        next.forEach((v, i) => {
          const [a, b] = [Math.fround(online[i] as number), Math.fround(target[i] as number)]
          expect(v).toBeGreaterThanOrEqual(Math.min(a, b) - slack(a, b))
          expect(v).toBeLessThanOrEqual(Math.max(a, b) + slack(a, b))
        })
        disposeParams(o, t)
      }),
    )
  })

  it("two steps equal the closed form (1-τ2)(1-τ1)θ' + (1-(1-τ1)(1-τ2))θ for a fixed online θ", () => {
    fc.assert(
      fc.property(pair, tau, tau, ([online, target], k1, k2) => {
        const [o, t] = [record(online), record(target)]
        const once = polyakUpdate(k1)(o, t)
        const twice = valuesOf(polyakUpdate(k2)(o, once))
        const keep = (1 - k1) * (1 - k2)
        twice.forEach((v, i) => {
          const [a, b] = [Math.fround(online[i] as number), Math.fround(target[i] as number)]
          expect(Math.abs(v - (keep * b + (1 - keep) * a))).toBeLessThanOrEqual(3 * slack(a, b))
        })
        disposeParams(o, t, once)
      }),
    )
  })

  it('leaves its inputs untouched and allocates exactly one new tensor per parameter', () => {
    const online = { a: tf.tensor1d([1, 2]), b: tf.tensor2d([[3]]) }
    const target = { a: tf.tensor1d([0, 0]), b: tf.tensor2d([[0]]) }
    const before = tf.memory().numTensors
    for (let i = 0; i < 1000; i++) disposeParams(polyakUpdate(0.005)(online, target))
    expect(tf.memory().numTensors).toBe(before)
    const next = polyakUpdate(0.5)(online, target)
    expect(tf.memory().numTensors).toBe(before + 2)
    expect(Array.from(online.a.dataSync())).toEqual([1, 2])
    expect(Array.from(target.a.dataSync())).toEqual([0, 0])
    expect(Array.from(next.a?.dataSync() ?? [])).toEqual([0.5, 1])
    disposeParams(online, target, next)
  })

  it('rejects tau outside [0, 1] and records that differ', () => {
    const a = { w: tf.zeros([2]) }
    const b = { w: tf.zeros([3]) }
    expect(() => polyakUpdate(1.5)(a, a)).toThrow('tau must be a number in [0, 1], got 1.5')
    expect(() => polyakUpdate(Number.NaN)(a, a)).toThrow('got NaN')
    expect(() => polyakUpdate(0.1)(a, b)).toThrow("'w' has shape [2] and [3]")
    expect(() => polyakUpdate(0.1)(a, { v: tf.zeros([2]) })).toThrow("'w' is missing from the second record")
  })
})

describe('hardUpdate', () => {
  it('returns independent tensors with equal values', () => {
    const online = { w: tf.tensor1d([1, 2, 3]) }
    const target = hardUpdate(online)
    disposeParams(online)
    expect(Array.from(target.w?.dataSync() ?? [])).toEqual([1, 2, 3])
    disposeParams(target)
  })
})
