import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { learnerThreads } from './resources.js'

const machine = (cores: number) => ({ totalMemory: 16 * 2 ** 30, cores })

describe('learnerThreads', () => {
  it('leaves a core to each local actor, keeps at least one thread, and leaves inline and remote runs alone', () => {
    expect(learnerThreads({ kind: 'inline' }, machine(2), {})).toBeUndefined()
    expect(learnerThreads({ kind: 'workers', count: 1 }, machine(2), {})).toBe(1)
    expect(learnerThreads({ kind: 'workers', count: 2 }, machine(8), {})).toBe(6)
    const redis = { kind: 'redis', url: 'redis://127.0.0.1:6379', prefix: 'polyak', count: 3 } as const
    expect(learnerThreads({ ...redis, spawn: true }, machine(16), {})).toBe(5) // the default 8, less 3
    expect(learnerThreads({ ...redis, spawn: false }, machine(16), {})).toBeUndefined()
  })

  it('never asks for more threads than cores less local actors, nor fewer than 1 (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 128 }), fc.integer({ min: 1, max: 64 }), (cores, count) => {
        const threads = learnerThreads({ kind: 'workers', count }, machine(cores), {}) as number
        expect(threads).toBeGreaterThanOrEqual(1)
        expect(threads).toBeLessThanOrEqual(Math.max(1, Math.min(8, cores) - count))
      }),
    )
  })

  it('POLYAK_NATIVE_THREADS, when set, decides alone', () => {
    expect(learnerThreads({ kind: 'workers', count: 4 }, machine(2), { POLYAK_NATIVE_THREADS: '2' })).toBeUndefined()
  })
})
