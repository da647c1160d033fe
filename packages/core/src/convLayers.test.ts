import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type ConvPadding,
  conv2dLayer,
  conv2dTransposeLayer,
  convGeometry,
  convTransposeOutputSize,
} from './convLayers.js'
import { type Params, valueAndGradsOf } from './Params.js'
import * as Rng from './Rng.js'

/** A plain-JS convolution in float64: y[n, oh, ow, f] = Σ x[n, s·oh + i − top, s·ow + j − left, c] · w[i, j, c, f]. */
const referenceConv = (
  x: Float64Array | Float32Array,
  [n, h, wd, c]: readonly number[],
  w: Float64Array | Float32Array,
  k: number,
  f: number,
  s: number,
  padding: ConvPadding,
) => {
  const gh = convGeometry(h as number, k, s, padding)
  const gw = convGeometry(wd as number, k, s, padding)
  const [oh, ow] = [gh.output, gw.output]
  const y = new Float64Array((n as number) * oh * ow * f)
  const at = (b: number, r: number, q: number, ch: number) =>
    ((b * (h as number) + r) * (wd as number) + q) * (c as number) + ch
  for (let b = 0; b < (n as number); b++)
    for (let r = 0; r < oh; r++)
      for (let q = 0; q < ow; q++)
        for (let o = 0; o < f; o++) {
          let sum = 0
          for (let i = 0; i < k; i++)
            for (let j = 0; j < k; j++) {
              const rr = s * r + i - gh.before
              const qq = s * q + j - gw.before
              if (rr < 0 || rr >= (h as number) || qq < 0 || qq >= (wd as number)) continue
              for (let ch = 0; ch < (c as number); ch++)
                sum += (x[at(b, rr, qq, ch)] as number) * (w[((i * k + j) * (c as number) + ch) * f + o] as number)
            }
          y[((b * oh + r) * ow + q) * f + o] = sum
        }
  return { y, shape: [n as number, oh, ow, f] }
}

const values = (x: tf.Tensor): Float32Array => x.dataSync() as Float32Array

const draw = (seed: number, shape: readonly number[]): tf.Tensor =>
  tf.tensor(
    Rng.uniformF32(
      Rng.key(seed),
      shape.reduce((a, b) => a * b, 1),
      -1,
      1,
    ),
    [...shape],
  )

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-4) => {
  expect(actual.length).toBe(expected.length)
  let worst = 0
  for (let i = 0; i < actual.length; i++)
    worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)))
  expect(worst).toBeLessThan(tolerance)
}

describe('convGeometry', () => {
  it("matches TensorFlow's same/valid rules", () => {
    expect(convGeometry(64, 4, 2, 'same')).toEqual({ output: 32, before: 1, after: 1 })
    expect(convGeometry(5, 3, 2, 'same')).toEqual({ output: 3, before: 1, after: 1 })
    expect(convGeometry(6, 3, 2, 'same')).toEqual({ output: 3, before: 0, after: 1 })
    expect(convGeometry(64, 4, 2, 'valid')).toEqual({ output: 31, before: 0, after: 0 })
    expect(convTransposeOutputSize(4, 4, 2, 'same')).toBe(8)
    expect(convTransposeOutputSize(4, 4, 2, 'valid')).toBe(10)
  })
})

