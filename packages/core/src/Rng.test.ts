import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Rng from './Rng.js'

// ---------------------------------------------------------------------------------------------------------------
// Independent oracles
// ---------------------------------------------------------------------------------------------------------------

/**
 * Threefry-2x32 written straight from the paper's description (a loop over rounds, the key schedule as an array,
 * arithmetic modulo 2³² on plain numbers), to cross-check the unrolled int32 version in Rng.ts.
 */
const referenceThreefry = (k: readonly [number, number], c: readonly [number, number], rounds = 20): number[] => {
  const mod = (x: number) => ((x % 2 ** 32) + 2 ** 32) % 2 ** 32
  const rotl = (x: number, r: number) => mod(x * 2 ** r) ^ (x >>> (32 - r))
  const rotations = [13, 15, 26, 6, 17, 29, 16, 24]
  const schedule = [k[0], k[1], (0x1bd11bda ^ k[0] ^ k[1]) >>> 0]
  let x = [mod(c[0] + k[0]), mod(c[1] + k[1])]
  for (let r = 0; r < rounds; r++) {
    const x0 = mod((x[0] as number) + (x[1] as number))
    x = [x0, (rotl(x[1] as number, rotations[r % 8] as number) ^ x0) >>> 0]
    if (r % 4 === 3) {
      const s = (r + 1) / 4
      x = [
        mod((x[0] as number) + (schedule[s % 3] as number)),
        mod((x[1] as number) + (schedule[(s + 1) % 3] as number) + s),
      ]
    }
  }
  return x
}

/** ln Γ(a) for a positive multiple of 1/2, as an exact sum of logs (Γ(n) = (n − 1)!, Γ(n + ½) = √π·½·(3/2)⋯). */
const lnGammaHalfInteger = (a: number): number => {
  const half = !Number.isInteger(a)
  let total = half ? 0.5 * Math.log(Math.PI) : 0
  for (let x = half ? 0.5 : 1; x < a; x++) total += Math.log(x)
  return total
}

/** P(χ²_df > stat): the regularized upper incomplete gamma Q(df/2, stat/2), by the power series of P = 1 − Q. */
const chiSquarePValue = (stat: number, df: number): number => {
  const a = df / 2
  const x = stat / 2
  let term = 1
  let series = 1
  for (let n = 1; n < 100_000 && term > series * 1e-17; n++) {
    term *= x / (a + n)
    series += term
  }
  const lower = Math.exp(-x + a * Math.log(x) - lnGammaHalfInteger(a) - Math.log(a)) * series
  return 1 - lower
}

const chiSquareStat = (counts: ArrayLike<number>, expected: number): number => {
  let stat = 0
  for (let i = 0; i < counts.length; i++) stat += ((counts[i] as number) - expected) ** 2 / expected
  return stat
}

const mean = (xs: ArrayLike<number>): number => {
  let total = 0
  for (let i = 0; i < xs.length; i++) total += xs[i] as number
  return total / xs.length
}

const centralMoment = (xs: ArrayLike<number>, center: number, power: number): number => {
  let total = 0
  for (let i = 0; i < xs.length; i++) total += ((xs[i] as number) - center) ** power
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

const words = (k: Rng.Key): [number, number] => Rng.serialize(k)
const seeds = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER })
const uint32 = fc.integer({ min: 0, max: 0xffffffff })
const pair = fc.tuple(uint32, uint32)

// ---------------------------------------------------------------------------------------------------------------

describe('the test oracles', () => {
  it('the chi-square p-value matches tabulated critical values', () => {
    // chi2.isf from scipy.stats (and printed statistics tables): (statistic, degrees of freedom, upper tail)
    const table: [number, number, number][] = [
      [3.841458820694124, 1, 0.05],
      [10.827566170662733, 1, 0.001],
      [27.877164871256575, 9, 0.001],
      [12.591587243743978, 6, 0.05],
      [148.23035916510173, 99, 0.001],
      [1142.8479838910355, 999, 0.001],
    ]
    for (const [stat, df, p] of table) expect(chiSquarePValue(stat, df)).toBeCloseTo(p, 6)
  })
})

