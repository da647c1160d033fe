import { Rng } from '@polyak/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { clippedGaussianNoise, gaussianNoise } from './gaussianNoise.js'

const mean = (xs: ArrayLike<number>): number => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length
const std = (xs: ArrayLike<number>): number => {
  const m = mean(xs)
  return Math.sqrt(Array.from(xs).reduce((a, x) => a + (x - m) ** 2, 0) / xs.length)
}

describe('gaussianNoise', () => {
  it('has mean 0 and std sigma on 1e5 draws (fixed key)', () => {
    const sigma = 0.3
    const n = 100_000
    const xs = gaussianNoise(Rng.key(11), n, sigma)
    expect(xs).toBeInstanceOf(Float32Array)
    expect(xs.length).toBe(n)
    // standard error of the mean is sigma/sqrt(n) ~ 9.5e-4; allow 4 of them
    expect(Math.abs(mean(xs))).toBeLessThan((4 * sigma) / Math.sqrt(n))
    // standard error of the std is sigma/sqrt(2n) ~ 6.7e-4; allow 1%
    expect(Math.abs(std(xs) - sigma) / sigma).toBeLessThan(0.01)
  })

  it('is pure: same key, same output; different keys differ', () => {
    const a = gaussianNoise(Rng.key(3), 16, 1)
    expect(gaussianNoise(Rng.key(3), 16, 1)).toEqual(a)
    expect(gaussianNoise(Rng.key(4), 16, 1)).not.toEqual(a)
  })

  it('sigma = 0 gives zeros, size 0 gives an empty array', () => {
    expect(Array.from(gaussianNoise(Rng.key(0), 5, 0))).toEqual([0, 0, 0, 0, 0])
    expect(gaussianNoise(Rng.key(0), 0, 1).length).toBe(0)
  })

  it('rejects bad arguments', () => {
    expect(() => gaussianNoise(Rng.key(0), -1, 1)).toThrow(RangeError)
    expect(() => gaussianNoise(Rng.key(0), 1.5, 1)).toThrow(RangeError)
    expect(() => gaussianNoise(Rng.key(0), 3, -0.1)).toThrow(RangeError)
    expect(() => clippedGaussianNoise(Rng.key(0), 3, 0.1, -1)).toThrow(RangeError)
  })
})

describe('clippedGaussianNoise', () => {
  it('never exceeds c in absolute value (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: 0, max: 200 }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (seed, size, sigma, clip) => {
          const xs = clippedGaussianNoise(Rng.key(seed), size, sigma, clip)
          return xs.length === size && xs.every((x) => Math.abs(x) <= Math.fround(clip))
        },
      ),
    )
  })

  it('equals the Gaussian draws of the same key where they are inside [-c, c], and ±c elsewhere', () => {
    const raw = gaussianNoise(Rng.key(9), 1000, 1)
    const clipped = clippedGaussianNoise(Rng.key(9), 1000, 1, 0.5)
    let clippedCount = 0
    raw.forEach((x, i) => {
      if (Math.abs(x) <= 0.5) expect(clipped[i]).toBe(x)
      else {
        clippedCount++
        expect(clipped[i]).toBe(Math.sign(x) * 0.5)
      }
    })
    // P(|N(0,1)| > 0.5) ≈ 0.617
    expect(clippedCount / 1000).toBeGreaterThan(0.55)
    expect(clippedCount / 1000).toBeLessThan(0.68)
  })
})
