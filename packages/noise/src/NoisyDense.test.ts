import { dense, Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { initNoisyDense, noisyDense } from './NoisyDense.js'

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync())
const absSum = (t: tf.Tensor): number => {
  const s = tf.tidy(() => tf.sum(tf.abs(t)))
  const v = s.dataSync()[0] as number
  s.dispose()
  return v
}
const f = (x: number): number => Math.sign(x) * Math.sqrt(Math.abs(x))

describe('initNoisyDense', () => {
  it('draws μ in ±1/√p and sets σ = σ0/√p (Fortunato et al. 2018)', () => {
    const params = initNoisyDense(Rng.key(0), 16, 8)
    expect(params.muW.shape).toEqual([16, 8])
    expect(params.sigmaW.shape).toEqual([16, 8])
    expect(params.muB.shape).toEqual([8])
    expect(params.sigmaB.shape).toEqual([8])
    for (const v of [...values(params.muW), ...values(params.muB)]) expect(Math.abs(v)).toBeLessThanOrEqual(0.25)
    for (const v of [...values(params.sigmaW), ...values(params.sigmaB)]) expect(v).toBeCloseTo(0.5 / 4, 7)
    const again = initNoisyDense(Rng.key(0), 16, 8)
    expect(values(again.muW)).toEqual(values(params.muW))
    expect(() => initNoisyDense(Rng.key(0), 0, 8)).toThrow(RangeError)
    tf.dispose([...Object.values(params), ...Object.values(again)])
  })
})

describe('noisyDense', () => {
  it('with σ = 0 equals a plain dense layer of μ', () => {
    const params = initNoisyDense(Rng.key(1), 4, 3, 0)
    const x = tf.tensor2d(Rng.uniformF32(Rng.key(2), 5 * 4, -1, 1), [5, 4])
    const y = noisyDense(Rng.key(3), params, x, 'relu')
    const plain = dense(x, params.muW, params.muB, 'relu')
    expect(values(y)).toEqual(values(plain))
    tf.dispose([y, plain, x, ...Object.values(params)])
  })

  it('matches a hand-built factorised noise y = x(μW + σW⊙f(ε_in)f(ε_out)ᵀ) + μb + σb⊙f(ε_out)', () => {
    const params = initNoisyDense(Rng.key(4), 3, 2)
    const x = tf.tensor2d([
      [1, -2, 0.5],
      [0, 1, 1],
    ])
    const key = Rng.key(5)
    const eps = Array.from(Rng.normal(key, 5), f)
    const [inE, outE] = [eps.slice(0, 3), eps.slice(3)]
    const muW = values(params.muW)
    const sW = values(params.sigmaW)
    const muB = values(params.muB)
    const sB = values(params.sigmaB)
    const xs = values(x)
    const expected: number[] = []
    for (let n = 0; n < 2; n++) {
      for (let j = 0; j < 2; j++) {
        let z = (muB[j] as number) + (sB[j] as number) * (outE[j] as number)
        for (let i = 0; i < 3; i++) {
          const w = (muW[i * 2 + j] as number) + (sW[i * 2 + j] as number) * (inE[i] as number) * (outE[j] as number)
          z += (xs[n * 3 + i] as number) * w
        }
        expected.push(z)
      }
    }
    const before = tf.memory().numTensors
    const y = noisyDense(key, params, x)
    expect(tf.memory().numTensors).toBe(before + 1)
    values(y).forEach((v, k) => {
      expect(v).toBeCloseTo(expected[k] as number, 5)
    })
    // same key, same output; another key differs
    const again = noisyDense(key, params, x)
    const other = noisyDense(Rng.key(6), params, x)
    expect(values(again)).toEqual(values(y))
    expect(values(other)).not.toEqual(values(y))
    tf.dispose([y, again, other, x, ...Object.values(params)])
  })

  it('passes non-zero gradients to μ and σ (tf.valueAndGrads) without leaking', () => {
    const params = initNoisyDense(Rng.key(7), 4, 3)
    const x = tf.tensor2d(Rng.uniformF32(Rng.key(8), 6 * 4, -1, 1), [6, 4])
    const before = tf.memory().numTensors
    const loss = (muW: tf.Tensor, sigmaW: tf.Tensor, muB: tf.Tensor, sigmaB: tf.Tensor): tf.Scalar =>
      tf.sum(
        tf.square(
          noisyDense(
            Rng.key(9),
            {
              muW: muW as tf.Tensor2D,
              sigmaW: sigmaW as tf.Tensor2D,
              muB: muB as tf.Tensor1D,
              sigmaB: sigmaB as tf.Tensor1D,
            },
            x,
            'tanh',
          ),
        ),
      )
    const { value, grads } = tf.valueAndGrads(loss)([params.muW, params.sigmaW, params.muB, params.sigmaB])
    expect(value.dataSync()[0]).toBeGreaterThan(0)
    expect(grads).toHaveLength(4)
    grads.forEach((g, i) => {
      expect(g.shape).toEqual([params.muW, params.sigmaW, params.muB, params.sigmaB][i]?.shape)
      expect(absSum(g)).toBeGreaterThan(1e-6)
    })
    // σ gradients are μ gradients times the noise: dL/dσb = dL/dμb ⊙ f(ε_out)
    const outE = Array.from(Rng.normal(Rng.key(9), 7).slice(4), f)
    const gMuB = values(grads[2] as tf.Tensor)
    values(grads[3] as tf.Tensor).forEach((g, j) => {
      expect(g).toBeCloseTo((gMuB[j] as number) * (outE[j] as number), 5)
    })
    tf.dispose([value, ...grads])
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([x, ...Object.values(params)])
  })
})
