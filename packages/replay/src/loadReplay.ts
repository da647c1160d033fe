import { type LoadCheckpointOptions, loadCheckpoint } from '@polyak/core'
import * as tf from '@tensorflow/tfjs'
import { makeStorage, type ReplayStorage } from './ReplayStorage.js'

const readInt = (metadata: Readonly<Record<string, unknown>>, name: string, min: number): number => {
  const value = metadata[name]
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new Error(`loadReplay: metadata.${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`)
  }
  return value
}

/**
 * Loads a replay storage written by {@link saveReplay} (the latest checkpoint under `root`, or `options.step`).
 *
 * @remarks
 * Returns a fresh storage whose columns, position and size equal the saved ones bit for bit. The loaded tensors are
 * disposed before the promise settles.
 *
 * @throws Error when the checkpoint is not a replay checkpoint or its shapes disagree with its metadata.
 *
 * @example
 * ```ts
 * const storage = await loadReplay('runs/a/replay')
 * ```
 */
export const loadReplay = async (
  root: string,
  options: Pick<LoadCheckpointOptions, 'step' | 'minStep'> = {},
): Promise<ReplayStorage> => {
  const checkpoint = await loadCheckpoint(root, options)
  try {
    const { metadata, tensors } = checkpoint
    if (metadata.kind !== 'polyak-replay') {
      throw new Error(
        `loadReplay: the checkpoint in ${root} is not a replay checkpoint (kind ${String(metadata.kind)})`,
      )
    }
    const capacity = readInt(metadata, 'capacity', 1)
    const storage = makeStorage({
      capacity,
      observationSize: readInt(metadata, 'observationSize', 1),
      actionSize: readInt(metadata, 'actionSize', 0),
      nStepDiscounts: metadata.nStepDiscounts === true,
    })
    const position = readInt(metadata, 'position', 0)
    const filled = readInt(metadata, 'size', 0)
    if (position >= capacity || filled > capacity) {
      throw new Error(`loadReplay: position ${position} / size ${filled} do not fit capacity ${capacity}`)
    }
    const copy = (name: string, into: Float32Array | Uint8Array): void => {
      const tensor = tensors[name]
      if (tensor === undefined) throw new Error(`loadReplay: the checkpoint has no '${name}' tensor`)
      const values = tensor.dataSync()
      if (values.length !== into.length) {
        throw new Error(`loadReplay: '${name}' holds ${values.length} values, expected ${into.length}`)
      }
      into.set(values)
    }
    copy('observations', storage.observations)
    copy('actions', storage.actions)
    copy('rewards', storage.rewards)
    copy('nextObservations', storage.nextObservations)
    copy('terminated', storage.terminated)
    copy('truncated', storage.truncated)
    if (storage.discounts !== undefined) copy('discounts', storage.discounts)
    storage.counters[0] = position
    storage.counters[1] = filled
    return storage
  } finally {
    tf.dispose(Object.values(checkpoint.tensors))
  }
}
