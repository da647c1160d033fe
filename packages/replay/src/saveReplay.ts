import { type SaveCheckpointOptions, saveCheckpoint } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import type { ReplaySnapshot } from './ReplaySnapshot.js'
import { position, size } from './ReplayStorage.js'
import { leaves } from './SumTree.js'

/** The bits of float64 values as int32 pairs (tfjs tensors hold no float64), so priorities round-trip exactly. */
const float64Bits = (values: Float64Array): Int32Array =>
  new Int32Array(values.buffer, values.byteOffset, values.length * 2).slice()

/**
 * Saves a replay memory as a polyak checkpoint (core `saveCheckpoint`) under `root` at `step`; resolves to the
 * checkpoint directory. Written atomically, like every core checkpoint.
 *
 * @remarks
 * Every column is stored whole as a tensor (float32 columns as float32, the Uint8 flags as int32, all bit-exact).
 * With prioritized replay, the sum tree's leaves (pᵅ as float64) are stored as their bits, and α, ε, the largest
 * priority and the number of leaves in use go to the metadata, so the restored tree is bit-for-bit the same. The
 * metadata also holds `capacity`, `observationSize`, `actionSize`, `position`, `size`, whether there are n-step
 * discounts, and the operator counters `stored` and `batches`. The columns are copied into tensors before the first
 * `await`, so the memory may keep changing once the call returns; the tensors are disposed before the promise
 * settles.
 *
 * @example
 * ```ts
 * await saveReplay('runs/a/replay', { storage, stored: 100_000, batches: 90_000 }, 100_000)
 * const restored = await loadReplay('runs/a/replay')
 * ```
 */
export const saveReplay = async (
  root: string,
  snapshot: ReplaySnapshot,
  step: number,
  options: SaveCheckpointOptions = {},
): Promise<string> => {
  const { storage, prioritized, stored, batches } = snapshot
  const { capacity, observationSize, actionSize } = storage
  // tf.tensor may keep a reference to a typed array on some backends: hand it copies of the live columns
  const tensors: Record<string, tf.Tensor> = {
    observations: tf.tensor2d(storage.observations.slice(), [capacity, observationSize], 'float32'),
    actions: tf.tensor2d(storage.actions.slice(), [capacity, actionSize], 'float32'),
    rewards: tf.tensor1d(storage.rewards.slice(), 'float32'),
    nextObservations: tf.tensor2d(storage.nextObservations.slice(), [capacity, observationSize], 'float32'),
    terminated: tf.tensor1d(Int32Array.from(storage.terminated), 'int32'),
    truncated: tf.tensor1d(Int32Array.from(storage.truncated), 'int32'),
    ...(storage.discounts === undefined ? {} : { discounts: tf.tensor1d(storage.discounts.slice(), 'float32') }),
    ...(prioritized === undefined
      ? {}
      : { priorityBits: tf.tensor2d(float64Bits(leaves(prioritized.tree)), [capacity, 2], 'int32') }),
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
          stored,
          batches,
          ...(prioritized === undefined
            ? {}
            : {
                prioritized: {
                  alpha: prioritized.alpha,
                  epsilon: prioritized.epsilon,
                  maxPriority: prioritized.maxPriority[0] as number,
                  filled: prioritized.filled[0] as number,
                },
              }),
        },
      },
      options,
    )
  } finally {
    tf.dispose(Object.values(tensors))
  }
}
