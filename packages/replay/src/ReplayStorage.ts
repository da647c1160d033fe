import type { Batch, Transition } from '@polyak/core'

/**
 * A transition produced by n-step accumulation: `reward` is the discounted sum of the next `m ≤ n` rewards and
 * `discount` is the bootstrap multiplier γ^m to apply to the value of `nextObservation`.
 *
 * @remarks
 * Convention: `discount` always stores the full bootstrap multiplier (γ^m, *including* γ), never a bare step count.
 * Plain 1-step transitions carry no `discount`; a learner then uses its own γ (the batch has no `discounts`).
 * See D4PG (Barth-Maron et al., 2018) and Sutton & Barto (2018, §7.1).
 *
 * @example
 * ```ts
 * const t: NStepTransition = { ...transition, reward: 1 + 0.99 * 0.5, discount: 0.99 ** 2 }
 * ```
 */
export type NStepTransition = Transition & { readonly discount: number }

/**
 * Preallocated column storage for a ring-buffer replay memory.
 *
 * @remarks
 * Every column is a typed array with `capacity` rows. The storage is mutable: it is owned by exactly one subscription
 * (or closure) and must never be shared or exposed; {@link add} is the one function that mutates it. `counters`
 * holds `[position, size]` (next write row, rows filled).
 *
 * @example
 * ```ts
 * const storage = makeStorage({ capacity: 1000, observationSize: 3, actionSize: 1 })
 * add(storage, transition)
 * size(storage) // 1
 * ```
 */
export interface ReplayStorage {
  readonly capacity: number
  readonly observationSize: number
  readonly actionSize: number
  readonly observations: Float32Array
  readonly actions: Float32Array
  readonly rewards: Float32Array
  readonly nextObservations: Float32Array
  readonly terminated: Uint8Array
  readonly truncated: Uint8Array
  /** Bootstrap multipliers γ^m (present only when made with `nStepDiscounts: true`). */
  readonly discounts?: Float32Array
  /** `[position, size]`; private bookkeeping, read through {@link position} and {@link size}. */
  readonly counters: Int32Array
}

/**
 * Options of {@link makeStorage}.
 *
 * @example
 * ```ts
 * const options: StorageOptions = { capacity: 1_000_000, observationSize: 17, actionSize: 6 }
 * ```
 */
export interface StorageOptions {
  readonly capacity: number
  readonly observationSize: number
  readonly actionSize: number
  /** Allocate a `discounts` column for n-step transitions ({@link NStepTransition}). */
  readonly nStepDiscounts?: boolean
}

const checkPositiveInt = (name: string, value: number, min: number): void => {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`makeStorage: ${name} must be an integer >= ${min}, got ${value}`)
  }
}

/**
 * Allocates the columns of a replay memory up front (no allocation happens while adding).
 *
 * @throws RangeError when a size is not a valid integer.
 *
 * @example
 * ```ts
 * const storage = makeStorage({ capacity: 1_000_000, observationSize: 17, actionSize: 6, nStepDiscounts: true })
 * byteLength(storage) // 1e6 * (4*17*2 + 4*6 + 4 + 1 + 1 + 4)
 * ```
 */
export const makeStorage = (options: StorageOptions): ReplayStorage => {
  const { capacity, observationSize, actionSize } = options
  checkPositiveInt('capacity', capacity, 1)
  checkPositiveInt('observationSize', observationSize, 1)
  checkPositiveInt('actionSize', actionSize, 0)
  return {
    capacity,
    observationSize,
    actionSize,
    observations: new Float32Array(capacity * observationSize),
    actions: new Float32Array(capacity * actionSize),
    rewards: new Float32Array(capacity),
    nextObservations: new Float32Array(capacity * observationSize),
    terminated: new Uint8Array(capacity),
    truncated: new Uint8Array(capacity),
    ...(options.nStepDiscounts === true ? { discounts: new Float32Array(capacity) } : {}),
    counters: new Int32Array(2),
  }
}

/**
 * The row the next {@link add} writes to.
 *
 * @example
 * ```ts
 * position(makeStorage({ capacity: 4, observationSize: 1, actionSize: 1 })) // 0
 * ```
 */
export const position = (storage: ReplayStorage): number => storage.counters[0] as number

/**
 * The number of rows filled, at most `capacity`.
 *
 * @example
 * ```ts
 * size(storage) // min(number of transitions added, capacity)
 * ```
 */
export const size = (storage: ReplayStorage): number => storage.counters[1] as number

