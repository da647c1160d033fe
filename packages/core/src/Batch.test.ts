import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { fromTransitions, toTensorBatch, validateBatch } from './Batch.js'
import { makeTransition } from './Transition.js'

const t = (i: number, terminated = false, truncated = false) =>
  makeTransition({
    observation: [i, i + 0.5],
    action: [-i],
    reward: i * 10,
    nextObservation: [i + 1, i + 1.5],
    terminated,
    truncated,
  })

describe('Transition', () => {
  it('copies its inputs into float32 arrays', () => {
    const observation = [1, 2]
    const transition = makeTransition({
      observation,
      action: [0],
      reward: 1,
      nextObservation: [3, 4],
      terminated: false,
      truncated: true,
    })
    observation[0] = 99
    expect(transition.observation).toBeInstanceOf(Float32Array)
    expect(Array.from(transition.observation)).toEqual([1, 2])
    expect(transition.truncated).toBe(true)
    expect(transition.terminated).toBe(false)
  })

  it('rejects mismatched observations and non-finite values, naming the field', () => {
    const base = {
      observation: [1, 2],
      action: [0],
      reward: 0,
      nextObservation: [3, 4],
      terminated: false,
      truncated: false,
    }
    expect(() => makeTransition({ ...base, nextObservation: [1] })).toThrow(
      'observation has 2 values but nextObservation has 1',
    )
    expect(() => makeTransition({ ...base, reward: Number.NaN })).toThrow('reward must be finite, got NaN')
    expect(() => makeTransition({ ...base, action: [0, Number.POSITIVE_INFINITY] })).toThrow(
      'action[1] must be finite, got Infinity',
    )
  })
})

describe('Batch', () => {
  it('stacks transitions row-major and keeps terminated and truncated apart', () => {
    const batch = fromTransitions([t(0), t(1, true), t(2, false, true)])
    expect(batch.size).toBe(3)
    expect(Array.from(batch.observations)).toEqual([0, 0.5, 1, 1.5, 2, 2.5])
    expect(Array.from(batch.nextObservations)).toEqual([1, 1.5, 2, 2.5, 3, 3.5])
    expect(Array.from(batch.actions)).toEqual([-0, -1, -2])
    expect(Array.from(batch.rewards)).toEqual([0, 10, 20])
    expect(Array.from(batch.terminated)).toEqual([0, 1, 0])
    expect(Array.from(batch.truncated)).toEqual([0, 0, 1])
  })

  it('rejects empty lists and transitions of different sizes', () => {
    expect(() => fromTransitions([])).toThrow('no transitions')
    const other = makeTransition({
      observation: [1],
      action: [0],
      reward: 0,
      nextObservation: [1],
      terminated: false,
      truncated: false,
    })
    expect(() => fromTransitions([t(0), other])).toThrow('transition 1 has observation size 1, expected 2')
  })

  it("becomes tensors of the right shapes, and only inside the caller's scope", () => {
    const batch = { ...fromTransitions([t(0), t(1)]), weights: Float32Array.from([0.5, 1]) }
    const before = tf.memory().numTensors
    const shapes = tf.tidy(() => {
      const b = toTensorBatch(batch)
      expect(Array.from(b.weights?.dataSync() ?? [])).toEqual([0.5, 1])
      expect(b.discounts).toBeUndefined()
      return [b.observations.shape, b.actions.shape, b.rewards.shape, b.nextObservations.shape, b.terminated.shape]
    })
    expect(shapes).toEqual([[2, 2], [2, 1], [2], [2, 2], [2]])
    expect(tf.memory().numTensors).toBe(before)
  })

  it('validateBatch names the column whose length is wrong', () => {
    const batch = fromTransitions([t(0), t(1)])
    expect(() => validateBatch({ ...batch, actions: new Float32Array(3) })).toThrow(
      'actions has 3 values, expected 2 (size 2 × actionSize 1)',
    )
    expect(() => validateBatch({ ...batch, weights: new Float32Array(1) })).toThrow('weights has 1 values, expected 2')
  })
})
