import {
  decodeOrThrow,
  type LoadCheckpointOptions,
  loadCheckpoint,
  NonNegativeInt,
  NonNegativeNumber,
  PositiveInt,
  PositiveNumber,
  strictObject,
} from '@polyak/core'
import * as tf from '@tensorflow/tfjs'
import * as t from 'io-ts'
import type { PrioritizedState } from './PrioritizedSampler.js'
import type { ReplaySnapshot } from './ReplaySnapshot.js'
import { makeStorage } from './ReplayStorage.js'
import { fromLeaves } from './SumTree.js'

/** The metadata `saveReplay` writes, checked before any of it is trusted. */
const ReplayMetadata = strictObject('ReplayMetadata', {
  kind: t.literal('polyak-replay'),
  capacity: PositiveInt,
  observationSize: PositiveInt,
  actionSize: NonNegativeInt,
  position: NonNegativeInt,
  size: NonNegativeInt,
  nStepDiscounts: t.boolean,
  stored: NonNegativeInt,
  batches: NonNegativeInt,
  prioritized: t.union([
    strictObject('PrioritizedMetadata', {
      alpha: NonNegativeNumber,
      epsilon: NonNegativeNumber,
      maxPriority: PositiveNumber,
      filled: NonNegativeInt,
    }),
    t.undefined,
  ]),
})

/**
 * Loads a replay memory written by {@link saveReplay} (the latest checkpoint under `root`, or `options.step`).
 *
 * @remarks
 * Resolves to a fresh {@link ReplaySnapshot} whose columns, ring position and size, priorities (a sum tree
 * bit-for-bit equal to the saved one) and operator counters equal the saved ones. Pass it to
 * `remember(config, { initial })` to resume. The metadata is validated with io-ts (errors name the field), the
 * tensors are checked against it, and the loaded tensors are disposed before the promise settles.
 *
 * @throws Error when the checkpoint is not a replay checkpoint, or its metadata or tensors are inconsistent.
 *
 * @example
 * ```ts
 * const snapshot = await loadReplay('runs/a/replay')
 * size(snapshot.storage) // the number of rows that were saved
 * ```
 */
export const loadReplay = async (
  root: string,
  options: Pick<LoadCheckpointOptions, 'step' | 'minStep'> = {},
): Promise<ReplaySnapshot> => {
  const checkpoint = await loadCheckpoint(root, options)
  try {
    const { metadata, tensors } = checkpoint
    if (metadata.kind !== 'polyak-replay') {
      throw new Error(
        `loadReplay: the checkpoint in ${root} is not a replay checkpoint (kind ${String(metadata.kind)})`,
      )
    }
    const meta = decodeOrThrow(ReplayMetadata, metadata, `replay checkpoint metadata in ${root}`)
    const { capacity } = meta
    if (meta.position >= capacity || meta.size > capacity) {
      throw new Error(`loadReplay: position ${meta.position} / size ${meta.size} do not fit capacity ${capacity}`)
    }
    const storage = makeStorage({
      capacity,
      observationSize: meta.observationSize,
      actionSize: meta.actionSize,
      nStepDiscounts: meta.nStepDiscounts,
    })
    const values = (name: string, length: number): tf.TypedArray => {
      const tensor = tensors[name]
      if (tensor === undefined) throw new Error(`loadReplay: the checkpoint has no '${name}' tensor`)
      const data = tensor.dataSync()
      if (data.length !== length) {
        throw new Error(`loadReplay: '${name}' holds ${data.length} values, expected ${length}`)
      }
      return data
    }
    const copy = (name: string, into: Float32Array | Uint8Array): void => into.set(values(name, into.length))
    copy('observations', storage.observations)
    copy('actions', storage.actions)
    copy('rewards', storage.rewards)
    copy('nextObservations', storage.nextObservations)
    copy('terminated', storage.terminated)
    copy('truncated', storage.truncated)
    if (storage.discounts !== undefined) copy('discounts', storage.discounts)
    storage.counters[0] = meta.position
    storage.counters[1] = meta.size
    let prioritized: PrioritizedState | undefined
    if (meta.prioritized !== undefined) {
      const bits = Int32Array.from(values('priorityBits', 2 * capacity))
      prioritized = {
        alpha: meta.prioritized.alpha,
        epsilon: meta.prioritized.epsilon,
        tree: fromLeaves(new Float64Array(bits.buffer)),
        maxPriority: Float64Array.of(meta.prioritized.maxPriority),
        filled: Int32Array.of(meta.prioritized.filled),
      }
    }
    return {
      storage,
      ...(prioritized === undefined ? {} : { prioritized }),
      stored: meta.stored,
      batches: meta.batches,
    }
  } finally {
    tf.dispose(Object.values(checkpoint.tensors))
  }
}