/**
 * Writes one transition at {@link position} (overwriting the oldest when full) and advances the ring; returns the row
 * written.
 *
 * @remarks
 * This is the one mutation of a storage. Call it only from the subscription that owns the storage. When the storage
 * has a `discounts` column the transition must carry a `discount` ({@link NStepTransition}).
 *
 * @throws RangeError on a shape mismatch or a missing `discount`.
 *
 * @example
 * ```ts
 * const row = add(storage, makeTransition({ observation: [0], action: [1], reward: 1, nextObservation: [1],
 *   terminated: false, truncated: false }))
 * ```
 */
export const add = (storage: ReplayStorage, transition: Transition | NStepTransition): number => {
  const { observationSize: o, actionSize: a, capacity } = storage
  if (transition.observation.length !== o || transition.nextObservation.length !== o) {
    throw new RangeError(
      `add: observation sizes ${transition.observation.length}/${transition.nextObservation.length}, expected ${o}`,
    )
  }
  if (transition.action.length !== a) {
    throw new RangeError(`add: action size ${transition.action.length}, expected ${a}`)
  }
  const row = position(storage)
  storage.observations.set(transition.observation, row * o)
  storage.nextObservations.set(transition.nextObservation, row * o)
  storage.actions.set(transition.action, row * a)
  storage.rewards[row] = transition.reward
  storage.terminated[row] = transition.terminated ? 1 : 0
  storage.truncated[row] = transition.truncated ? 1 : 0
  if (storage.discounts !== undefined) {
    const discount = (transition as Partial<NStepTransition>).discount
    if (typeof discount !== 'number') {
      throw new RangeError('add: this storage holds n-step transitions; the transition has no discount')
    }
    storage.discounts[row] = discount
  }
  storage.counters[0] = (row + 1) % capacity
  storage.counters[1] = Math.min(size(storage) + 1, capacity)
  return row
}

// Row `from` of a column of `width` values into row `to` of `out`. Narrow rows (state vectors, actions) by a loop: a
// `subarray` + `set` allocates a view per row, several times the cost of copying a few floats; wide rows (pixels) by
// `set`.
const copyRow = (column: Float32Array, out: Float32Array, from: number, to: number, width: number): void => {
  if (width > 64) {
    out.set(column.subarray(from * width, from * width + width), to * width)
    return
  }
  const src = from * width
  const dst = to * width
  for (let j = 0; j < width; j++) out[dst + j] = column[src + j] as number
}

/**
 * Copies the rows named by `indices` into a fresh {@link Batch} (with `indices` and, for n-step storage, `discounts`).
 *
 * @throws RangeError when an index is outside `[0, size)`.
 *
 * @example
 * ```ts
 * const batch = gather(storage, uniformSampler(key, size(storage), 256))
 * ```
 */
export const gather = (storage: ReplayStorage, indices: Int32Array): Batch => {
  const { observationSize: o, actionSize: a } = storage
  const n = indices.length
  const filled = size(storage)
  const observations = new Float32Array(n * o)
  const nextObservations = new Float32Array(n * o)
  const actions = new Float32Array(n * a)
  const rewards = new Float32Array(n)
  const terminated = new Float32Array(n)
  const truncated = new Float32Array(n)
  const discounts = storage.discounts === undefined ? undefined : new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const row = indices[i] as number
    if (!(row >= 0 && row < filled)) throw new RangeError(`gather: index ${row} is outside [0, ${filled})`)
    copyRow(storage.observations, observations, row, i, o)
    copyRow(storage.nextObservations, nextObservations, row, i, o)
    copyRow(storage.actions, actions, row, i, a)
    rewards[i] = storage.rewards[row] as number
    terminated[i] = storage.terminated[row] as number
    truncated[i] = storage.truncated[row] as number
    if (discounts !== undefined) discounts[i] = storage.discounts?.[row] as number
  }
  return {
    size: n,
    observationSize: o,
    actionSize: a,
    observations,
    actions,
    rewards,
    nextObservations,
    terminated,
    truncated,
    ...(discounts === undefined ? {} : { discounts }),
    indices: Int32Array.from(indices),
  }
}

/**
 * The bytes held by the storage's columns (excluding the two bookkeeping counters).
 *
 * @example
 * ```ts
 * byteLength(makeStorage({ capacity: 10, observationSize: 2, actionSize: 1 })) // 10 * (8 + 8 + 4 + 4 + 1 + 1)
 * ```
 */
export const byteLength = (storage: ReplayStorage): number =>
  storage.observations.byteLength +
  storage.actions.byteLength +
  storage.rewards.byteLength +
  storage.nextObservations.byteLength +
  storage.terminated.byteLength +
  storage.truncated.byteLength +
  (storage.discounts?.byteLength ?? 0)
