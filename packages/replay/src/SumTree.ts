/**
 * A sum tree (segment tree of sums) over `capacity` non-negative leaves, in one `Float64Array`.
 *
 * @remarks
 * Leaves live at `tree[leafBase + i]`; node `k` holds `tree[2k] + tree[2k+1]`, the root is `tree[1]`. Updating a leaf
 * recomputes every ancestor from its children (no incremental drift), so `total` is always the exact float64 sum in
 * tree order. Used for proportional prioritized replay (Schaul et al., 2016, Appendix B.2.1). The tree is mutable and
 * must stay private to one subscription.
 *
 * @example
 * ```ts
 * const tree = makeSumTree(4)
 * set(tree, 0, 1); set(tree, 2, 3)
 * total(tree) // 4
 * find(tree, 1.5) // 2
 * ```
 */
export interface SumTree {
  readonly capacity: number
  readonly leafBase: number
  readonly tree: Float64Array
}

/**
 * Makes a sum tree with `capacity` leaves, all zero.
 *
 * @example
 * ```ts
 * const tree = makeSumTree(1_000_000)
 * ```
 */
export const makeSumTree = (capacity: number): SumTree => {
  if (!Number.isSafeInteger(capacity) || capacity < 1) {
    throw new RangeError(`makeSumTree: capacity must be an integer >= 1, got ${capacity}`)
  }
  let leafBase = 1
  while (leafBase < capacity) leafBase *= 2
  return { capacity, leafBase, tree: new Float64Array(2 * leafBase) }
}

/**
 * Makes a sum tree whose leaves are a copy of `leaves` (finite, ≥ 0), with every inner node computed from its children
 * exactly as {@link set} computes it, so a tree rebuilt from the leaves of another is bit-for-bit the same tree.
 *
 * @throws RangeError when there are no leaves or a leaf is negative or not finite.
 *
 * @example
 * ```ts
 * const copy = fromLeaves(leaves(tree))
 * total(copy) === total(tree) // true
 * ```
 */
export const fromLeaves = (values: Float64Array): SumTree => {
  const tree = makeSumTree(values.length)
  const t = tree.tree
  values.forEach((p, i) => {
    if (!(Number.isFinite(p) && p >= 0)) {
      throw new RangeError(`SumTree.fromLeaves: leaf ${i} must be finite and >= 0, got ${p}`)
    }
  })
  t.set(values, tree.leafBase)
  for (let node = tree.leafBase - 1; node >= 1; node--) t[node] = (t[2 * node] as number) + (t[2 * node + 1] as number)
  return tree
}

/**
 * A copy of the `capacity` leaf values, in index order.
 *
 * @example
 * ```ts
 * leaves(tree) // Float64Array(capacity)
 * ```
 */
export const leaves = (tree: SumTree): Float64Array => tree.tree.slice(tree.leafBase, tree.leafBase + tree.capacity)

const checkLeaf = (tree: SumTree, i: number, what: string): void => {
  if (!Number.isInteger(i) || i < 0 || i >= tree.capacity) {
    throw new RangeError(`SumTree.${what}: leaf ${i} is outside [0, ${tree.capacity})`)
  }
}

/**
 * Sets leaf `i` to `p` (finite, ≥ 0) and refreshes its ancestors. Mutates the tree.
 *
 * @example
 * ```ts
 * set(tree, 3, 0.5)
 * ```
 */
export const set = (tree: SumTree, i: number, p: number): void => {
  checkLeaf(tree, i, 'set')
  if (!(Number.isFinite(p) && p >= 0)) throw new RangeError(`SumTree.set: priority must be finite and >= 0, got ${p}`)
  const t = tree.tree
  let node = tree.leafBase + i
  t[node] = p
  node >>= 1
  while (node >= 1) {
    t[node] = (t[2 * node] as number) + (t[2 * node + 1] as number)
    node >>= 1
  }
}

/**
 * The value of leaf `i`.
 *
 * @example
 * ```ts
 * get(tree, 3) // 0.5
 * ```
 */
export const get = (tree: SumTree, i: number): number => {
  checkLeaf(tree, i, 'get')
  return tree.tree[tree.leafBase + i] as number
}

/**
 * The sum of all leaves.
 *
 * @example
 * ```ts
 * total(tree)
 * ```
 */
export const total = (tree: SumTree): number => tree.tree[1] as number

/**
 * The smallest leaf index `i` whose inclusive prefix sum `Σ_{j≤i} p_j` exceeds `prefix`.
 *
 * @remarks
 * `prefix` is clamped into `[0, total)`; with `prefix ≥ total` (rounding) the last leaf with positive mass is returned,
 * so a zero-priority leaf is never found while the total is positive.
 *
 * @throws RangeError when the total is 0.
 *
 * @example
 * ```ts
 * find(tree, 0.99 * total(tree))
 * ```
 */
export const find = (tree: SumTree, prefix: number): number => {
  const t = tree.tree
  if (!((t[1] as number) > 0)) throw new RangeError('SumTree.find: the tree is empty (total is 0)')
  let rest = Math.max(0, prefix)
  let node = 1
  while (node < tree.leafBase) {
    const left = t[2 * node] as number
    const right = t[2 * node + 1] as number
    if (rest < left || right <= 0) {
      node = 2 * node
    } else {
      rest -= left
      node = 2 * node + 1
    }
  }
  return node - tree.leafBase
}
