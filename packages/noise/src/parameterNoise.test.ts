import { type Activation, dense, type Params, Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { actionDistance, adaptStddev, perturbParams } from './parameterNoise.js'

/**
 * A small MLP on core's `dense` op, drawn as `initMlp` of `@polyak/agents` draws it (`l<i>/kernel`, `l<i>/bias`,
 * U(±1/√fan_in), layer i from child key i): noise cannot import the networks of agents, which depends on noise.
 */
interface Spec {
  readonly sizes: readonly number[]
  readonly outputActivation?: Activation
}

const initMlp =
  (spec: Spec) =>
  (key: Rng.Key): Params => {
    const layers = spec.sizes.length - 1
    const keys = Rng.split(key, layers)
    const params: Record<string, tf.Tensor> = {}
    for (let i = 0; i < layers; i++) {
      const [fanIn, fanOut] = [spec.sizes[i] as number, spec.sizes[i + 1] as number]
      const bound = 1 / Math.sqrt(fanIn)
      const [kernelKey, biasKey] = Rng.split(keys[i] as Rng.Key, 2)
      params[`l${i}/kernel`] = tf.tensor2d(Rng.uniformF32(kernelKey, fanIn * fanOut, -bound, bound), [fanIn, fanOut])
      params[`l${i}/bias`] = tf.tensor1d(Rng.uniformF32(biasKey, fanOut, -bound, bound))
    }
    return params
  }

const applyMlp =
  (spec: Spec) =>
  (params: Params, input: tf.Tensor2D): tf.Tensor2D => {
    const layers = spec.sizes.length - 1
    let x = input
    for (let i = 0; i < layers; i++) {
      const activation = i === layers - 1 ? (spec.outputActivation ?? 'linear') : 'relu'
      x = dense(x, params[`l${i}/kernel`] as tf.Tensor2D, params[`l${i}/bias`] as tf.Tensor1D, activation)
    }
    return x
  }

const spec: Spec = { sizes: [3, 16, 2], outputActivation: 'tanh' }

describe('perturbParams', () => {
  it('adds N(0, σ²) to every tensor, keeps names and shapes, is pure and leaks nothing', () => {
    const params = initMlp({ sizes: [50, 100, 20] })(Rng.key(0))
    const before = tf.memory().numTensors
    const a = perturbParams(Rng.key(1), params, 0.05)
    expect(tf.memory().numTensors).toBe(before + Object.keys(params).length)
    const b = perturbParams(Rng.key(1), params, 0.05)
    expect(Object.keys(a).sort()).toEqual(Object.keys(params).sort())
    const diffs: number[] = []
    for (const [name, p] of Object.entries(params)) {
      const q = a[name] as tf.Tensor
      expect(q.shape).toEqual(p.shape)
      expect(q).not.toBe(p)
      expect(Array.from(q.dataSync())).toEqual(Array.from((b[name] as tf.Tensor).dataSync()))
      const pv = p.dataSync()
      q.dataSync().forEach((v, i) => {
        diffs.push(v - (pv[i] as number))
      })
    }
    // 50·100 + 100 + 100·20 + 20 = 7120 draws: mean within 4·σ/√n, std within 3%
    const mean = diffs.reduce((s, d) => s + d, 0) / diffs.length
    const std = Math.sqrt(diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / diffs.length)
    expect(Math.abs(mean)).toBeLessThan((4 * 0.05) / Math.sqrt(diffs.length))
    expect(Math.abs(std / 0.05 - 1)).toBeLessThan(0.03)
    tf.dispose([...Object.values(a), ...Object.values(b)])
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose(Object.values(params))
  })

  it('does not depend on the key order of the record, and σ = 0 copies the values', () => {
    const params = initMlp(spec)(Rng.key(2))
    const reversed = Object.fromEntries(Object.entries(params).reverse())
    const a = perturbParams(Rng.key(3), params, 0.1)
    const b = perturbParams(Rng.key(3), reversed, 0.1)
    const zero = perturbParams(Rng.key(3), params, 0)
    for (const name of Object.keys(params)) {
      expect(Array.from((a[name] as tf.Tensor).dataSync())).toEqual(Array.from((b[name] as tf.Tensor).dataSync()))
      expect(Array.from((zero[name] as tf.Tensor).dataSync())).toEqual(
        Array.from((params[name] as tf.Tensor).dataSync()),
      )
    }
    expect(() => perturbParams(Rng.key(0), params, -1)).toThrow(RangeError)
    tf.dispose([...Object.values(a), ...Object.values(b), ...Object.values(zero), ...Object.values(params)])
  })
})

describe('actionDistance', () => {
  it('is sqrt(mean((a − b)²)), hand-computed, and leaks nothing', () => {
    const a = tf.tensor2d([
      [0, 0],
      [1, 1],
    ])
    const b = tf.tensor2d([
      [3, 4],
      [1, 1],
    ])
    const before = tf.memory().numTensors
    // (9 + 16 + 0 + 0) / 4 = 6.25 → 2.5
    expect(actionDistance(a, b)).toBeCloseTo(2.5, 6)
    expect(actionDistance(a, a)).toBe(0)
    expect(tf.memory().numTensors).toBe(before)
    const c = tf.zeros([1, 2]) as tf.Tensor2D
    expect(() => actionDistance(a, c)).toThrow(/shapes differ/)
    tf.dispose([a, b, c])
  })
})

describe('adaptStddev', () => {
  it('divides by α above the target and multiplies by α at or below it', () => {
    expect(adaptStddev(0.1, 0.3, { targetDistance: 0.2 })).toBeCloseTo(0.1 / 1.01, 15)
    expect(adaptStddev(0.1, 0.1, { targetDistance: 0.2 })).toBeCloseTo(0.101, 15)
    expect(adaptStddev(0.1, 0.2, { targetDistance: 0.2 })).toBeCloseTo(0.101, 15)
    expect(adaptStddev(0.1, 0.3, { targetDistance: 0.2, coefficient: 2 })).toBe(0.05)
    expect(() => adaptStddev(0.1, 0.3, { targetDistance: 0.2, coefficient: 1 })).toThrow(RangeError)
  })

  it('drives the measured action distance of a perturbed MLP towards δ (Plappert et al. 2018)', () => {
    const params = initMlp(spec)(Rng.key(4))
    const actor = applyMlp(spec)
    const observations = tf.tensor2d(Rng.uniformF32(Rng.key(5), 64 * 3, -1, 1), [64, 3])
    const clean = tf.tidy(() => actor(params, observations))
    const before = tf.memory().numTensors
    const delta = 0.2
    const measure = (key: Rng.Key, stddev: number): number => {
      const perturbed = perturbParams(key, params, stddev)
      const actions = tf.tidy(() => actor(perturbed, observations))
      const d = actionDistance(clean, actions)
      tf.dispose([actions, ...Object.values(perturbed)])
      return d
    }
    let stddev = 1e-3
    const distances: number[] = []
    const noiseKey = Rng.key(6)
    for (let i = 0; i < 600; i++) {
      const d = measure(Rng.foldIn(noiseKey, i), stddev)
      distances.push(d)
      stddev = adaptStddev(stddev, d, { targetDistance: delta, coefficient: 1.02 })
    }
    expect(tf.memory().numTensors).toBe(before)
    expect(distances[0]).toBeLessThan(delta / 10)
    const last = distances.slice(-200)
    const meanLast = last.reduce((s, d) => s + d, 0) / last.length
    expect(Math.abs(meanLast / delta - 1)).toBeLessThan(0.15)
    // the scale settles: it ends far above where it started
    expect(stddev).toBeGreaterThan(1e-2)
    tf.dispose([clean, observations, ...Object.values(params)])
  })
})
