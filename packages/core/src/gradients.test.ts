// The full tfjs package registers tfjs' own gradients on import (over polyak's): they are the reference here.
import '@tensorflow/tfjs'
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { polyakGradients, registerPolyakGradients } from './gradients.js'

/** The element at `i`, which the test built: a missing one is a bug in the test. */
const at = <T>(xs: readonly T[], i: number): T => {
  const x = xs[i]
  if (x === undefined) throw new Error(`no element ${i}`)
  return x
}

type Case = {
  readonly kernel: string
  /** The shapes of the inputs (each case draws its own, broadcasting included). */
  readonly shapes: fc.Arbitrary<readonly number[][]>
  readonly op: (xs: tf.Tensor[]) => tf.Tensor
  /** Inputs kept away from zero (division, log, sqrt) or ties (min/max). */
  readonly positive?: boolean
}

const dim = fc.integer({ min: 1, max: 4 })
const shape = fc.array(dim, { minLength: 1, maxLength: 3 })
/** Two shapes that broadcast: the second is the first with some axes set to 1, or a suffix of it. */
const broadcastPair = shape.chain((s) =>
  fc
    .tuple(fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }), fc.integer({ min: 0, max: s.length }))
    .map(([ones, drop]) => [s, s.map((n, i) => (ones[i] === true ? 1 : n)).slice(drop)] as number[][])
    .chain((pair) => fc.constantFrom(pair, [...pair].reverse())),
)
const single = shape.map((s) => [s])
const matrix = fc.tuple(dim, dim, dim)

const binaryCase = (kernel: string, op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, positive = false): Case => ({
  kernel,
  shapes: broadcastPair,
  op: (xs) => op(at(xs, 0), at(xs, 1)),
  positive,
})
const unaryCase = (kernel: string, op: (x: tf.Tensor) => tf.Tensor, positive = false): Case => ({
  kernel,
  shapes: single,
  op: (xs) => op(at(xs, 0)),
  positive,
})

const equalShapes = shape.map((s) => [s, s])
const nonBroadcasting: readonly Case[] = [
  { kernel: 'Minimum', shapes: equalShapes, op: (xs) => tf.minimum(at(xs, 0), at(xs, 1)) },
  { kernel: 'Maximum', shapes: equalShapes, op: (xs) => tf.maximum(at(xs, 0), at(xs, 1)) },
  { kernel: 'SquaredDifference', shapes: equalShapes, op: (xs) => tf.squaredDifference(at(xs, 0), at(xs, 1)) },
]

const cases: readonly Case[] = [
  binaryCase('Add', tf.add),
  binaryCase('Sub', tf.sub),
  binaryCase('Multiply', tf.mul),
  binaryCase('RealDiv', tf.div, true),
  // tfjs' own Minimum, Maximum and SquaredDifference gradients do not sum over broadcast axes: compared with
  // tfjs on equal shapes here, and with broadcasting below
  ...nonBroadcasting,
  unaryCase('Neg', tf.neg),
  unaryCase('Square', tf.square),
  unaryCase('Abs', tf.abs),
  unaryCase('Relu', tf.relu),
  unaryCase('Exp', tf.exp),
  unaryCase('Log', tf.log, true),
  unaryCase('Log1p', tf.log1p, true),
  unaryCase('Sqrt', tf.sqrt, true),
  unaryCase('Tanh', tf.tanh),
  unaryCase('Sigmoid', tf.sigmoid),
  unaryCase('Identity', (x) => tf.clone(x)),
  unaryCase('Cast', (x) => tf.cast(tf.cast(x, 'int32'), 'float32')),
  unaryCase('Sum', (x) => tf.sum(x, x.rank - 1)),
  unaryCase('Mean', (x) => tf.mean(x, 0, true)),
  unaryCase('Reshape', (x) => tf.reshape(x, [-1])),
  unaryCase('Softmax', (x) => tf.softmax(x)),
  unaryCase('Slice', (x) =>
    tf.slice(
      x,
      x.shape.map((n) => Math.floor(n / 2)),
    ),
  ),
  unaryCase('Transpose', (x) => tf.transpose(x)),
  { kernel: 'Concat', shapes: shape.map((s) => [s, s, s]), op: (xs) => tf.concat(xs, -1) },
  ...[
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ].map(
    ([ta, tb]): Case => ({
      kernel: 'BatchMatMul',
      shapes: matrix.map(([m, k, n]) => [ta === true ? [k, m] : [m, k], tb === true ? [n, k] : [k, n]]),
      op: (xs) => tf.matMul(at(xs, 0), at(xs, 1), ta, tb),
    }),
  ),
]