describe('threefry2x32', () => {
  // Random123 tests/kat_vectors (listed there as counter, key -> output) and JAX's random_test, both with 20 rounds
  type Words = [number, number]
  const kat: { key: Words; counter: Words; expected: Words }[] = [
    { key: [0x00000000, 0x00000000], counter: [0x00000000, 0x00000000], expected: [0x6b200159, 0x99ba4efe] },
    { key: [0xffffffff, 0xffffffff], counter: [0xffffffff, 0xffffffff], expected: [0x1cb996fc, 0xbb002be7] },
    { key: [0x13198a2e, 0x03707344], counter: [0x243f6a88, 0x85a308d3], expected: [0xc4923a9c, 0x483df7a0] },
  ]

  it('reproduces the published Threefry-2x32-20 known-answer vectors', () => {
    for (const { key, counter, expected } of kat) expect(Rng.threefry2x32(key, counter)).toEqual(expected)
  })

  it('the loop-based reference reproduces them too, and the 13-round vector of Random123', () => {
    for (const { key, counter, expected } of kat) expect(referenceThreefry(key, counter)).toEqual(expected)
    expect(referenceThreefry([0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3], 13)).toEqual([0xba3e4725, 0xf27d669e])
  })

  it('agrees with the reference on arbitrary keys and counters', () => {
    fc.assert(
      fc.property(pair, pair, (k, c) => {
        expect(Rng.threefry2x32(k, c)).toEqual(referenceThreefry(k, c))
      }),
      { numRuns: 500 },
    )
  })

  it('rejects words that are not uint32', () => {
    expect(() => Rng.threefry2x32([0, -1], [0, 0])).toThrow('key and counter must be two uint32 words each')
    expect(() => Rng.threefry2x32([0, 0], [0, 2 ** 32])).toThrow('got [0,0] and [0,4294967296]')
  })
})

describe('key', () => {
  it("takes the high and low words of the seed's 64-bit two's complement", () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const bits64 = BigInt.asUintN(64, BigInt(seed))
        expect(words(Rng.key(seed))).toEqual([Number(bits64 >> 32n), Number(bits64 & 0xffffffffn)])
        expect(Rng.key(seed)).toEqual(Rng.key(seed))
      }),
    )
    expect(words(Rng.key(-1))).toEqual([0xffffffff, 0xffffffff])
    expect(words(Rng.key(2 ** 32 + 5))).toEqual([1, 5])
  })

  it('gives distinct keys for distinct seeds', () => {
    fc.assert(
      fc.property(seeds, seeds, (a, b) => {
        fc.pre(a !== b)
        expect(words(Rng.key(a))).not.toEqual(words(Rng.key(b)))
      }),
    )
  })

  it('is frozen data that survives JSON', () => {
    const k = Rng.key(123)
    expect(Object.isFrozen(k)).toBe(true)
    expect(Object.isFrozen(k.words)).toBe(true)
    expect(k._tag).toBe('RngKey')
    expect(Rng.deserialize(JSON.parse(JSON.stringify(k)))).toEqual(k)
  })

  it('rejects seeds that are not safe integers', () => {
    expect(() => Rng.key(1.5)).toThrow('Rng.key: seed must be a safe integer, got 1.5')
    expect(() => Rng.key(Number.NaN)).toThrow('got NaN')
    expect(() => Rng.key(2 ** 53)).toThrow('got 9007199254740992')
  })
})

