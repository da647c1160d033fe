import { Rng } from '@polyak/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { uniformSampler } from './uniformSampler.js'

describe('uniformSampler', () => {
  it('is deterministic in the key and stays in range', () => {
    const a = uniformSampler(Rng.key(1), 10, 256)
    expect(Array.from(a)).toEqual(Array.from(uniformSampler(Rng.key(1), 10, 256)))
    expect(Array.from(a)).not.toEqual(Array.from(uniformSampler(Rng.key(2), 10, 256)))
    expect(a.every((i) => i >= 0 && i < 10)).toBe(true)
  })

  it('hits every stored index with roughly equal frequency (fixed key, 20 000 draws over 100 rows)', () => {
    const counts = new Array<number>(100).fill(0)
    for (const i of uniformSampler(Rng.key(7), 100, 20_000)) counts[i] = (counts[i] ?? 0) + 1
    expect(Math.min(...counts)).toBeGreaterThan(0)
    // chi-square with 99 degrees of freedom; the 0.999 quantile is about 148
    const chi2 = counts.reduce((s, c) => s + (c - 200) ** 2 / 200, 0)
    expect(chi2).toBeLessThan(148)
  })

  it('law: with 20·size·ln(size+1) draws every stored index is hit (fixed key)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), (size) => {
        const draws = Math.ceil(20 * size * Math.log(size + 1))
        const seen = new Uint8Array(size)
        for (const i of uniformSampler(Rng.key(size), size, draws)) seen[i] = 1
        expect(seen.every((s) => s === 1)).toBe(true)
      }),
    )
  })

  it('rejects an empty memory', () => {
    expect(() => uniformSampler(Rng.key(0), 0, 4)).toThrow(/size/)
  })
})