const ours = new Map(polyakGradients.map((config) => [config.kernelName, config]))

/** The gradients of `op` at `xs` for a random upstream gradient, with the given config for `kernel`. */
const gradientsWith = (config: tf.GradConfig, c: Case, xs: tf.Tensor[], dySeed: number): Float32Array[] => {
  const before = tf.getGradient(c.kernel)
  tf.registerGradient(config)
  try {
    return tf.tidy(() => {
      const probe = c.op(xs)
      const dy = tf.randomUniform(probe.shape, -1, 1, 'float32', dySeed)
      return tf
        .grads((...inputs: tf.Tensor[]) => c.op(inputs))(xs, dy)
        .map((g) => g.dataSync() as Float32Array)
    })
  } finally {
    if (before !== undefined) tf.registerGradient(before)
  }
}

describe('polyakGradients', () => {
  it('registers one gradient per kernel', () => {
    expect(ours.size).toBe(polyakGradients.length)
  })

  it.each(cases.map((c) => [c.kernel, c] as const))('%s: the same gradients as tfjs, bit for bit', (kernel, c) => {
    const config = ours.get(kernel)
    const reference = tf.getGradient(kernel)
    if (config === undefined) throw new Error(`polyak registers no gradient for ${kernel}`)
    if (reference === undefined) throw new Error(`tfjs registers no gradient for ${kernel}`)
    fc.assert(
      fc.property(c.shapes, fc.integer({ min: 1, max: 1_000_000 }), (shapes, seed) => {
        const low = c.positive === true ? 0.5 : -2
        const xs = shapes.map((s, i) => tf.randomUniform(s, low, 2, 'float32', seed + i))
        try {
          const mine = gradientsWith(config, c, xs, seed)
          const theirs = gradientsWith(reference, c, xs, seed)
          expect(mine.map((g) => g.length)).toEqual(xs.map((x) => x.size))
          expect(mine.map((g) => Array.from(g))).toEqual(theirs.map((g) => Array.from(g)))
        } finally {
          tf.dispose(xs)
        }
      }),
      { numRuns: 15 },
    )
  })

  it.each(nonBroadcasting.map((c) => [c.kernel, c] as const))(
    '%s with broadcasting: the gradients of the broadcast inputs, summed back to their shapes',
    (kernel, c) => {
      const config = ours.get(kernel)
      if (config === undefined) throw new Error(`polyak registers no gradient for ${kernel}`)
      fc.assert(
        fc.property(broadcastPair, fc.integer({ min: 1, max: 1_000_000 }), (shapes, seed) => {
          const xs = shapes.map((s, i) => tf.randomUniform(s, -2, 2, 'float32', seed + i))
          try {
            const mine = gradientsWith(config, c, xs, seed)
            const expected = tf.tidy(() => {
              const out = c.op(xs).shape
              // the same op on inputs broadcast beforehand, its gradients summed back over the broadcast axes
              const full = gradientsWith(
                config,
                c,
                xs.map((x) => tf.broadcastTo(x, out)),
                seed,
              )
              return full.map((g, i) => {
                const to = at(xs, i).shape
                return tf.reshape(tf.sum(tf.tensor(g, out), tf.backend_util.getReductionAxes(to, out)), to).dataSync()
              })
            })
            expect(mine.map((g) => g.length)).toEqual(xs.map((x) => x.size))
            mine.forEach((g, i) => {
              g.forEach((v, j) => {
                expect(v).toBeCloseTo(at(Array.from(at(expected, i)), j), 4)
              })
            })
          } finally {
            tf.dispose(xs)
          }
        }),
        { numRuns: 15 },
      )
    },
  )

  it('covers every kernel polyak registers', () => {
    expect(new Set(cases.map((c) => c.kernel))).toEqual(new Set(ours.keys()))
  })

  it('leaks no tensor over many gradient evaluations', () => {
    const x = tf.randomUniform([8, 5], -1, 1, 'float32', 1)
    const w = tf.randomUniform([5, 3], -1, 1, 'float32', 2)
    const loss = (a: tf.Tensor, b: tf.Tensor) =>
      tf.mean(tf.square(tf.sub(tf.tanh(tf.matMul(a, b)), tf.softmax(tf.relu(tf.matMul(a, b))))))
    const before = tf.memory().numTensors
    for (let i = 0; i < 50; i++) tf.dispose(tf.grads(loss)([x, w]))
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([x, w])
  })

  it('keeps a gradient that is already registered', () => {
    expect(registerPolyakGradients()).toEqual([])
  })
})
