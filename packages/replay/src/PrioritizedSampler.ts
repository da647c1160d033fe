import { Rng } from '@polyak/core'
import { find, get, makeSumTree, type SumTree, set, total } from './SumTree.js'

/**
 * Proportional prioritized experience replay state (Schaul, Quan, Antonoglou & Silver, 2016,
 * https://arxiv.org/abs/1511.05952).
 *
 * @remarks
 * Sampling probability P(i) = p_iᵅ / Σ_k p_kᵅ with priority p_i = |δ_i| + ε. The sum tree stores p_iᵅ;
 * `maxPriority[0]` holds the largest p seen (new transitions get it, so they are replayed at least once soon).
 * Mutable, owned by one subscription.
 *
 * @example
 * ```ts
 * const per = makePrioritizedState({ capacity: 1000, alpha: 0.6, epsilon: 1e-6 })
 * ```
 */
export interface PrioritizedState {
  readonly alpha: number
  readonly epsilon: number
  readonly tree: SumTree
  readonly maxPriority: Float64Array
  /** `[size]`: leaves in use (rows stored). */
  readonly filled: Int32Array
}

/**
 * Options of {@link makePrioritizedState}.
 *
 * @example
 * ```ts
 * const options: PrioritizedOptions = { capacity: 1000, alpha: 0.6, epsilon: 1e-6 }
 * ```
 */
export interface PrioritizedOptions {
  readonly capacity: number
  readonly alpha: number
  readonly epsilon: number
}

/**
 * Makes an empty prioritized state (all priorities 0, max priority 1).
 *
 * @example
 * ```ts
 * const per = makePrioritizedState({ capacity: 1000, alpha: 0.6, epsilon: 1e-6 })
 * ```
 */
export const makePrioritizedState = (options: PrioritizedOptions): PrioritizedState => {
  if (!(options.alpha >= 0)) throw new RangeError(`makePrioritizedState: alpha must be >= 0, got ${options.alpha}`)
  if (!(options.epsilon >= 0)) {
    throw new RangeError(`makePrioritizedState: epsilon must be >= 0, got ${options.epsilon}`)
  }
  return {
    alpha: options.alpha,
    epsilon: options.epsilon,
    tree: makeSumTree(options.capacity),
    maxPriority: Float64Array.of(1),
    filled: new Int32Array(1),
  }
}

/**
 * Gives row `index` (just written) the current maximum priority. Mutates the state.
 *
 * @example
 * ```ts
 * const row = add(storage, transition)
 * addWithMaxPriority(per, row)
 * ```
 */
export const addWithMaxPriority = (state: PrioritizedState, index: number): void => {
  set(state.tree, index, (state.maxPriority[0] as number) ** state.alpha)
  state.filled[0] = Math.max(state.filled[0] as number, index + 1)
}

/**
 * Stratified proportional sampling: the mass Σpᵅ is split into `batchSize` equal segments and one index is drawn
 * uniformly within each; importance-sampling weights w_i = (N·P(i))^−β / max_j w_j over the batch (so the largest is 1).
 *
 * @remarks
 * N is the number of stored rows. Schaul et al. (2016), Algorithm 1 and §3.4.
 *
 * @throws RangeError when nothing is stored.
 *
 * @example
 * ```ts
 * const { indices, weights } = samplePrioritized(per, Rng.key(1), 256, 0.4)
 * ```
 */
export const samplePrioritized = (
  state: PrioritizedState,
  key: Rng.Key,
  batchSize: number,
  beta: number,
): { readonly indices: Int32Array; readonly weights: Float32Array } => {
  const mass = total(state.tree)
  const n = state.filled[0] as number
  if (!(mass > 0) || n === 0) throw new RangeError('samplePrioritized: no transitions stored')
  const u = Rng.uniform(key, batchSize)
  const segment = mass / batchSize
  const indices = new Int32Array(batchSize)
  const raw = new Float64Array(batchSize)
  let largest = 0
  for (let j = 0; j < batchSize; j++) {
    const index = find(state.tree, (j + (u[j] as number)) * segment)
    indices[j] = index
    const probability = get(state.tree, index) / mass
    const w = (n * probability) ** -beta
    raw[j] = w
    if (w > largest) largest = w
  }
  const weights = new Float32Array(batchSize)
  for (let j = 0; j < batchSize; j++) weights[j] = (raw[j] as number) / largest
  return { indices, weights }
}

/**
 * Sets p_i = |δ_i| + ε for each sampled row and tracks the maximum priority. Mutates the state.
 *
 * @throws RangeError when the lengths differ or a TD error is not finite.
 *
 * @example
 * ```ts
 * updatePriorities(per, batch.indices, tdErrors)
 * ```
 */
export const updatePriorities = (state: PrioritizedState, indices: Int32Array, tdErrors: Float32Array): void => {
  if (indices.length !== tdErrors.length) {
    throw new RangeError(`updatePriorities: ${indices.length} indices but ${tdErrors.length} TD errors`)
  }
  for (let j = 0; j < indices.length; j++) {
    const delta = tdErrors[j] as number
    if (!Number.isFinite(delta)) throw new RangeError(`updatePriorities: TD error ${j} is ${delta}`)
    const p = Math.abs(delta) + state.epsilon
    set(state.tree, indices[j] as number, p ** state.alpha)
    if (p > (state.maxPriority[0] as number)) state.maxPriority[0] = p
  }
}