describe('counter mode', () => {
  it('block i of the stream is threefry(key, [i, 0]); split and foldIn use their own counter domains', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const k = Rng.key(seed)
        const w = words(k)
        const blocks = [0, 1, 2].map((i) => referenceThreefry(w, [i, 0]))
        expect(Array.from(Rng.bits(k, 6))).toEqual(blocks.flat())
        expect(Array.from(Rng.bits(k, 5))).toEqual(blocks.flat().slice(0, 5))
        const unit = blocks.map(([a, b]) => (((a as number) >>> 5) * 2 ** 26 + ((b as number) >>> 6)) / 2 ** 53)
        expect(Array.from(Rng.uniform(k, 3))).toEqual(unit)
        expect(Rng.split(k, 3).map(words)).toEqual([0, 1, 2].map((i) => referenceThreefry(w, [i, 1])))
        expect(words(Rng.foldIn(k, 7))).toEqual(referenceThreefry(w, [7, 2]))
      }),
      { numRuns: 50 },
    )
  })

  it('every draw of n values is a prefix of the same draw of more values', () => {
    const count = fc.integer({ min: 0, max: 40 })
    fc.assert(
      fc.property(seeds, count, count, fc.integer({ min: 1, max: 1000 }), (seed, n, extra, bound) => {
        const k = Rng.key(seed)
        const m = n + extra
        const prefix = <T extends ArrayLike<number>>(long: T) => Array.from(long).slice(0, n)
        expect(Array.from(Rng.bits(k, n))).toEqual(prefix(Rng.bits(k, m)))
        expect(Array.from(Rng.uniform(k, n, -2, 3))).toEqual(prefix(Rng.uniform(k, m, -2, 3)))
        expect(Array.from(Rng.uniformF32(k, n))).toEqual(prefix(Rng.uniformF32(k, m)))
        expect(Array.from(Rng.normal(k, n, 1, 2))).toEqual(prefix(Rng.normal(k, m, 1, 2)))
        expect(Array.from(Rng.normalF32(k, n))).toEqual(prefix(Rng.normalF32(k, m)))
        expect(Array.from(Rng.integers(k, n, bound))).toEqual(prefix(Rng.integers(k, m, bound)))
        expect(Rng.split(k, n).map(words)).toEqual(Rng.split(k, m).slice(0, n).map(words))
      }),
    )
  })
})

describe('purity', () => {
  it('the same key gives the same arrays; the key is not changed; each result is a fresh array', () => {
    fc.assert(
      fc.property(seeds, fc.integer({ min: 0, max: 64 }), (seed, n) => {
        const k = Rng.key(seed)
        const before = words(k)
        const draws = (key: Rng.Key) => [
          Rng.bits(key, n),
          Rng.uniform(key, n),
          Rng.uniformF32(key, n),
          Rng.normal(key, n),
          Rng.normalF32(key, n),
          Rng.integers(key, n, 17),
          Rng.permutation(key, n),
        ]
        const first = draws(k)
        const snapshot = first.map((a) => Array.from(a))
        for (const array of first) array.fill(7) // scribbling on one result must not leak into the next
        expect(draws(k).map((a) => Array.from(a))).toEqual(snapshot)
        expect(draws(Rng.key(seed)).map((a) => Array.from(a))).toEqual(snapshot)
        expect(Rng.split(k, 3)).toEqual(Rng.split(Rng.key(seed), 3))
        expect(Rng.foldIn(k, 5)).toEqual(Rng.foldIn(Rng.key(seed), 5))
        expect(words(k)).toEqual(before)
      }),
      { numRuns: 50 },
    )
  })
})

describe('split and foldIn', () => {
  it('split children differ from each other and from the parent', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const parent = Rng.key(seed)
        const children = Rng.split(parent, 16).map((k) => String(words(k)))
        expect(new Set([...children, String(words(parent))]).size).toBe(17)
        expect(Rng.split(parent)).toHaveLength(2)
      }),
    )
    expect(Rng.split(Rng.key(0), 0)).toEqual([])
  })

  it('foldIn gives a distinct key for every value (negative and beyond 2^32 too), none of them a split child', () => {
    const parent = Rng.key(3)
    const data = [
      ...Array.from({ length: 1000 }, (_, i) => i),
      -1,
      -2,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 1,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ]
    const folded = data.map((d) => String(words(Rng.foldIn(parent, d))))
    expect(new Set(folded).size).toBe(data.length)
    const children = new Set(Rng.split(parent, 1000).map((k) => String(words(k))))
    expect(folded.filter((f) => children.has(f))).toEqual([])
    expect(folded).not.toContain(String(words(parent)))
  })

  it('streams of related keys are uncorrelated over 1e5 draws', () => {
    const parent = Rng.key(11)
    const [a, b] = Rng.split(parent)
    const n = 1e5
    // |corr| of independent samples has standard deviation 1/sqrt(n) ≈ 0.0032, so 0.02 is more than 6 of them
    const pairs: [Rng.Key, Rng.Key][] = [
      [a, b],
      [parent, a],
      [Rng.foldIn(a, 0), Rng.foldIn(a, 1)],
      [a, Rng.foldIn(a, 0)],
      [Rng.key(0), Rng.key(1)],
    ]
    for (const [x, y] of pairs) expect(Math.abs(correlation(Rng.uniform(x, n), Rng.uniform(y, n)))).toBeLessThan(0.02)
    expect(Math.abs(correlation(Rng.normal(a, n), Rng.normal(b, n)))).toBeLessThan(0.02)
  })

  it('rejects bad arguments', () => {
    expect(() => Rng.split(Rng.key(0), 1.5)).toThrow('Rng.split: n must be an integer in [0, 4294967296], got 1.5')
    expect(() => Rng.split(Rng.key(0), -1)).toThrow('got -1')
    expect(() => Rng.foldIn(Rng.key(0), 0.5)).toThrow('Rng.foldIn: data must be a safe integer, got 0.5')
  })
})

