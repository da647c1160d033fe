import {
  adamUpdate,
  denseReference,
  disposeAdam,
  disposeParams,
  initAdam,
  parameterCount,
  Rng,
  tidy,
  valueAndGradsOf,
} from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyMlp, DDPG_FINAL_INIT, initMlp, layerSizes, type MlpSpec } from './mlp.js'

const spec: MlpSpec = { inputSize: 5, hiddenSizes: [16, 8], outputSize: 2, finalInit: DDPG_FINAL_INIT }

const maxAbs = (t: tf.Tensor): number => Math.max(...Array.from(t.dataSync()).map(Math.abs))

describe('initMlp', () => {
  it('names, shapes and counts the parameters of every layer', () => {
    const params = initMlp(spec)(Rng.key(1))
    expect(Object.fromEntries(Object.entries(params).map(([n, t]) => [n, t.shape]))).toEqual({
      'l0/kernel': [5, 16],
      'l0/bias': [16],
      'l1/kernel': [16, 8],
      'l1/bias': [8],
      'l2/kernel': [8, 2],
      'l2/bias': [2],
    })
    expect(parameterCount(params)).toBe(5 * 16 + 16 + 16 * 8 + 8 + 8 * 2 + 2)
    disposeParams(params)
  })

  it('draws hidden layers from U(±1/√fan_in) and the final layer from U(±3e-3), using most of the range', () => {
    const params = initMlp({ inputSize: 64, hiddenSizes: [100], outputSize: 50, finalInit: DDPG_FINAL_INIT })(
      Rng.key(2),
    )
    const hidden = maxAbs(params['l0/kernel'] as tf.Tensor)
    expect(hidden).toBeLessThanOrEqual(1 / 8)
    expect(hidden).toBeGreaterThan(0.95 / 8)
    expect(maxAbs(params['l0/bias'] as tf.Tensor)).toBeLessThanOrEqual(1 / 8)
    const final = maxAbs(params['l1/kernel'] as tf.Tensor)
    expect(final).toBeLessThanOrEqual(3e-3)
    expect(final).toBeGreaterThan(2.9e-3)
    disposeParams(params)
  })

  it('glorot gives zero biases and the Glorot bound', () => {
    const params = initMlp({ inputSize: 30, hiddenSizes: [], outputSize: 70, init: 'glorot' })(Rng.key(3))
    expect(maxAbs(params['l0/bias'] as tf.Tensor)).toBe(0)
    expect(maxAbs(params['l0/kernel'] as tf.Tensor)).toBeLessThanOrEqual(Math.sqrt(6 / 100))
    disposeParams(params)
  })

  it('is a pure function of spec and key', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (a, b) => {
        const [p1, p2, p3] = [initMlp(spec)(Rng.key(a)), initMlp(spec)(Rng.key(a)), initMlp(spec)(Rng.key(b))]
        const bytes = (p: Record<string, tf.Tensor>) => Object.values(p).flatMap((t) => Array.from(t.dataSync()))
        expect(bytes(p1)).toEqual(bytes(p2))
        if (a !== b) expect(bytes(p1)).not.toEqual(bytes(p3))
        disposeParams(p1, p2, p3)
      }),
      { numRuns: 20 },
    )
  })

  it('rejects non-positive sizes', () => {
    expect(() => initMlp({ inputSize: 3, hiddenSizes: [0], outputSize: 1 })(Rng.key(0))).toThrow(
      'layer 1 size must be an integer > 0, got 0',
    )
    expect(layerSizes(spec)).toEqual([5, 16, 8, 2])
  })
})

describe('applyMlp', () => {
  it('equals the layer-by-layer reference computation, with a tanh output', () => {
    const tanhSpec: MlpSpec = { ...spec, outputActivation: 'tanh' }
    const params = initMlp(tanhSpec)(Rng.key(4))
    const x = tf.tensor2d(Rng.uniformF32(Rng.key(5), 3 * 5, -1, 1), [3, 5])
    const ours = tf.tidy(() => Array.from(applyMlp(tanhSpec)(params, x).dataSync()))
    const reference = tf.tidy(() => {
      const p = params
      const h0 = denseReference(x, p['l0/kernel'] as tf.Tensor2D, p['l0/bias'] as tf.Tensor1D, 'relu')
      const h1 = denseReference(h0, p['l1/kernel'] as tf.Tensor2D, p['l1/bias'] as tf.Tensor1D, 'relu')
      return Array.from(
        denseReference(h1, p['l2/kernel'] as tf.Tensor2D, p['l2/bias'] as tf.Tensor1D, 'tanh').dataSync(),
      )
    })
    ours.forEach((v, i) => {
      expect(v).toBeCloseTo(reference[i] as number, 6)
    })
    expect(ours.every((v) => Math.abs(v) < 1)).toBe(true)
    disposeParams(params)
    x.dispose()
  })

  it('learns a regression target with Adam, with no tensor growth over 1000 forward/backward/Adam steps', () => {
    const small: MlpSpec = { inputSize: 2, hiddenSizes: [32, 32], outputSize: 1 }
    let params = initMlp(small)(Rng.key(6))
    let state = initAdam(params)
    const adam = adamUpdate({ learningRate: 3e-3 })
    const forward = applyMlp(small)
    const xs = Rng.uniformF32(Rng.key(7), 64 * 2, -1, 1)
    const ys = Float32Array.from(
      { length: 64 },
      (_, i) => Math.sin(3 * (xs[2 * i] as number)) * (xs[2 * i + 1] as number),
    )
    const x = tf.tensor2d(xs, [64, 2])
    const y = tf.tensor2d(ys, [64, 1])
    const loss = (p: Record<string, tf.Tensor>) => tf.mean(tf.square(tf.sub(forward(p, x), y))) as tf.Scalar
    const lossAt = (p: Record<string, tf.Tensor>) => tf.tidy(() => loss(p).dataSync()[0] as number)
    const initialLoss = lossAt(params)
    const before = tf.memory().numTensors
    for (let i = 0; i < 1000; i++) {
      const next = tidy(() => adam(params, valueAndGradsOf(loss, params).grads, state))
      disposeParams(params)
      disposeAdam(state)
      params = next.params
      state = next.state
    }
    expect(tf.memory().numTensors).toBe(before)
    expect(lossAt(params)).toBeLessThan(initialLoss / 10)
    disposeParams(params)
    disposeAdam(state)
    tf.dispose([x, y])
  })
})
