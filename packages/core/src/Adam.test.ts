import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { adamUpdate, disposeAdam, globalNorm, initAdam } from './Adam.js'
import { disposeParams, valueAndGradsOf } from './Params.js'
import { tidy } from './tidy.js'

/** Adam in plain doubles, written from the paper's Algorithm 1 with PyTorch's ε placement. */
const adamByHand = (theta: number[], grad: (theta: number[]) => number[], steps: number, lr: number): number[] => {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8]
  const m = theta.map(() => 0)
  const v = theta.map(() => 0)
  let p = theta.slice()
  for (let t = 1; t <= steps; t++) {
    const g = grad(p)
    p = p.map((pi, i) => {
      m[i] = b1 * (m[i] as number) + (1 - b1) * (g[i] as number)
      v[i] = b2 * (v[i] as number) + (1 - b2) * (g[i] as number) ** 2
      const mHat = (m[i] as number) / (1 - b1 ** t)
      const vHat = (v[i] as number) / (1 - b2 ** t)
      return pi - (lr * mHat) / (Math.sqrt(vHat) + eps)
    })
  }
  return p
}

describe('adamUpdate', () => {
  it('follows the hand-computed Adam trajectory on a quadratic', () => {
    const start = [1.5, -2, 0.25]
    const scales = [1, 3, 0.5]
    const loss = (p: Record<string, tf.Tensor>) => tf.sum(tf.mul(tf.square(p.w as tf.Tensor), scales)) as tf.Scalar
    let params: Record<string, tf.Tensor> = { w: tf.tensor1d(start) }
    let state = initAdam(params)
    const adam = adamUpdate({ learningRate: 0.05 })
    for (let i = 0; i < 25; i++) {
      const next = tidy(() => adam(params, valueAndGradsOf(loss, params).grads, state))
      disposeParams(params)
      disposeAdam(state)
      params = { ...next.params }
      state = next.state
    }
    const expected = adamByHand(start, (p) => p.map((x, i) => 2 * (scales[i] as number) * x), 25, 0.05)
    Array.from(params.w?.dataSync() ?? []).forEach((x, i) => {
      expect(x).toBeCloseTo(expected[i] as number, 5)
    })
    expect(state.step).toBe(25)
    disposeParams(params)
    disposeAdam(state)
  })

  it('the first step moves every parameter by the learning rate against the gradient sign', () => {
    const params = { w: tf.tensor1d([1, -1, 3]) }
    const grads = { w: tf.tensor1d([10, -0.1, 2]) }
    const state = initAdam(params)
    const next = adamUpdate({ learningRate: 0.1 })(params, grads, state)
    const w = Array.from(next.params.w?.dataSync() ?? [])
    ;[0.9, -0.9, 2.9].forEach((e, i) => {
      expect(w[i]).toBeCloseTo(e, 5)
    })
    expect(Array.from(params.w.dataSync())).toEqual([1, -1, 3]) // inputs untouched
    disposeParams(params, grads, next.params)
    disposeAdam(state)
    disposeAdam(next.state)
  })

  it('maxGradNorm rescales gradients to the given global norm', () => {
    const params = { a: tf.tensor1d([0, 0]), b: tf.tensor1d([0]) }
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([4]) } // global norm 5
    expect(tf.tidy(() => globalNorm(grads).dataSync()[0])).toBeCloseTo(5, 5)
    const state = initAdam(params)
    const next = adamUpdate({ learningRate: 1, beta1: 0, beta2: 0, maxGradNorm: 0.5 })(params, grads, state)
    // with β1 = β2 = 0 the step is g/|g| per element regardless of scale, so check the stored moments instead
    const m = [...Array.from(next.state.m.a?.dataSync() ?? []), ...Array.from(next.state.m.b?.dataSync() ?? [])]
    ;[0.3, 0, 0.4].forEach((e, i) => {
      expect(m[i]).toBeCloseTo(e, 4)
    })
    disposeParams(params, grads, next.params)
    disposeAdam(state)
    disposeAdam(next.state)
  })

  it('keeps the tensor count flat over 1000 steps when the owner disposes superseded state', () => {
    let params: Record<string, tf.Tensor> = { w: tf.randomNormal([4, 3], 0, 1, 'float32', 1), b: tf.zeros([3]) }
    let state = initAdam(params)
    const adam = adamUpdate({ learningRate: 1e-3, maxGradNorm: 1 })
    const x = tf.randomNormal([8, 4], 0, 1, 'float32', 2)
    const loss = (p: Record<string, tf.Tensor>) =>
      tf.mean(tf.square(tf.add(tf.matMul(x, p.w as tf.Tensor2D), p.b as tf.Tensor))) as tf.Scalar
    const before = tf.memory().numTensors
    for (let i = 0; i < 1000; i++) {
      const next = tidy(() => adam(params, valueAndGradsOf(loss, params).grads, state))
      disposeParams(params)
      disposeAdam(state)
      params = { ...next.params }
      state = next.state
    }
    expect(tf.memory().numTensors).toBe(before)
    disposeParams(params)
    disposeAdam(state)
    x.dispose()
  })
})
