/**
 * The baseline of the replay benchmark: a replay memory as a straightforward JavaScript port would write it.
 *
 *   - {@link ArrayReplay}: a JS array of transition objects, `push`ed until full and then ring-overwritten; a batch is
 *     gathered by index into the objects and assembled into fresh `Float32Array`s.
 *   - {@link ArraySumTree}: the widely copied array-based sum tree (jaromiru's `SumTree.py` from the
 *     "Let's make a DQN" blog, ported to JS): `2·capacity − 1` plain `number[]` nodes, leaves at
 *     `capacity − 1 + i`, an update propagates the change up to the root, retrieval walks down from the root.
 *   - {@link ArrayPrioritizedReplay}: proportional prioritized replay on both (Schaul et al., 2016), stratified
 *     sampling and importance weights exactly as `samplePrioritized` computes them.
 *
 * Deliberately not tuned either way: iterative loops instead of the original's recursion (faster in JS), no
 * bounds checks beyond what the objects give for free. Randomness comes from core's `Rng`, like ours.
 */
import type { Transition } from '@polyak/core'

/** A sampled batch: the same columns `gather` fills. */
export interface ArrayBatch {
  readonly observations: Float32Array
  readonly actions: Float32Array
  readonly rewards: Float32Array
  readonly nextObservations: Float32Array
  readonly terminated: Float32Array
  readonly truncated: Float32Array
  readonly indices: Int32Array
}

export class ArrayReplay {
  readonly buffer: Transition[] = []
  position = 0

  constructor(
    readonly capacity: number,
    readonly observationSize: number,
    readonly actionSize: number,
  ) {}

  get size(): number {
    return this.buffer.length
  }

  /** Stores the transition object itself (no copy) and returns its row. */
  add(transition: Transition): number {
    const row = this.position
    if (this.buffer.length < this.capacity) this.buffer.push(transition)
    else this.buffer[row] = transition
    this.position = (row + 1) % this.capacity
    return row
  }

  gather(indices: Int32Array): ArrayBatch {
    const o = this.observationSize
    const a = this.actionSize
    const n = indices.length
    const observations = new Float32Array(n * o)
    const nextObservations = new Float32Array(n * o)
    const actions = new Float32Array(n * a)
    const rewards = new Float32Array(n)
    const terminated = new Float32Array(n)
    const truncated = new Float32Array(n)
    for (let i = 0; i < n; i++) {
      const t = this.buffer[indices[i] as number] as Transition
      observations.set(t.observation, i * o)
      nextObservations.set(t.nextObservation, i * o)
      actions.set(t.action, i * a)
      rewards[i] = t.reward
      terminated[i] = t.terminated ? 1 : 0
      truncated[i] = t.truncated ? 1 : 0
    }
    return { observations, actions, rewards, nextObservations, terminated, truncated, indices }
  }
}

export class ArraySumTree {
  readonly tree: number[]

  constructor(readonly capacity: number) {
    this.tree = new Array(2 * capacity - 1).fill(0)
  }

  total(): number {
    return this.tree[0] as number
  }

  priority(dataIndex: number): number {
    return this.tree[dataIndex + this.capacity - 1] as number
  }

  update(dataIndex: number, p: number): void {
    const tree = this.tree
    let idx = dataIndex + this.capacity - 1
    const change = p - (tree[idx] as number)
    tree[idx] = p
    while (idx !== 0) {
      idx = (idx - 1) >> 1
      tree[idx] = (tree[idx] as number) + change
    }
  }

  /** The data index whose leaf holds prefix mass `s`. */
  get(s: number): number {
    const tree = this.tree
    const length = tree.length
    let idx = 0
    let rest = s
    for (;;) {
      const left = 2 * idx + 1
      if (left >= length) break
      const leftMass = tree[left] as number
      if (rest <= leftMass) {
        idx = left
      } else {
        rest -= leftMass
        idx = left + 1
      }
    }
    return idx - this.capacity + 1
  }
}

export class ArrayPrioritizedReplay {
  readonly tree: ArraySumTree
  maxPriority = 1

  constructor(
    readonly replay: ArrayReplay,
    readonly alpha: number,
    readonly epsilon: number,
  ) {
    this.tree = new ArraySumTree(replay.capacity)
  }

  /** Gives row `row` (just written) the largest priority seen so far. */
  addPriority(row: number): void {
    this.tree.update(row, this.maxPriority ** this.alpha)
  }

  /** Stratified proportional sampling with importance weights normalised by the batch maximum; `u` are uniforms. */
  sample(u: Float64Array, beta: number): ArrayBatch & { readonly weights: Float32Array } {
    const { indices, weights } = this.sampleIndices(u, beta)
    return { ...this.replay.gather(indices), weights }
  }

  /** The rows and importance weights of {@link sample}, without the gather. */
  sampleIndices(u: Float64Array, beta: number): { readonly indices: Int32Array; readonly weights: Float32Array } {
    const batchSize = u.length
    const total = this.tree.total()
    const n = this.replay.size
    const segment = total / batchSize
    const indices = new Int32Array(batchSize)
    const raw = new Float64Array(batchSize)
    let largest = 0
    for (let j = 0; j < batchSize; j++) {
      const index = this.tree.get((j + (u[j] as number)) * segment)
      indices[j] = index
      const w = ((n * this.tree.priority(index)) / total) ** -beta
      raw[j] = w
      if (w > largest) largest = w
    }
    const weights = new Float32Array(batchSize)
    for (let j = 0; j < batchSize; j++) weights[j] = (raw[j] as number) / largest
    return { indices, weights }
  }

  updatePriorities(indices: Int32Array, tdErrors: ArrayLike<number>): void {
    for (let j = 0; j < indices.length; j++) {
      const p = Math.abs(tdErrors[j] as number) + this.epsilon
      this.tree.update(indices[j] as number, p ** this.alpha)
      if (p > this.maxPriority) this.maxPriority = p
    }
  }
}
