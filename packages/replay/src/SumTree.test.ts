import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { find, fromLeaves, get, leaves, makeSumTree, set, total } from './SumTree.js'

describe('SumTree', () => {
  it('finds the smallest leaf whose inclusive prefix sum exceeds the query (hand case)', () => {
    const tree = makeSumTree(5)
    for (const [i, p] of [
      [0, 1],
      [1, 0],
      [2, 2],
      [3, 0],
      [4, 3],
    ] as const)
      set(tree, i, p)
    expect(total(tree)).toBe(6)
    expect(get(tree, 2)).toBe(2)
    expect(find(tree, 0)).toBe(0)
    expect(find(tree, 0.999)).toBe(0)
    expect(find(tree, 1)).toBe(2)
    expect(find(tree, 2.999)).toBe(2)
    expect(find(tree, 3)).toBe(4)
    expect(find(tree, 5.999)).toBe(4)
    expect(find(tree, 6)).toBe(4)
    expect(find(tree, 100)).toBe(4)
    expect(() => find(makeSumTree(3), 0)).toThrow(/empty/)
    expect(() => set(tree, 5, 1)).toThrow(/outside/)
    expect(() => set(tree, 0, -1)).toThrow(/>= 0/)
  })

  it('law: total equals the sum of the leaves after any sequence of updates', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((capacity) =>
          fc.tuple(
            fc.constant(capacity),
            fc.array(fc.tuple(fc.nat(capacity - 1), fc.double({ min: 0, max: 1e3, noNaN: true })), {
              maxLength: 200,
            }),
          ),
        ),
        ([capacity, updates]) => {
          const tree = makeSumTree(capacity)
          const leaves = new Float64Array(capacity)
          for (const [i, p] of updates) {
            set(tree, i, p)
            leaves[i] = p
          }
          const sum = leaves.reduce((a, b) => a + b, 0)
          expect(Math.abs(total(tree) - sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, sum))
          for (let i = 0; i < capacity; i++) expect(get(tree, i)).toBe(leaves[i])
        },
      ),
    )
  })

  it('law: a tree rebuilt from the leaves of another is bit-for-bit the same tree', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((capacity) =>
          fc.tuple(
            fc.constant(capacity),
            fc.array(fc.tuple(fc.nat(capacity - 1), fc.double({ min: 0, max: 1e3, noNaN: true })), {
              maxLength: 200,
            }),
          ),
        ),
        ([capacity, updates]) => {
          const tree = makeSumTree(capacity)
          for (const [i, p] of updates) set(tree, i, p)
          const copy = fromLeaves(leaves(tree))
          expect(copy.capacity).toBe(capacity)
          expect(Array.from(new Uint32Array(copy.tree.buffer))).toEqual(Array.from(new Uint32Array(tree.tree.buffer)))
        },
      ),
    )
    expect(() => fromLeaves(Float64Array.of(1, -1))).toThrow(/leaf 1/)
  })

  it('law: find returns a leaf with positive mass whose interval contains the query', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (priorities, u) => {
          fc.pre(priorities.some((p) => p > 0))
          const tree = makeSumTree(priorities.length)
          priorities.forEach((p, i) => {
            set(tree, i, p)
          })
          const prefix = u * total(tree)
          const i = find(tree, prefix)
          expect(priorities[i]).toBeGreaterThan(0)
          const before = priorities.slice(0, i).reduce((a, b) => a + b, 0)
          expect(before).toBeLessThanOrEqual(prefix + 1e-9)
          expect(before + (priorities[i] as number)).toBeGreaterThanOrEqual(prefix - 1e-9)
        },
      ),
    )
  })
})
