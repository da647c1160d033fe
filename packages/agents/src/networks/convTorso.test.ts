import { disposeParams, Rng, valueAndGradsOf } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { applyConvTorso, type ConvTorsoSpec, convTorsoOutputSize, convTorsoShapes, initConvTorso } from './convTorso.js'

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

describe('conv torso', () => {
  const spec: ConvTorsoSpec = { inputShape: [16, 12, 2], filters: [4, 8, 6], kernelSize: 4, strides: 2 }

  it('has the shapes of its spec: same padding halves each side, features = h·w·c of the last map', () => {
    expect(convTorsoShapes(spec)).toEqual([
      [8, 6, 4],
      [4, 3, 8],
      [2, 2, 6],
    ])
    expect(convTorsoOutputSize(spec)).toBe(24)
    expect(convTorsoOutputSize({ inputShape: [64, 64, 1], filters: [16, 32, 32, 64], kernelSize: 4, strides: 2 })).toBe(
      1024,
    )
    expect(
      convTorsoOutputSize({
        inputShape: [64, 64, 1],
        filters: [32, 64, 128, 256],
        kernelSize: 4,
        strides: 2,
        padding: 'valid',
      }),
    ).toBe(2 * 2 * 256) // 64 → 31 → 14 → 6 → 2 (World Models' VAE encoder)
    const params = initConvTorso(spec)(Rng.key(0))
    expect(Object.fromEntries(Object.entries(params).map(([n, t]) => [n, t.shape]))).toEqual({
      'c0/kernel': [4, 4, 2, 4],
      'c0/bias': [4],
      'c1/kernel': [4, 4, 4, 8],
      'c1/bias': [8],
      'c2/kernel': [4, 4, 8, 6],
      'c2/bias': [6],
    })
    tf.tidy(() => {
      const out = applyConvTorso(spec)(params, draw(1, [3, 16, 12, 2]) as tf.Tensor4D)
      expect(out.shape).toEqual([3, 24])
      expect(Math.min(...out.dataSync())).toBeGreaterThanOrEqual(0) // ReLU
    })
    disposeParams(params)
  })

  it("initialises like PyTorch's Conv2d (U(±1/√(k·k·in)) for kernel and bias), as a pure function of the key", () => {
    const a = initConvTorso(spec)(Rng.key(3))
    const b = initConvTorso(spec)(Rng.key(3))
    const c = initConvTorso(spec)(Rng.key(4))
    for (const [name, t] of Object.entries(a)) {
      expect(t.dataSync()).toEqual((b[name] as tf.Tensor).dataSync())
      expect(t.dataSync()).not.toEqual((c[name] as tf.Tensor).dataSync())
    }
    const bound = (fanIn: number) => 1 / Math.sqrt(fanIn)
    for (const [i, fanIn] of [32, 64, 128].entries()) {
      for (const part of ['kernel', 'bias']) {
        const values = Array.from((a[`c${i}/${part}`] as tf.Tensor).dataSync())
        expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound(fanIn))
        if (part === 'kernel') expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.8 * bound(fanIn))
      }
    }
    const glorot = initConvTorso({ ...spec, init: 'glorot' })(Rng.key(3))
    expect(Array.from((glorot['c0/bias'] as tf.Tensor).dataSync())).toEqual([0, 0, 0, 0])
    disposeParams(a, b, c, glorot)
  })

  it('equals a hand computation: one layer of ones on a 4×4 image, stride 2, valid, then flattened HWC', () => {
    const tiny: ConvTorsoSpec = { inputShape: [4, 4, 1], filters: [2], kernelSize: 2, strides: 2, padding: 'valid' }
    const params = {
      'c0/kernel': tf.tensor4d([1, -1, 1, -1, 1, -1, 1, -1], [2, 2, 1, 2]),
      'c0/bias': tf.tensor1d([0, 1]),
    }
    tf.tidy(() => {
      const x = tf.tensor4d(
        Array.from({ length: 16 }, (_, i) => i),
        [1, 4, 4, 1],
      )
      // block sums 10, 18, 42, 50; channel 1 is relu(1 − sum) = 0
      expect(Array.from(applyConvTorso(tiny)(params, x).dataSync())).toEqual([10, 0, 18, 0, 42, 0, 50, 0])
    })
    disposeParams(params)
  })

  it('the gradient reaches every layer; images of the wrong shape and invalid specs are rejected', () => {
    const params = initConvTorso(spec)(Rng.key(5))
    tf.tidy(() => {
      const images = draw(6, [2, 16, 12, 2]) as tf.Tensor4D
      const { grads } = valueAndGradsOf(
        (p) => tf.sum(tf.square(applyConvTorso({ ...spec, inputGradient: false })(p, images))) as tf.Scalar,
        params,
      )
      for (const [name, g] of Object.entries(grads)) {
        expect(g.shape).toEqual((params[name] as tf.Tensor).shape)
        expect(Math.max(...Array.from(g.dataSync()).map(Math.abs)), name).toBeGreaterThan(0)
      }
      expect(() => applyConvTorso(spec)(params, tf.zeros([2, 16, 16, 2]) as tf.Tensor4D)).toThrow(
        /expected images \[N, 16, 12, 2\]/,
      )
    })
    expect(() => convTorsoShapes({ ...spec, filters: [] })).toThrow(/at least one layer/)
    expect(() => convTorsoShapes({ ...spec, filters: [4, 0] })).toThrow(/filters\[1\]/)
    expect(() => convTorsoShapes({ ...spec, kernelSize: 13, padding: 'valid' })).toThrow(
      /layer 0's 13×13 'valid' kernel does not fit its 16×12 input/,
    )
    expect(() => convTorsoShapes({ ...spec, inputShape: [16, 12, 0] })).toThrow(/inputShape/)
    disposeParams(params)
  })

  it('does not leak: forward and backward in tidy leave the tensor count unchanged', () => {
    const params = initConvTorso(spec)(Rng.key(7))
    const images = draw(8, [2, 16, 12, 2]) as tf.Tensor4D
    const before = tf.memory().numTensors
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => {
        valueAndGradsOf((p) => tf.sum(applyConvTorso(spec)(p, images)) as tf.Scalar, params)
      })
    }
    expect(tf.memory().numTensors).toBe(before)
    images.dispose()
    disposeParams(params)
  })
})