describe('conv2dLayer', () => {
  it('equals a hand computation on a tiny input', () => {
    // x = 1…16 in a 4×4 grey image; a 2×2 kernel of ones, stride 2, valid: the sums of the four 2×2 blocks
    tf.tidy(() => {
      const x = tf.tensor4d(
        Array.from({ length: 16 }, (_, i) => i + 1),
        [1, 4, 4, 1],
      )
      const w = tf.tensor4d([1, 1, 1, 0, 1, 0, 1, -1], [2, 2, 1, 2]) // [i, j, c, f]; channel 0: sum, channel 1: x[i][j] − x[i+1][j+1]
      const y = conv2dLayer(x, w, tf.tensor1d([0, 0.5]), { strides: 2, padding: 'valid' })
      expect(y.shape).toEqual([1, 2, 2, 2])
      // blocks: [1 2; 5 6] → 14, −5; [3 4; 7 8] → 22, −5; [9 10; 13 14] → 46, −5; [11 12; 15 16] → 54, −5
      expect(Array.from(y.dataSync())).toEqual([14, -4.5, 22, -4.5, 46, -4.5, 54, -4.5])
      const relu = conv2dLayer(x, w, tf.tensor1d([0, 0.5]), { strides: 2, padding: 'valid', activation: 'relu' })
      expect(Array.from(relu.dataSync())).toEqual([14, 0, 22, 0, 46, 0, 54, 0])
      // same padding, stride 1, a 3×3 kernel of ones on a 3×3 image of ones: the count of neighbours inside
      const same = conv2dLayer(tf.ones([1, 3, 3, 1]), tf.ones([3, 3, 1, 1]), tf.zeros([1]))
      expect(Array.from(same.dataSync())).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4])
    })
  })

  it('law: values and gradients (input, kernel, bias) equal a float64 reference for any geometry', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 3, max: 9 }),
          w: fc.integer({ min: 3, max: 9 }),
          c: fc.integer({ min: 1, max: 3 }),
          f: fc.integer({ min: 1, max: 3 }),
          k: fc.integer({ min: 1, max: 3 }),
          s: fc.integer({ min: 1, max: 3 }),
          padding: fc.constantFrom<ConvPadding>('same', 'valid'),
          seed: fc.nat(1000),
        }),
        ({ n, h, w, c, f, k, s, padding, seed }) => {
          tf.tidy(() => {
            const x = draw(seed, [n, h, w, c]) as tf.Tensor4D
            const kernel = draw(seed + 1, [k, k, c, f]) as tf.Tensor4D
            const bias = draw(seed + 2, [f]) as tf.Tensor1D
            const ref = referenceConv(values(x), x.shape, values(kernel), k, f, s, padding)
            const y = conv2dLayer(x, kernel, bias, { strides: s, padding })
            expect(y.shape).toEqual(ref.shape)
            const b = values(bias)
            close(
              y.dataSync(),
              ref.y.map((v, i) => v + (b[i % f] as number)),
            )
            // L = Σ y · r: dL/dx and dL/dw by finite structure: L is linear in x and in w, so each gradient entry is
            // L(e_i) computed by the reference with a unit input (exact, no finite differences)
            const r = draw(seed + 3, ref.shape) as tf.Tensor4D
            const rv = values(r)
            const loss = (p: Params) =>
              tf.sum(
                tf.mul(
                  conv2dLayer(p.x as tf.Tensor4D, p.w as tf.Tensor4D, p.b as tf.Tensor1D, { strides: s, padding }),
                  r,
                ),
              ) as tf.Scalar
            const { grads } = valueAndGradsOf(loss, { x, w: kernel, b: bias })
            const dot = (a: Float64Array) => a.reduce((sum, v, i) => sum + v * (rv[i] as number), 0)
            const xv = values(x)
            const wv = values(kernel)
            const dx = Array.from({ length: xv.length }, (_, i) => {
              const e = new Float64Array(xv.length)
              e[i] = 1
              return dot(referenceConv(e, x.shape, wv, k, f, s, padding).y)
            })
            const dw = Array.from({ length: wv.length }, (_, i) => {
              const e = new Float64Array(wv.length)
              e[i] = 1
              return dot(referenceConv(xv, x.shape, e, k, f, s, padding).y)
            })
            const db = Array.from({ length: f }, (_, o) => rv.reduce((sum, v, i) => sum + (i % f === o ? v : 0), 0))
            close((grads.x as tf.Tensor).dataSync(), dx)
            close((grads.w as tf.Tensor).dataSync(), dw)
            close((grads.b as tf.Tensor).dataSync(), db)
          })
        },
      ),
      { numRuns: 50 },
    )
  })

  it('with inputGradient: false, the kernel and bias gradients are unchanged and the input gets none', () => {
    tf.tidy(() => {
      const x = draw(1, [2, 6, 6, 2]) as tf.Tensor4D
      const kernel = draw(2, [3, 3, 2, 4]) as tf.Tensor4D
      const bias = draw(3, [4]) as tf.Tensor1D
      const loss = (inputGradient: boolean) => (p: Params) =>
        tf.sum(
          tf.square(
            conv2dLayer(x, p.w as tf.Tensor4D, p.b as tf.Tensor1D, {
              strides: 2,
              activation: 'relu',
              inputGradient,
            }),
          ),
        ) as tf.Scalar
      const a = valueAndGradsOf(loss(true), { w: kernel, b: bias }).grads
      const b = valueAndGradsOf(loss(false), { w: kernel, b: bias }).grads
      close((a.w as tf.Tensor).dataSync(), (b.w as tf.Tensor).dataSync(), 1e-6)
      close((a.b as tf.Tensor).dataSync(), (b.b as tf.Tensor).dataSync(), 1e-6)
      expect(() =>
        tf.grad((xs: tf.Tensor) =>
          tf.sum(conv2dLayer(xs as tf.Tensor4D, kernel, bias, { strides: 2, inputGradient: false })),
        )(x),
      ).toThrow(/Cannot compute gradient/)
    })
  })

  it('rejects mismatched shapes and kernels that do not fit', () => {
    tf.tidy(() => {
      const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D
      expect(() => conv2dLayer(x, tf.zeros([3, 3, 1, 4]), tf.zeros([4]))).toThrow(/reads 1 channels, the input has 2/)
      expect(() => conv2dLayer(x, tf.zeros([3, 3, 2, 4]), tf.zeros([3]))).toThrow(/3 values for 4 output channels/)
      expect(() => conv2dLayer(x, tf.zeros([5, 5, 2, 1]), tf.zeros([1]), { padding: 'valid' })).toThrow(/does not fit/)
    })
  })
})

