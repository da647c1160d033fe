import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { denseStack } from './dense.js'
import { needsGradient } from './gradientScope.js'
import { loadNativeAddon, nativeKernelsActive } from './native.js'
import { type Params, valueAndGradsOf } from './Params.js'
import { bootstrapTarget, squaredError } from './tdOps.js'
import { expectNoLeaks, useNativeBackend } from './test-utils/nativeBackend.js'

const loaded = loadNativeAddon()

/** The ops bootstrapTarget and squaredError stand for, written out. */
const composedTarget = (r: tf.Tensor1D, d: tf.Tensor1D, t: tf.Tensor1D, values: tf.Tensor1D[]): tf.Tensor1D =>
  tf.add(
    r,
    tf.mul(
      tf.mul(tf.sub(1, t), d),
      values.slice(1).reduce((min, v) => tf.minimum(min, v), values[0] as tf.Tensor1D),
    ),
  )
const composedError = (p: tf.Tensor1D, t: tf.Tensor1D, w?: tf.Tensor1D) => {
  const errors = tf.sub<tf.Tensor1D>(t, p)
  const squared = tf.square(errors)
  return { loss: tf.mean(w === undefined ? squared : tf.mul(w, squared)) as tf.Scalar, errors }
}

const floats = (n: number, min = -1e3, max = 1e3) =>
  fc.array(fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true }), { minLength: n, maxLength: n })

const bits = (t: tf.Tensor): number[] => Array.from(t.dataSync())

/** Value and gradients (predicted, targets, weights) of loss + Σ c·errors: both outputs differentiated. */
const errorGradients = (
  impl: typeof squaredError,
  p: number[],
  t: number[],
  w: number[] | undefined,
  c: number[] | undefined,
): number[][] =>
  tf.tidy(() => {
    const inputs = [tf.tensor1d(p), tf.tensor1d(t), ...(w === undefined ? [] : [tf.tensor1d(w)])]
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => {
      const { loss, errors } = impl(xs[0] as tf.Tensor1D, xs[1] as tf.Tensor1D, xs[2] as tf.Tensor1D | undefined)
      return c === undefined ? loss : tf.add(loss, tf.sum(tf.mul(errors, tf.tensor1d(c))))
    })(inputs)
    return [bits(value), ...grads.map(bits)]
  })

const cases = fc.integer({ min: 1, max: 300 }).chain((n) =>
  fc.record({
    p: floats(n),
    t: floats(n),
    w: fc.option(floats(n, 0, 1), { nil: undefined }),
    c: fc.option(floats(n, -2, 2), { nil: undefined }),
    d: floats(n, 0, 1),
    terminated: fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }),
    values: fc.array(floats(n), { minLength: 1, maxLength: 3 }),
  }),
)

