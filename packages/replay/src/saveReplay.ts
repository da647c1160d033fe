import { type SaveCheckpointOptions, saveCheckpoint } from '@polyak/core'
import * as tf from '@tensorflow/tfjs'
import { position, type ReplayStorage, size } from './ReplayStorage.js'

/**
 * Saves a replay storage as a polyak checkpoint (core `saveCheckpoint`) under `root` at `step`; resolves to the
 * checkpoint directory.
 *
 * @remarks
 * Every column is stored whole as a tensor (float32 columns as float32, the Uint8 flags as int32, all bit-exact);
 * the metadata holds `capacity`, `observationSize`, `actionSize`, `position`, `size` and whether there are
 * n-step discounts. The temporary tensors are disposed before the promise settles. Prioritized-replay priorities are
 * not saved.
 *
 * @example
 * ```ts
 * await saveReplay('runs/a/replay', storage, 100_000)
 * const restored = await loadReplay('runs/a/replay')
 * ```
 */
export const saveReplay = async (
  root: string,
  storage: ReplayStorage,
  step: number,
  options: SaveCheckpointOptions = {},
): Promise<string> => {
  const { capacity, observationSize, actionSize } = storage
  const tensors: Record<string, tf.Tensor> = {
    observations: tf.tensor2d(storage.observations, [capacity, observationSize], 'float32'),
    actions: tf.tensor2d(storage.actions, [capacity, actionSize], 'float32'),
    rewards: tf.tensor1d(storage.rewards, 'float32'),
    nextObservations: tf.tensor2d(storage.nextObservations, [capacity, observationSize], 'float32'),
    terminated: tf.tensor1d(Int32Array.from(storage.terminated), 'int32'),
    truncated: tf.tensor1d(Int32Array.from(storage.truncated), 'int32'),
    ...(storage.discounts === undefined ? {} : { discounts: tf.tensor1d(storage.discounts, 'float32') }),
  }
  try {
    return await saveCheckpoint(
      root,
      {
        step,
        tensors,
        metadata: {
          kind: 'polyak-replay',
          capacity,
          observationSize,
          actionSize,
          position: position(storage),
          size: size(storage),
          nStepDiscounts: storage.discounts !== undefined,
        },
      },
      options,
    )
  } finally {
    tf.dispose(Object.values(tensors))
  }
}
