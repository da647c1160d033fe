import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { setBackend } from './backend.js'
import { type Activation, dense, denseReference } from './dense.js'

const activations: readonly Activation[] = ['linear', 'relu', 'tanh']

/** Deterministic pseudo-random fill from a seed (a test fixture, not the library's Rng). */
const fill = (n: number, seed: number): Float32Array => {
  const out = new Float32Array(n)
  let s = seed >>> 0 || 1
  for (let i = 0; i < n; i++) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    out[i] = ((s >>> 0) / 2 ** 32) * 2 - 1
  }
  return out
}

const layer = (batch: number, inputs: number, outputs: number, seed: number) => ({
  x: tf.tensor2d(fill(batch * inputs, seed), [batch, inputs]),
  w: tf.tensor2d(fill(inputs * outputs, seed + 1), [inputs, outputs]),
  b: tf.tensor1d(fill(outputs, seed + 2)),
  // a fixed random projection makes the loss depend on every output with different weights
  r: tf.tensor2d(fill(batch * outputs, seed + 3), [batch, outputs]),
})

const gradsOf = (f: typeof dense, l: ReturnType<typeof layer>, activation: Activation) =>
  tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(f(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, activation), l.r)),
    )([l.x, l.w, l.b])
    return [value, ...grads].map((t) => Array.from(t.dataSync()))
  })

const expectClose = (actual: readonly number[], expected: readonly number[], tolerance: number): void => {
  expect(actual.length).toBe(expected.length)
  actual.forEach((a, i) => {
    const e = expected[i] as number
    expect(Math.abs(a - e)).toBeLessThanOrEqual(tolerance * (1 + Math.abs(e)))
  })
}

describe('dense', () => {
  it('matches plain tfjs ops in value and in all three gradients, on random shapes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 1e6 }),
        fc.constantFrom(...activations),
        (batch, inputs, outputs, seed, activation) => {
          const l = layer(batch, inputs, outputs, seed)
          const ours = gradsOf(dense, l, activation)
          const reference = gradsOf(denseReference, l, activation)
          ours.forEach((values, k) => {
            expectClose(values, reference[k] as number[], 1e-5)
          })
          tf.dispose(Object.values(l))
        },
      ),
      { numRuns: 60 },
    )
  })

  it('agrees with central finite differences (tanh, float32 tolerance)', async () => {
    const l = layer(3, 4, 2, 7)
    const [, dx, dw, db] = gradsOf(dense, l, 'tanh') as [number[], number[], number[], number[]]
    const loss = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): number =>
      tf.tidy(() => tf.sum(tf.mul(denseReference(x, w, b, 'tanh'), l.r)).dataSync()[0] as number)
    const eps = 1e-2
    const check = (which: 'x' | 'w' | 'b', analytic: readonly number[]) => {
      const base = l[which].dataSync().slice()
      analytic.forEach((g, i) => {
        const shifted = (delta: number) => {
          const values = base.slice()
          values[i] = (values[i] as number) + delta
          const t = tf.tensor(values, l[which].shape)
          const args = { x: l.x, w: l.w, b: l.b, [which]: t }
          const value = loss(args.x as tf.Tensor2D, args.w as tf.Tensor2D, args.b as tf.Tensor1D)
          t.dispose()
          return value
        }
        const numeric = (shifted(eps) - shifted(-eps)) / (2 * eps)
        expect(Math.abs(numeric - g)).toBeLessThan(2e-3)
      })
    }
    check('x', dx)
    check('w', dw)
    check('b', db)
    tf.dispose(Object.values(l))
  })

  it('gives the same gradients on the cpu and wasm backends', async () => {
    const results: number[][][] = []
    const original = tf.getBackend()
    for (const backend of ['cpu', 'wasm'] as const) {
      await setBackend(backend)
      const l = layer(16, 12, 8, 3)
      results.push(gradsOf(dense, l, 'relu'))
      tf.dispose(Object.values(l))
    }
    await tf.setBackend(original)
    const [cpu, wasm] = results as [number[][], number[][]]
    cpu.forEach((values, k) => {
      expectClose(wasm[k] as number[], values, 1e-5)
    })
  })

  it('leaks no tensors over many forward/backward passes', () => {
    const l = layer(8, 5, 4, 11)
    gradsOf(dense, l, 'relu')
    const before = tf.memory().numTensors
    for (let i = 0; i < 500; i++) gradsOf(dense, l, activations[i % 3] as Activation)
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose(Object.values(l))
  })
})
