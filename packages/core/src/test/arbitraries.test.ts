import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { adamUpdate, disposeAdam, initAdam } from '../Adam.js'
import { validateBatch } from '../Batch.js'
import { BoxSpecCodec, contains, isBounded, size } from '../BoxSpec.js'
import { disposeParams, parameterCount } from '../Params.js'
import { makeTransition } from '../Transition.js'
import {
  arbitraryAdamConfig,
  arbitraryBatch,
  arbitraryBoxSpec,
  arbitraryParams,
  arbitraryParamValues,
  arbitraryTransition,
  arbitraryValueIn,
} from './index.js'

describe('@polyak/core/test arbitraries', () => {
  it('arbitraryBoxSpec: valid, float32 specs; bounded and non-degenerate unless asked', () => {
    fc.assert(
      fc.property(arbitraryBoxSpec({ minSize: 2, maxSize: 3 }), (spec) => {
        expect(BoxSpecCodec.is(spec)).toBe(true)
        expect(size(spec)).toBeGreaterThanOrEqual(2)
        expect(size(spec)).toBeLessThanOrEqual(3)
        expect(isBounded(spec)).toBe(true)
        spec.low.forEach((low, i) => {
          expect(Math.fround(low)).toBe(low)
          expect(low).toBeLessThan(spec.high[i] as number)
        })
      }),
    )
    const drawn = fc.sample(arbitraryBoxSpec({ unbounded: true, degenerate: true, maxSize: 6 }), {
      numRuns: 200,
      seed: 1,
    })
    expect(drawn.some((spec) => !isBounded(spec))).toBe(true)
    expect(drawn.some((spec) => spec.low.some((low, i) => low === spec.high[i]))).toBe(true)
    expect(drawn.every((spec) => BoxSpecCodec.is(spec))).toBe(true)
    fc.assert(
      fc.property(arbitraryBoxSpec({ shape: [2, 3] }), (spec) => {
        expect(spec.shape).toEqual([2, 3])
      }),
    )
  })

  it('arbitraryValueIn: finite float32 values inside the box, also for unbounded and degenerate sides', () => {
    const specAndValue = arbitraryBoxSpec({ unbounded: true, degenerate: true }).chain((spec) =>
      fc.tuple(fc.constant(spec), arbitraryValueIn(spec)),
    )
    fc.assert(
      fc.property(specAndValue, ([spec, x]) => {
        expect(x).toBeInstanceOf(Float32Array)
        expect(Array.from(x).every(Number.isFinite)).toBe(true)
        expect(contains(spec, x)).toBe(true)
      }),
    )
  })

  it('arbitraryTransition: transitions makeTransition accepts, inside the spaces, with every end flag', () => {
    const spaces = arbitraryBoxSpec({ maxSize: 4, unbounded: true }).chain((observationSpace) =>
      arbitraryBoxSpec({ maxSize: 2 }).map((actionSpace) => ({ observationSpace, actionSpace })),
    )
    fc.assert(
      fc.property(
        spaces.chain((s) => fc.tuple(fc.constant(s), arbitraryTransition(s))),
        ([s, transition]) => {
          expect(makeTransition(transition)).toEqual(transition)
          expect(contains(s.observationSpace, transition.observation)).toBe(true)
          expect(contains(s.observationSpace, transition.nextObservation)).toBe(true)
          expect(contains(s.actionSpace, transition.action)).toBe(true)
        },
      ),
    )
    const flags = fc
      .sample(arbitraryTransition({ observationSize: 1, actionSize: 1 }), { numRuns: 300, seed: 2 })
      .map((t) => `${t.terminated}/${t.truncated}`)
    expect(new Set(flags)).toEqual(new Set(['false/false', 'true/false', 'false/true', 'true/true']))
    const exclusive = fc.sample(arbitraryTransition({ observationSize: 1, actionSize: 1 }, { ends: 'exclusive' }), {
      numRuns: 300,
      seed: 2,
    })
    expect(exclusive.some((t) => t.terminated && t.truncated)).toBe(false)
    const never = fc.sample(
      arbitraryTransition({ observationSize: 1, actionSize: 1 }, { ends: 'never', reward: fc.constant(-1) }),
      { numRuns: 50, seed: 2 },
    )
    expect(never.every((t) => !t.terminated && !t.truncated && t.reward === -1)).toBe(true)
  })

  it('arbitraryBatch: valid batches of the asked sizes with the asked optional columns', () => {
    fc.assert(
      fc.property(
        arbitraryBatch({
          observationSize: 3,
          actionSize: 2,
          minSize: 2,
          maxSize: 5,
          discounts: true,
          weights: true,
          indices: true,
        }),
        (batch) => {
          validateBatch(batch)
          expect([batch.observationSize, batch.actionSize]).toEqual([3, 2])
          expect(batch.size).toBeGreaterThanOrEqual(2)
          expect(batch.size).toBeLessThanOrEqual(5)
          expect(batch.discounts?.every((d) => d >= 0 && d <= 1)).toBe(true)
          expect(batch.weights?.every((w) => w > 0 && w <= 1)).toBe(true)
          expect(batch.indices).toBeInstanceOf(Int32Array)
          expect(Array.from(batch.terminated).every((x) => x === 0 || x === 1)).toBe(true)
        },
      ),
    )
    fc.assert(
      fc.property(arbitraryBatch(), (batch) => {
        validateBatch(batch)
        expect(batch.discounts).toBeUndefined()
        expect(batch.weights).toBeUndefined()
        expect(batch.indices).toBeUndefined()
      }),
    )
  })

  it('arbitraryParams / arbitraryParamValues: the given shapes, or MLP shapes, with bounded values', () => {
    fc.assert(
      fc.property(arbitraryParamValues({ w: [2, 3], b: [3] }, 1), (values) => {
        expect(Object.keys(values).sort()).toEqual(['b', 'w'])
        expect(values.w?.length).toBe(6)
        expect(Array.from(values.w ?? []).every((x) => Math.abs(x) <= 1)).toBe(true)
      }),
    )
    const before = tf.memory().numTensors
    fc.assert(
      fc.property(arbitraryParams(), (params) => {
        const names = Object.keys(params)
        expect(names.length % 2).toBe(0)
        for (const name of names.filter((n) => n.endsWith('/kernel'))) {
          const bias = params[name.replace('/kernel', '/bias')]
          expect(params[name]?.shape[1]).toBe(bias?.shape[0])
        }
        expect(parameterCount(params)).toBeGreaterThan(0)
        disposeParams(params)
      }),
      { numRuns: 30 },
    )
    expect(tf.memory().numTensors).toBe(before)
  })

  it('arbitraryAdamConfig: configs adamUpdate runs with, giving finite parameters', () => {
    fc.assert(
      fc.property(arbitraryAdamConfig(), arbitraryParams({ w: [2, 2] }), (config, params) => {
        const grads = { w: tf.onesLike(params.w as tf.Tensor) }
        const state = initAdam(params)
        const next = adamUpdate(config)(params, grads, state)
        expect(Array.from(next.params.w?.dataSync() ?? []).every(Number.isFinite)).toBe(true)
        disposeParams(params, grads, next.params)
        disposeAdam(state)
        disposeAdam(next.state)
      }),
      { numRuns: 20 },
    )
  })
})