describe('uniform', () => {
  it('has mean 1/2 and variance 1/12 over 1e5 draws, every value in [0, 1)', () => {
    const u = Rng.uniform(Rng.key(1), 1e5)
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true)
    // standard errors: 0.29/sqrt(n) ≈ 0.0009 for the mean, sqrt((1/80 − 1/144)/n) ≈ 0.00024 for the variance
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(0.005)
    expect(Math.abs(centralMoment(u, 0.5, 2) - 1 / 12)).toBeLessThan(0.002)
  })

  it('puts 1/10 of the draws in each tenth of [0, 1) (chi-square)', () => {
    const n = 1e5
    const counts = new Array<number>(10).fill(0)
    for (const v of Rng.uniform(Rng.key(21), n)) counts[Math.floor(v * 10)] = (counts[Math.floor(v * 10)] ?? 0) + 1
    expect(chiSquarePValue(chiSquareStat(counts, n / 10), 9)).toBeGreaterThan(0.001)
  })

  it('stays in [low, high) for any finite bounds', () => {
    fc.assert(
      fc.property(
        seeds,
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (seed, low, width) => {
          const high = low + width
          const values = Rng.uniform(Rng.key(seed), 64, low, high)
          if (low < high) expect(values.every((v) => v >= low && v < high)).toBe(true)
          else expect(values.every((v) => v === low)).toBe(true)
        },
      ),
    )
  })

  it('steps down when rounding would reach high', () => {
    // [1, 1 + 2^-52) holds one double, 1; low + u·width rounds up to high for u close to 1
    const high = 1 + 2 ** -52
    expect(Array.from(Rng.uniform(Rng.key(0), 100, 1, high))).toEqual(new Array(100).fill(1))
    expect(Array.from(Rng.uniform(Rng.key(0), 3, 2, 2))).toEqual([2, 2, 2])
  })

  it('rejects bad arguments', () => {
    expect(() => Rng.uniform(Rng.key(0), -1)).toThrow('Rng.uniform: n must be an integer in [0, 4294967296], got -1')
    expect(() => Rng.uniform(Rng.key(0), 2, 1, 0)).toThrow('need finite low <= high with a finite width, got [1, 0)')
    expect(() => Rng.uniform(Rng.key(0), 2, 0, Number.POSITIVE_INFINITY)).toThrow('got [0, Infinity)')
    expect(() => Rng.uniform(Rng.key(0), 2, -Number.MAX_VALUE, Number.MAX_VALUE)).toThrow('finite width')
  })
})

describe('uniformF32', () => {
  it('is uniform rounded to float32, every value in [fround(low), fround(high))', () => {
    fc.assert(
      fc.property(
        seeds,
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: 0, max: 1e3, noNaN: true }),
        (seed, low, width) => {
          const high = low + width
          const [bottom, top] = [Math.fround(low), Math.fround(high)]
          const f = Rng.uniformF32(Rng.key(seed), 64, low, high)
          const d = Rng.uniform(Rng.key(seed), 64, low, high)
          for (let i = 0; i < f.length; i++) {
            const v = f[i] as number
            if (bottom < top) expect(v >= bottom && v < top).toBe(true)
            else expect(v).toBe(bottom)
            // the rounded double, unless that rounding reached the top
            if (Math.fround(d[i] as number) < top) expect(v).toBe(Math.fround(d[i] as number))
          }
        },
      ),
    )
  })

  it('steps down when float32 rounding would reach high', () => {
    // float32 steps by 2^-24 below 1: draws in [1 − 2^-23, 1) round to 1 − 2^-23, 1 − 2^-24 or (the top quarter) to 1,
    // which must step down to 1 − 2^-24
    const [low, high] = [1 - 2 ** -23, 1]
    const values = Rng.uniformF32(Rng.key(0), 64, low, high)
    const roundedUp = Rng.uniform(Rng.key(0), 64, low, high).filter((d) => Math.fround(d) === 1)
    expect(roundedUp.length).toBeGreaterThan(0)
    expect(values.every((v) => v === 1 - 2 ** -23 || v === 1 - 2 ** -24)).toBe(true)
    // when low and high round to the same float32 there is nothing below high to pick: every value is fround(low)
    expect(Array.from(Rng.uniformF32(Rng.key(0), 3, 1 - 2 ** -30, 1))).toEqual([1, 1, 1])
  })
})

