import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Rng from './Rng.js'

const mean = (xs: ArrayLike<number>): number => {
  let total = 0
  for (let i = 0; i < xs.length; i++) total += xs[i] as number
  return total / xs.length
}
const moment = (xs: ArrayLike<number>, m: number, k: number): number => {
  let total = 0
  for (let i = 0; i < xs.length; i++) total += ((xs[i] as number) - m) ** k
  return total / xs.length
}
const correlation = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  const [ma, mb] = [mean(a), mean(b)]
  let [sab, saa, sbb] = [0, 0, 0]
  for (let i = 0; i < a.length; i++) {
    const [da, db] = [(a[i] as number) - ma, (b[i] as number) - mb]
    sab += da * db
    saa += da * da
    sbb += db * db
  }
  return sab / Math.sqrt(saa * sbb)
}
const words = (k: Rng.Key) => Rng.serialize(k)

describe('threefry2x32', () => {
  it('reproduces the published Threefry-2x32-20 known-answer vectors', () => {
    expect(Rng.threefry2x32([0, 0], [0, 0])).toEqual([0x6b200159, 0x99ba4efe])
    expect(Rng.threefry2x32([0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])).toEqual([0x1cb996fc, 0xbb002be7])
    expect(Rng.threefry2x32([0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3])).toEqual([0xc4923a9c, 0x483df7a0])
  })
})

describe('keys', () => {
  it("key(seed) uses the 64-bit two's complement words of the seed", () => {
    expect(words(Rng.key(0))).toEqual([0, 0])
    expect(words(Rng.key(1))).toEqual([0, 1])
    expect(words(Rng.key(2 ** 32 + 5))).toEqual([1, 5])
    expect(words(Rng.key(-1))).toEqual([0xffffffff, 0xffffffff])
    expect(() => Rng.key(1.5)).toThrow('seed must be a safe integer, got 1.5')
  })

  it('split children differ from each other and from the parent, and are stable', () => {
    const parent = Rng.key(7)
    const children = Rng.split(parent, 8).map(words)
    expect(new Set(children.map(String)).size).toBe(8)
    expect(children.map(String)).not.toContain(String(words(parent)))
    expect(Rng.split(parent, 3).map(words)).toEqual(children.slice(0, 3))
    expect(words(parent)).toEqual([0, 7]) // the parent is not advanced
  })

  it('foldIn gives a different key for every value and differs from split children', () => {
    const parent = Rng.key(3)
    const folded = Array.from({ length: 1000 }, (_, i) => String(words(Rng.foldIn(parent, i))))
    expect(new Set(folded).size).toBe(1000)
    const children = Rng.split(parent, 1000).map((k) => String(words(k)))
    expect(folded.some((f) => children.includes(f))).toBe(false)
  })

  it('streams of sibling keys are uncorrelated', () => {
    const [a, b] = Rng.split(Rng.key(11)) as [Rng.Key, Rng.Key]
    expect(Math.abs(correlation(Rng.uniform(a, 1e5), Rng.uniform(b, 1e5)))).toBeLessThan(0.02)
    expect(Math.abs(correlation(Rng.uniform(Rng.foldIn(a, 0), 1e5), Rng.uniform(Rng.foldIn(a, 1), 1e5)))).toBeLessThan(
      0.02,
    )
  })

  it('serialize and deserialize round-trip; bad input is rejected with a clear message', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(Rng.deserialize(Rng.serialize(Rng.key(seed)))).toEqual(Rng.key(seed))
      }),
    )
    expect(() => Rng.deserialize([1])).toThrow('expected two unsigned 32-bit integers like [0, 1], got [1]')
    expect(() => Rng.deserialize([1, -2])).toThrow('got [1,-2]')
    expect(() => Rng.deserialize('0,1')).toThrow('got "0,1"')
  })
})

