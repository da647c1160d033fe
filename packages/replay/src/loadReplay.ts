import {
  checkpointFiles,
  decodeOrThrow,
  type LoadCheckpointOptions,
  loadCheckpoint,
  NonNegativeInt,
  NonNegativeNumber,
  PositiveInt,
  PositiveNumber,
  strictObject,
} from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
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
 * Options of {@link loadReplay}.
 *
 * @example
 * ```ts
 * const options: LoadReplayOptions = { expected: { observationSize: 3, actionSize: 1, capacity: 100_000 } }
 * ```
 */
export interface LoadReplayOptions extends Pick<LoadCheckpointOptions, 'step' | 'minStep' | 'requireChecksums'> {
  /** Sizes the memory must have (e.g. from the env and the config); any difference is an error. */
  readonly expected?: {
    readonly observationSize?: number
    readonly actionSize?: number
    readonly capacity?: number
  }
}

/** Every disagreement of a replay's counters with each other (see {@link loadReplay}). */
const counterProblems = (meta: t.TypeOf<typeof ReplayMetadata>): string[] => {
  const { capacity, position, size, stored } = meta
  const problems: string[] = []
  if (position >= capacity) problems.push(`position ${position} is not below capacity ${capacity}`)
  if (size > capacity) problems.push(`size ${size} exceeds capacity ${capacity}`)
  if (size !== Math.min(stored, capacity)) {
    problems.push(
      `size ${size} disagrees with stored ${stored} (expected min(stored, capacity) = ${Math.min(stored, capacity)})`,
    )
  }
  if (position !== stored % capacity) {
    problems.push(
      `position ${position} disagrees with stored ${stored} (expected stored mod capacity = ${stored % capacity})`,
    )
  }
  if (meta.prioritized !== undefined && meta.prioritized.filled !== size) {
    problems.push(`prioritized.filled ${meta.prioritized.filled} differs from size ${size}`)
  }
  return problems
}

/**
 * Loads a replay memory written by {@link saveReplay} (the latest checkpoint under `root`, or `options.step`).
 *
 * @remarks
 * Resolves to a fresh {@link ReplaySnapshot} whose columns, ring position and size, priorities (a sum tree
 * bit-for-bit equal to the saved one) and operator counters equal the saved ones. Pass it to
 * `remember(config, { initial })` to resume. The files are verified against their checksums (core `loadCheckpoint`),
 * the metadata is validated with io-ts (errors name the field), the counters are checked against each other
 * (`position < capacity`, `size ≤ capacity`, `size = min(stored, capacity)`, `position = stored mod capacity`, the
 * prioritized `filled = size`), the tensors against the metadata (names, shapes, flags 0 or 1, no data beyond `size`,
 * finite non-negative priorities), and the sizes against `options.expected`. Every error names the file. The
 * loaded tensors are disposed before the promise settles.
 *
 * @throws Error when the checkpoint is not a replay checkpoint, or its files, metadata or tensors are damaged or
 *   inconsistent.
 *
 * @example
 * ```ts
 * const snapshot = await loadReplay('runs/a/replay')
 * size(snapshot.storage) // the number of rows that were saved
 * ```
 */
export const loadReplay = async (root: string, options: LoadReplayOptions = {}): Promise<ReplaySnapshot> => {
  const { expected, ...loadOptions } = options
  const checkpoint = await loadCheckpoint(root, loadOptions)
  try {
    const { metadata, tensors } = checkpoint
    const files = checkpointFiles(root, checkpoint.step)
    if (metadata.kind !== 'polyak-replay') {
      throw new Error(`loadReplay: ${files.modelJson} is not a replay checkpoint (kind ${String(metadata.kind)})`)
    }
    const meta = decodeOrThrow(ReplayMetadata, metadata, `replay checkpoint metadata in ${files.modelJson}`)
    const { capacity } = meta
    const problems = counterProblems(meta)
    for (const key of ['observationSize', 'actionSize', 'capacity'] as const) {
      const want = expected?.[key]
      if (want !== undefined && meta[key] !== want) problems.push(`${key} is ${meta[key]}, expected ${want}`)
    }
    const names = new Set([
      'observations',
      'actions',
      'rewards',
      'nextObservations',
      'terminated',
      'truncated',
      ...(meta.nStepDiscounts ? ['discounts'] : []),
      ...(meta.prioritized === undefined ? [] : ['priorityBits']),
    ])
    const unexpected = Object.keys(tensors).filter((name) => !names.has(name))
    if (unexpected.length > 0) problems.push(`unexpected tensors ${unexpected.map((n) => `'${n}'`).join(', ')}`)
    if (problems.length > 0) {
      throw new Error(`loadReplay: ${files.modelJson} is inconsistent: ${problems.join('; ')}`)
    }
    const storage = makeStorage({
      capacity,
      observationSize: meta.observationSize,
      actionSize: meta.actionSize,
      nStepDiscounts: meta.nStepDiscounts,
    })
    const values = (name: string, length: number): tf.TypedArray => {
      const tensor = tensors[name]
      if (tensor === undefined) throw new Error(`loadReplay: ${files.modelJson} has no '${name}' tensor`)
      const data = tensor.dataSync()
      if (data.length !== length) {
        throw new Error(`loadReplay: '${name}' in ${files.weights} holds ${data.length} values, expected ${length}`)
      }
      return data
    }
    /** Copies a column, checking that the rows from `size` on are empty (they are never written before use). */
    const copy = (name: string, into: Float32Array | Uint8Array): void => {
      const data = values(name, into.length)
      const width = into.length / capacity
      for (let i = meta.size * width; i < data.length; i++) {
        if (data[i] !== 0) {
          throw new Error(
            `loadReplay: '${name}' in ${files.weights} holds data in row ${Math.floor(i / width)}, beyond size ` +
              `${meta.size} (the counters in ${files.modelJson} and the data disagree)`,
          )
        }
      }
      if (into instanceof Uint8Array) {
        const flag = data.findIndex((v) => v !== 0 && v !== 1)
        if (flag >= 0) {
          throw new Error(`loadReplay: '${name}' in ${files.weights} holds ${data[flag]} in row ${flag}, not 0 or 1`)
        }
      }
      into.set(data)
    }
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
      const priorities = new Float64Array(bits.buffer)
      const bad = priorities.findIndex((p, i) => !(Number.isFinite(p) && p >= 0) || (i >= meta.size && p !== 0))
      if (bad >= 0) {
        throw new Error(
          `loadReplay: 'priorityBits' in ${files.weights} holds priority ${priorities[bad]} at row ${bad} ` +
            `(priorities are finite, >= 0, and 0 from size ${meta.size} on)`,
        )
      }
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