describe('normal', () => {
  const n = 1e5
  const z = Rng.normal(Rng.key(2), n)

  it('has mean 0, std 1, skewness 0 and kurtosis 3 over 1e5 draws, all finite', () => {
    expect(z.every(Number.isFinite)).toBe(true)
    // standard errors: 1/sqrt(n) ≈ 0.0032 (mean), 1/sqrt(2n) ≈ 0.0022 (std), sqrt(6/n) ≈ 0.0077 (skewness),
    // sqrt(24/n) ≈ 0.015 (kurtosis)
    expect(Math.abs(mean(z))).toBeLessThan(0.01)
    const std = Math.sqrt(centralMoment(z, 0, 2))
    expect(Math.abs(std - 1)).toBeLessThan(0.01)
    expect(Math.abs(centralMoment(z, 0, 3))).toBeLessThan(0.04)
    expect(Math.abs(centralMoment(z, 0, 4) - 3)).toBeLessThan(0.1)
  })

  it('puts 5% of the mass beyond ±1.96 and 0.27% beyond ±3', () => {
    const beyond = (t: number) => z.reduce((count, v) => count + (Math.abs(v) > t ? 1 : 0), 0) / n
    // binomial standard errors ≈ 0.0007 and 0.00016
    expect(Math.abs(beyond(1.959964) - 0.05)).toBeLessThan(0.004)
    expect(Math.abs(beyond(3) - 0.0027)).toBeLessThan(0.001)
  })

  it('applies mean and std as mean + std·z; normalF32 is normal rounded to float32', () => {
    const shifted = Rng.normal(Rng.key(2), 1000, 5, 0.1)
    const f32 = Rng.normalF32(Rng.key(2), 1000, 5, 0.1)
    for (let i = 0; i < shifted.length; i++) {
      expect(shifted[i]).toBeCloseTo(5 + 0.1 * (z[i] as number), 12)
      expect(f32[i]).toBe(Math.fround(shifted[i] as number))
    }
    expect(Array.from(Rng.normal(Rng.key(2), 4, 3, 0))).toEqual([3, 3, 3, 3])
    expect(Rng.normal(Rng.key(2), 7)).toHaveLength(7)
  })

  it('rejects bad parameters', () => {
    expect(() => Rng.normal(Rng.key(0), 2, 0, -1)).toThrow(
      'Rng.normal: need a finite mean and a finite std >= 0, got mean 0, std -1',
    )
    expect(() => Rng.normalF32(Rng.key(0), 2, Number.NaN)).toThrow('Rng.normalF32: need a finite mean')
  })
})