describe('draws', () => {
  it('are pure: the same key gives the same numbers; prefixes are stable', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 }), (seed, n, extra) => {
        const k = Rng.key(seed)
        expect(Rng.uniform(k, n)).toEqual(Rng.uniform(Rng.key(seed), n))
        expect(Array.from(Rng.uniform(k, n + extra).subarray(0, n))).toEqual(Array.from(Rng.uniform(k, n)))
        expect(Array.from(Rng.bits(k, n + extra).subarray(0, n))).toEqual(Array.from(Rng.bits(k, n)))
        expect(Rng.normal(k, n)).toEqual(Rng.normal(k, n))
      }),
    )
  })

  it('uniform: mean 1/2, variance 1/12, every value in [0, 1), over 1e5 draws', () => {
    const u = Rng.uniform(Rng.key(1), 1e5)
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true)
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(0.005)
    expect(Math.abs(moment(u, 0.5, 2) - 1 / 12)).toBeLessThan(0.002)
  })

  it('uniform and uniformF32 respect [low, high)', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (seed, low, width) => {
          const high = low + width
          for (const v of Rng.uniform(Rng.key(seed), 64, low, high)) expect(v >= low && v < high).toBe(true)
          const [lo32, hi32] = [Math.fround(low), Math.fround(high)]
          for (const v of Rng.uniformF32(Rng.key(seed), 64, low, high))
            expect(v >= Math.min(lo32, low) - 1e-3 && v < hi32).toBe(true)
        },
      ),
    )
  })

  it('normal: mean 0, std 1, kurtosis 3 over 1e5 draws; mean and std parameters apply', () => {
    const z = Rng.normal(Rng.key(2), 1e5)
    expect(Math.abs(mean(z))).toBeLessThan(0.01)
    expect(Math.abs(Math.sqrt(moment(z, 0, 2)) - 1)).toBeLessThan(0.01)
    expect(Math.abs(moment(z, 0, 4) - 3)).toBeLessThan(0.1)
    expect(z.every(Number.isFinite)).toBe(true)
    const shifted = Rng.normal(Rng.key(2), 1e4, 5, 0.1)
    expect(Math.abs(mean(shifted) - 5)).toBeLessThan(0.005)
    expect(Rng.normal(Rng.key(2), 7)).toHaveLength(7)
  })

  it('integers: every value in range and uniform by a chi-square test', () => {
    const bins = 10
    const n = 1e5
    const draws = Rng.integers(Rng.key(3), n, bins)
    const counts = new Array(bins).fill(0)
    for (const v of draws) {
      expect(v >= 0 && v < bins).toBe(true)
      counts[v]++
    }
    const expected = n / bins
    const chiSquare = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0)
    // chi-square with 9 degrees of freedom: P(X > 27.88) = 0.001
    expect(chiSquare).toBeLessThan(27.88)
    expect(Array.from(Rng.integers(Rng.key(4), 5, 1))).toEqual([0, 0, 0, 0, 0])
    expect(() => Rng.integers(Rng.key(4), 5, 0)).toThrow('maxExclusive must be an integer in [1, 2^32], got 0')
  })

  it('integers have no modulo bias for a bound just above 2^31', () => {
    // with plain modulo, values below 2^32 − bound would be twice as likely as the others
    const bound = 2 ** 31 + 2 ** 30
    const draws = Rng.integers(Rng.key(5), 2e4, bound)
    const low = draws.reduce((s, v) => s + (v >>> 0 < 2 ** 32 - bound ? 1 : 0), 0) / draws.length
    expect(Math.abs(low - (2 ** 32 - bound) / bound)).toBeLessThan(0.02)
  })

  it('permutation is a permutation of 0..n-1 and differs between keys', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 200 }), (seed, n) => {
        const p = Array.from(Rng.permutation(Rng.key(seed), n))
        expect(p.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i))
      }),
    )
    expect(Array.from(Rng.permutation(Rng.key(1), 20))).not.toEqual(Array.from(Rng.permutation(Rng.key(2), 20)))
  })

  it('rejects negative or fractional counts', () => {
    expect(() => Rng.uniform(Rng.key(0), -1)).toThrow('Rng.uniform: n must be an integer >= 0, got -1')
    expect(() => Rng.split(Rng.key(0), 1.5)).toThrow('Rng.split: n must be an integer >= 0, got 1.5')
  })
})