describe('conv2dTransposeLayer', () => {
  it('law: is the adjoint of conv2dLayer (⟨convT(y), x⟩ = ⟨y, conv(x)⟩) with its gradients, for any geometry', () => {
    fc.assert(
      fc.property(
        fc.record({
          h: fc.integer({ min: 2, max: 6 }),
          c: fc.integer({ min: 1, max: 3 }),
          f: fc.integer({ min: 1, max: 3 }),
          k: fc.integer({ min: 1, max: 4 }),
          s: fc.integer({ min: 1, max: 3 }),
          padding: fc.constantFrom<ConvPadding>('same', 'valid'),
          seed: fc.nat(1000),
        }),
        ({ h, c, f, k, s, padding, seed }) => {
          tf.tidy(() => {
            const out = convTransposeOutputSize(h, k, s, padding)
            const z = draw(seed, [2, h, h, f]) as tf.Tensor4D // the transposed layer's input
            const kernel = draw(seed + 1, [k, k, c, f]) as tf.Tensor4D // conv: c → f; transposed: f → c
            const x = draw(seed + 2, [2, out, out, c]) as tf.Tensor4D
            const up = conv2dTransposeLayer(z, kernel, tf.zeros([c]), { strides: s, padding })
            expect(up.shape).toEqual([2, out, out, c])
            const down = conv2dLayer(x, kernel, tf.zeros([f]), { strides: s, padding })
            expect(down.shape).toEqual(z.shape)
            const lhs = tf.sum(tf.mul(up, x)).dataSync()[0] as number
            const rhs = tf.sum(tf.mul(z, down)).dataSync()[0] as number
            expect(Math.abs(lhs - rhs)).toBeLessThan(1e-3 * (1 + Math.abs(rhs)))
            // gradients of ⟨convT(z, w), x⟩: with respect to z it is conv(x, w); with respect to w, the same as the
            // kernel gradient of ⟨z, conv(x, w)⟩
            const t = valueAndGradsOf(
              (p) =>
                tf.sum(
                  tf.mul(
                    conv2dTransposeLayer(p.z as tf.Tensor4D, p.w as tf.Tensor4D, tf.zeros([c]), {
                      strides: s,
                      padding,
                    }),
                    x,
                  ),
                ) as tf.Scalar,
              { z, w: kernel },
            ).grads
            const d = valueAndGradsOf(
              (p) =>
                tf.sum(
                  tf.mul(conv2dLayer(x, p.w as tf.Tensor4D, tf.zeros([f]), { strides: s, padding }), z),
                ) as tf.Scalar,
              { w: kernel },
            ).grads
            close((t.z as tf.Tensor).dataSync(), down.dataSync(), 1e-4)
            close((t.w as tf.Tensor).dataSync(), (d.w as tf.Tensor).dataSync(), 1e-3)
          })
        },
      ),
      { numRuns: 50 },
    )
  })
})
