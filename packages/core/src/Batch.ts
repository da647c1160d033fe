/**
 * A minibatch of transitions in column form: one flat, row-major float32 array per field. Replay produces batches
 * of typed arrays; {@link toTensorBatch} is the single place where they become tensors.
 *
 * @module Batch
 */
import * as tf from '@tensorflow/tfjs-core'
import type { Transition } from './Transition.js'

/**
 * A minibatch of `size` transitions as typed-array columns. Never mutated after construction.
 *
 * @example
 * ```ts
 * const batch: Batch = fromTransitions([t0, t1]) // batch.size === 2
 * const firstObservation = batch.observations.subarray(0, batch.observationSize)
 * ```
 */
export interface Batch {
  /** Number of transitions. */
  readonly size: number
  /** Length of one observation. */
  readonly observationSize: number
  /** Length of one action. */
  readonly actionSize: number
  /** `[size × observationSize]`, row-major. */
  readonly observations: Float32Array
  /** `[size × actionSize]`, row-major. */
  readonly actions: Float32Array
  /** `[size]`: the (possibly n-step discounted) return before bootstrapping. */
  readonly rewards: Float32Array
  /** `[size × observationSize]`: the observation to bootstrap from. */
  readonly nextObservations: Float32Array
  /** `[size]`, 1 where the episode terminated (no bootstrap), else 0. */
  readonly terminated: Float32Array
  /** `[size]`, 1 where a time limit truncated the episode (bootstrap anyway), else 0. */
  readonly truncated: Float32Array
  /** `[size]`, optional per-sample bootstrap discount (γⁿ for n-step returns); absent means the agent's γ. */
  readonly discounts?: Float32Array
  /** `[size]`, optional importance-sampling weights from prioritized replay; absent means 1. */
  readonly weights?: Float32Array
  /** `[size]`, optional replay indices, so a learner can send priority updates back. */
  readonly indices?: Int32Array
}

/**
 * The tensors of a {@link Batch}, made by {@link toTensorBatch}.
 *
 * @example
 * ```ts
 * const bootstrap = tf.tidy(() => {
 *   const b: TensorBatch = toTensorBatch(batch)
 *   return tf.sub(1, b.terminated) // [size]: 0 where the episode terminated, 1 elsewhere (truncated included)
 * })
 * ```
 */
export interface TensorBatch {
  readonly observations: tf.Tensor2D
  readonly actions: tf.Tensor2D
  readonly rewards: tf.Tensor1D
  readonly nextObservations: tf.Tensor2D
  readonly terminated: tf.Tensor1D
  readonly truncated: tf.Tensor1D
  readonly discounts?: tf.Tensor1D
  readonly weights?: tf.Tensor1D
}

/**
 * Checks that every column of a batch has the length its sizes promise; throws an Error naming the column.
 *
 * @example
 * ```ts
 * validateBatch(batch) // throws "Batch: actions has 5 values, expected 6 (size 3 × actionSize 2)"
 * ```
 */
export const validateBatch = (batch: Batch): void => {
  const { size, observationSize, actionSize } = batch
  const expect = (name: string, actual: number | undefined, expected: number, how: string): void => {
    if (actual !== undefined && actual !== expected) {
      throw new RangeError(`Batch: ${name} has ${actual} values, expected ${expected} (${how})`)
    }
  }
  const rows = `size ${size} × observationSize ${observationSize}`
  expect('observations', batch.observations.length, size * observationSize, rows)
  expect('nextObservations', batch.nextObservations.length, size * observationSize, rows)
  expect('actions', batch.actions.length, size * actionSize, `size ${size} × actionSize ${actionSize}`)
  for (const name of ['rewards', 'terminated', 'truncated', 'discounts', 'weights', 'indices'] as const) {
    expect(name, batch[name]?.length, size, `size ${size}`)
  }
}

/**
 * Stacks transitions into a batch (copying their arrays).
 *
 * @throws when the list is empty or the transitions differ in observation or action size
 *
 * @example
 * ```ts
 * const batch = fromTransitions([t0, t1, t2]) // batch.size === 3
 * ```
 */
export const fromTransitions = (transitions: readonly Transition[]): Batch => {
  const first = transitions[0]
  if (first === undefined) throw new RangeError('fromTransitions: no transitions')
  const size = transitions.length
  const observationSize = first.observation.length
  const actionSize = first.action.length
  const observations = new Float32Array(size * observationSize)
  const nextObservations = new Float32Array(size * observationSize)
  const actions = new Float32Array(size * actionSize)
  const rewards = new Float32Array(size)
  const terminated = new Float32Array(size)
  const truncated = new Float32Array(size)
  transitions.forEach((t, i) => {
    if (t.observation.length !== observationSize || t.nextObservation.length !== observationSize) {
      throw new RangeError(
        `fromTransitions: transition ${i} has observation size ${t.observation.length}, expected ${observationSize}`,
      )
    }
    if (t.action.length !== actionSize) {
      throw new RangeError(
        `fromTransitions: transition ${i} has action size ${t.action.length}, expected ${actionSize}`,
      )
    }
    observations.set(t.observation, i * observationSize)
    nextObservations.set(t.nextObservation, i * observationSize)
    actions.set(t.action, i * actionSize)
    rewards[i] = t.reward
    terminated[i] = t.terminated ? 1 : 0
    truncated[i] = t.truncated ? 1 : 0
  })
  return { size, observationSize, actionSize, observations, actions, rewards, nextObservations, terminated, truncated }
}

/**
 * Turns a batch into tensors. This is the only place where replay data becomes tensors; call it inside the update
 * function's `tf.tidy` so they are freed with the step. Indices stay on the JavaScript side.
 *
 * @example
 * ```ts
 * const loss = tf.tidy(() => {
 *   const b = toTensorBatch(batch)
 *   return tf.mean(b.rewards)
 * })
 * ```
 */
export const toTensorBatch = (batch: Batch): TensorBatch => {
  validateBatch(batch)
  const { size, observationSize, actionSize } = batch
  return {
    observations: tf.tensor2d(batch.observations, [size, observationSize]),
    actions: tf.tensor2d(batch.actions, [size, actionSize]),
    rewards: tf.tensor1d(batch.rewards),
    nextObservations: tf.tensor2d(batch.nextObservations, [size, observationSize]),
    terminated: tf.tensor1d(batch.terminated),
    truncated: tf.tensor1d(batch.truncated),
    ...(batch.discounts === undefined ? {} : { discounts: tf.tensor1d(batch.discounts) }),
    ...(batch.weights === undefined ? {} : { weights: tf.tensor1d(batch.weights) }),
  }
}