describe.skipIf(!loaded.ok)('bootstrapTarget and squaredError on the native backend', () => {
  useNativeBackend()

  it('bootstrapTarget gives the bits of the ops it replaces (one to three next values, NaN passed over as tfjs)', () => {
    expect(nativeKernelsActive()).toBe(true)
    fc.assert(
      fc.property(cases, ({ p, d, terminated, values }) => {
        tf.tidy(() => {
          const args = [tf.tensor1d(p), tf.tensor1d(d), tf.tensor1d(terminated)] as const
          const vs = values.map((v) => tf.tensor1d(v))
          const fused = bootstrapTarget({ rewards: args[0], discounts: args[1], terminated: args[2] }, vs)
          expect(bits(fused)).toEqual(bits(composedTarget(...args, vs)))
        })
      }),
      { numRuns: 60 },
    )
    tf.tidy(() => {
      const r = tf.tensor1d([1, 1, 1])
      const z = tf.tensor1d([0, 0, 0])
      const vs = [tf.tensor1d([Number.NaN, 1, 2]), tf.tensor1d([0, Number.NaN, 1])]
      const fused = bootstrapTarget({ rewards: r, discounts: tf.tensor1d([1, 1, 1]), terminated: z }, vs)
      expect(bits(fused)).toEqual(bits(composedTarget(r, tf.tensor1d([1, 1, 1]), z, vs)))
    })
  })

  it('bootstrapTarget runs as tfjs ops when a gradient is taken through it, and refuses no next values', () => {
    const g = tf.tidy(() =>
      bits(
        tf.grad((v: tf.Tensor) =>
          tf.sum(
            bootstrapTarget({ rewards: tf.zeros([2]), discounts: tf.fill([2], 0.5), terminated: tf.tensor1d([0, 1]) }, [
              v as tf.Tensor1D,
            ]),
          ),
        )(tf.tensor1d([3, 4])),
      ),
    )
    expect(g).toEqual([0.5, 0])
    expect(() =>
      bootstrapTarget({ rewards: tf.zeros([1]), discounts: tf.zeros([1]), terminated: tf.zeros([1]) }, []),
    ).toThrow(/at least one next value/)
  })

  it('squaredError gives the bits of the ops it replaces, in value and every gradient (fast-check)', () => {
    fc.assert(
      fc.property(cases, ({ p, t, w, c }) => {
        const fused = errorGradients(squaredError, p, t, w, c)
        const composed = errorGradients(composedError, p, t, w, c)
        expect(fused).toEqual(composed)
        const outputs = tf.tidy(() => {
          const out = squaredError(tf.tensor1d(p), tf.tensor1d(t), w === undefined ? undefined : tf.tensor1d(w))
          return [bits(out.loss), bits(out.errors)]
        })
        const expected = tf.tidy(() => {
          const out = composedError(tf.tensor1d(p), tf.tensor1d(t), w === undefined ? undefined : tf.tensor1d(w))
          return [bits(out.loss), bits(out.errors)]
        })
        expect(outputs).toEqual(expected)
      }),
      { numRuns: 80 },
    )
  })

  it('skips the gradients nothing asks for, with the same bits as computing them all', () => {
    // A critic-like stack on constant inputs: valueAndGradsOf (which records its tensors) against tf.valueAndGrads
    // (which records nothing, so every gradient is computed), for the weights only and for the input only.
    const x = [tf.tensor2d([0.5, -1, 2, 0.25, 1.5, -0.5], [2, 3]), tf.tensor2d([0.1, -0.2], [2, 1])]
    const layers = [
      {
        w: tf.tensor2d(
          Array.from({ length: 16 }, (_, i) => Math.sin(i)),
          [4, 4],
        ),
        b: tf.tensor1d([0.1, 0, -0.1, 0.2]),
      },
      { w: tf.tensor2d([0.3, -0.7, 0.2, 0.9], [4, 1]), b: tf.tensor1d([0.05]) },
    ]
    const target = tf.tensor1d([1, -1])
    const loss = (xs: readonly tf.Tensor2D[], ls: typeof layers) =>
      squaredError(tf.reshape(denseStack(xs, ls, ['relu', 'linear']), [-1]) as tf.Tensor1D, target).loss
    const params: Params = { w0: layers[0]?.w as tf.Tensor, b1: layers[1]?.b as tf.Tensor }
    const asLayers = (p: Params) => [
      { w: p.w0 as tf.Tensor2D, b: layers[0]?.b as tf.Tensor1D },
      { w: layers[1]?.w as tf.Tensor2D, b: p.b1 as tf.Tensor1D },
    ]
    // what the backward kernel is asked to compute: each layer's weight gradient, the input's gradient
    type StackGradient = (...args: unknown[]) => unknown
    const addon = (loaded.ok ? loaded.addon : {}) as { denseStackGradient: StackGradient }
    const { denseStackGradient } = addon
    let asked: { layers: boolean[]; input: boolean } | undefined
    addon.denseStackGradient = (...args: unknown[]) => {
      asked = { layers: (args[6] as unknown[]).map((dw) => dw !== null), input: args[8] !== null }
      return denseStackGradient(...args)
    }
    const recordingAsked = <T>(f: () => T): [T, typeof asked] => {
      asked = undefined
      const out = f()
      return [out, asked]
    }
    const [scoped, scopedAsked] = recordingAsked(() =>
      tf.tidy(() => Object.values(valueAndGradsOf((p) => loss(x, asLayers(p)), params).grads).map(bits)),
    )
    const [all, allAsked] = recordingAsked(() =>
      tf.tidy(() =>
        tf
          .valueAndGrads((w0: tf.Tensor, b1: tf.Tensor) => loss(x, asLayers({ w0, b1 })))([params.w0, params.b1] as [
            tf.Tensor,
            tf.Tensor,
          ])
          .grads.map(bits),
      ),
    )
    expect(scoped).toEqual(all)
    // both layers' weight gradients, and the input's only when nothing was recorded
    expect([scopedAsked, allAsked]).toEqual([
      { layers: [true, true], input: false },
      { layers: [true, true], input: true },
    ])
    const [inputScoped, inputAsked] = recordingAsked(() =>
      tf.tidy(() =>
        bits(
          valueAndGradsOf((p) => loss([x[0] as tf.Tensor2D, p.a as tf.Tensor2D], layers), { a: x[1] as tf.Tensor })
            .grads.a as tf.Tensor,
        ),
      ),
    )
    expect(inputAsked).toEqual({ layers: [false, false], input: true })
    const inputAll = tf.tidy(() =>
      bits(tf.grad((a: tf.Tensor) => loss([x[0] as tf.Tensor2D, a as tf.Tensor2D], layers))(x[1] as tf.Tensor)),
    )
    expect(inputScoped).toEqual(inputAll)
    addon.denseStackGradient = denseStackGradient
    tf.dispose([...x, ...layers.flatMap((l) => [l.w, l.b]), target])
  })

  it('needsGradient: false only for tensors made before the scope and not differentiated, at the scope’s depth', () => {
    const constant = tf.ones([2])
    const watched = tf.ones([2])
    const seen: Record<string, boolean> = {}
    tf.tidy(() =>
      valueAndGradsOf(
        (p) => {
          const derived = tf.mul(p.w as tf.Tensor, 2)
          seen.constant = needsGradient(constant)
          seen.watched = needsGradient(p.w as tf.Tensor)
          seen.derived = needsGradient(derived)
          tf.grad((y: tf.Tensor) => {
            seen.nested = needsGradient(constant) // another tf.grads inside: no claim
            return tf.sum(y)
          })(constant)
          return tf.sum(derived)
        },
        { w: watched },
      ),
    )
    expect(seen).toEqual({ constant: false, watched: true, derived: true, nested: true })
    expect(needsGradient(constant)).toBe(true) // outside any scope
    tf.dispose([constant, watched])
  })

  it('leak no tensors and no wasm memory over many updates (skipped gradients included)', () => {
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2])
    const w = tf.tensor2d([0.5, -0.5, 0.25, 1], [2, 2])
    const b = tf.tensor1d([0, 0.1])
    const weights = tf.tensor1d([1, 0.5])
    const step = () =>
      tf.tidy(() => {
        const y = bootstrapTarget({ rewards: tf.ones([2]), discounts: tf.fill([2], 0.9), terminated: tf.zeros([2]) }, [
          tf.tensor1d([1, 2]),
          tf.tensor1d([2, 1]),
        ])
        const { grads } = valueAndGradsOf(
          (p) => {
            const q = tf.sum(denseStack(x, [{ w: p.w as tf.Tensor2D, b }], ['relu']), 1) as tf.Tensor1D
            return squaredError(q, y, weights).loss
          },
          { w },
        )
        return (grads.w as tf.Tensor).dataSync()[0]
      })
    expectNoLeaks(step)
    tf.dispose([x, w, b, weights])
  })
})

describe('bootstrapTarget and squaredError on the current backend (tfjs ops)', () => {
  it('compute the documented values', () => {
    tf.tidy(() => {
      const y = bootstrapTarget(
        { rewards: tf.tensor1d([1, 1]), discounts: tf.tensor1d([0.9, 0.9]), terminated: tf.tensor1d([0, 1]) },
        [tf.tensor1d([10, 10]), tf.tensor1d([5, 20])],
      )
      expect(bits(y)).toEqual([Math.fround(1 + Math.fround(0.9) * 5), 1])
      const { loss, errors } = squaredError(tf.tensor1d([1, 2]), tf.tensor1d([2, 4]), tf.tensor1d([1, 0.5]))
      expect(bits(loss)).toEqual([1.5])
      expect(bits(errors)).toEqual([1, 2])
    })
  })
})
