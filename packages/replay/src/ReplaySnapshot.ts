import type { PrioritizedState } from './PrioritizedSampler.js'
import type { ReplayStorage } from './ReplayStorage.js'
import { fromLeaves, leaves } from './SumTree.js'

/**
 * Everything a replay memory needs to resume exactly: the stored rows, the priorities (prioritized replay), and the
 * two counters of the {@link remember} operator.
 *
 * @remarks
 * `stored` is the number of transitions added so far (it decides when warm-up ends and how many batches are due) and
 * `batches` the number of batches emitted so far (batch `j` is sampled with `Rng.foldIn(key, j)`, and β is annealed
 * over it). A snapshot is a deep copy made by {@link copySnapshot}: it shares no array with a live memory, so it can be
 * saved asynchronously while training goes on. Write one with `saveReplay`, read it with `loadReplay`, and resume
 * with `remember(config, { initial })`.
 *
 * @example
 * ```ts
 * const snapshot: ReplaySnapshot = { storage, stored: 1_000, batches: 0 }
 * ```
 */
export interface ReplaySnapshot {
  readonly storage: ReplayStorage
  /** The prioritized-replay state, when the memory samples by priority. */
  readonly prioritized?: PrioritizedState
  /** Transitions added so far. */
  readonly stored: number
  /** Batches emitted so far. */
  readonly batches: number
}

const copyStorage = (storage: ReplayStorage): ReplayStorage => ({
  ...storage,
  observations: storage.observations.slice(),
  actions: storage.actions.slice(),
  rewards: storage.rewards.slice(),
  nextObservations: storage.nextObservations.slice(),
  terminated: storage.terminated.slice(),
  truncated: storage.truncated.slice(),
  ...(storage.discounts === undefined ? {} : { discounts: storage.discounts.slice() }),
  counters: storage.counters.slice(),
})

const copyPrioritized = (state: PrioritizedState): PrioritizedState => ({
  ...state,
  tree: fromLeaves(leaves(state.tree)),
  maxPriority: state.maxPriority.slice(),
  filled: state.filled.slice(),
})

/**
 * A deep copy of a snapshot: fresh columns, a fresh sum tree (bit-for-bit the same), the same counters.
 *
 * @remarks
 * The {@link remember} operator copies its `initial` snapshot when a subscription starts (so the operator stays cold
 * and the caller's arrays are never written), and answers snapshot requests with a copy (so the caller may keep it
 * while the memory keeps changing).
 *
 * @example
 * ```ts
 * const copy = copySnapshot({ storage, stored: size(storage), batches: 0 })
 * copy.storage.rewards !== storage.rewards // true
 * ```
 */
export const copySnapshot = (snapshot: ReplaySnapshot): ReplaySnapshot => ({
  storage: copyStorage(snapshot.storage),
  ...(snapshot.prioritized === undefined ? {} : { prioritized: copyPrioritized(snapshot.prioritized) }),
  stored: snapshot.stored,
  batches: snapshot.batches,
})