describe('integers', () => {
  it.each([2, 7, 10, 1000])('are in [0, %i) and pass a chi-square test for uniformity', (bound) => {
    const n = 1e5
    const draws = Rng.integers(Rng.foldIn(Rng.key(3), bound), n, bound)
    const counts = new Array<number>(bound).fill(0)
    let outside = 0
    for (const v of draws) {
      if (v >= 0 && v < bound) counts[v] = (counts[v] ?? 0) + 1
      else outside++
    }
    expect(outside).toBe(0)
    // the statistic has bound − 1 degrees of freedom under uniformity; fixed keys, so this never flakes
    expect(chiSquarePValue(chiSquareStat(counts, n / bound), bound - 1)).toBeGreaterThan(0.001)
  })

  it('have no modulo bias for a bound where plain modulo would be badly biased', () => {
    // bound = 1.5·2^30: 2^32 mod bound = 2^30, so plain modulo would put 3/4 of the draws below 2^30 instead of 2/3
    const bound = 3 * 2 ** 29
    const draws = Rng.integers(Rng.key(5), 2e4, bound)
    const below = draws.reduce((count, v) => count + (v < 2 ** 30 ? 1 : 0), 0) / draws.length
    expect(Math.abs(below - 2 / 3)).toBeLessThan(0.02)
    expect(draws.every((v) => v >= 0 && v < bound)).toBe(true)
  })

  it('handle the extreme bounds 1 and 2^31', () => {
    expect(Array.from(Rng.integers(Rng.key(4), 5, 1))).toEqual([0, 0, 0, 0, 0])
    const wide = Rng.integers(Rng.key(4), 1000, 2 ** 31)
    expect(wide.every((v) => v >= 0)).toBe(true)
    expect(wide.some((v) => v >= 2 ** 30)).toBe(true)
  })

  it('reject bad bounds', () => {
    const message = 'Rng.integers: maxExclusive must be an integer in [1, 2^31], got'
    expect(() => Rng.integers(Rng.key(4), 5, 0)).toThrow(`${message} 0`)
    expect(() => Rng.integers(Rng.key(4), 5, 2.5)).toThrow(`${message} 2.5`)
    expect(() => Rng.integers(Rng.key(4), 5, 2 ** 31 + 1)).toThrow(`${message} 2147483649`)
  })
})

describe('permutation', () => {
  it('is a permutation of 0..n-1', () => {
    fc.assert(
      fc.property(seeds, fc.integer({ min: 0, max: 300 }), (seed, n) => {
        const p = Array.from(Rng.permutation(Rng.key(seed), n))
        expect(p.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i))
      }),
    )
  })

  it('gives each of the 6 orders of 3 items with probability 1/6 (chi-square)', () => {
    const n = 6e4
    const base = Rng.key(8)
    const counts = new Map<string, number>()
    for (let i = 0; i < n; i++) {
      const order = Rng.permutation(Rng.foldIn(base, i), 3).join('')
      counts.set(order, (counts.get(order) ?? 0) + 1)
    }
    expect(counts.size).toBe(6)
    expect(chiSquarePValue(chiSquareStat([...counts.values()], n / 6), 5)).toBeGreaterThan(0.001)
  })

  it('differs between keys and rejects bad sizes', () => {
    expect(Array.from(Rng.permutation(Rng.key(1), 20))).not.toEqual(Array.from(Rng.permutation(Rng.key(2), 20)))
    expect(() => Rng.permutation(Rng.key(1), -3)).toThrow('Rng.permutation: n must be an integer in [0, 2147483648]')
  })
})

describe('serialize and deserialize', () => {
  it('round-trip every key', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const k = Rng.key(seed)
        expect(Rng.deserialize(Rng.serialize(k))).toEqual(k)
        expect(Rng.deserialize(JSON.parse(JSON.stringify(Rng.serialize(k))))).toEqual(k)
      }),
    )
    fc.assert(
      fc.property(pair, (w) => {
        expect(Rng.serialize(Rng.deserialize(w))).toEqual(w)
      }),
    )
  })

  it('serialize returns a fresh array', () => {
    const k = Rng.key(9)
    const w = Rng.serialize(k)
    w[0] = 123
    expect(Rng.serialize(k)).toEqual([0, 9])
  })

  it('deserialize rejects anything but two uint32 integers, naming the input', () => {
    const message = 'Rng.deserialize: expected two unsigned 32-bit integers like [0, 1] (or a serialized Key), got'
    const bad: [unknown, string][] = [
      [[1], '[1]'],
      [[1, 2, 3], '[1,2,3]'],
      [[1, -2], '[1,-2]'],
      [[1, 2 ** 32], '[1,4294967296]'],
      [[1, 0.5], '[1,0.5]'],
      [['0', '1'], '["0","1"]'],
      ['0,1', '"0,1"'],
      [null, 'null'],
      [undefined, 'undefined'],
      [{ _tag: 'RngKey', words: [1] }, '{"_tag":"RngKey","words":[1]}'],
      [1n, '1n'],
      [[1, Number.NaN], '[1,NaN]'],
    ]
    for (const [input, shown] of bad) expect(() => Rng.deserialize(input)).toThrow(`${message} ${shown}`)
  })
})
