import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  band,
  commonGrid,
  lastMean,
  mean,
  meanWithCI,
  median,
  type Point,
  range,
  resample,
  sampleStd,
  stepsToThreshold,
  studentTCdf,
  studentTQuantile,
  trailingMean,
} from './stats.js'

/** Returns as Pendulum gives them: one episode end every 200 steps. */
const episodes = (returns: readonly number[]): Point[] => returns.map((r, i) => [200 * (i + 1), r] as const)

const finite = fc.double({ min: -2000, max: 2000, noNaN: true, noDefaultInfinity: true })

describe('mean, median, range, sampleStd', () => {
  it('match hand-computed values', () => {
    expect(mean([1, 2, 6])).toBe(3)
    expect(median([9, 1, 5])).toBe(5)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNaN()
    expect(median([1, Number.POSITIVE_INFINITY, 3])).toBe(3)
    expect(range([3, -1, 7])).toEqual({ min: -1, max: 7 })
    expect(range([])).toBeUndefined()
    expect(sampleStd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.13809, 5)
    expect(sampleStd([4])).toBeNaN()
  })

  it('median lies within the range and does not depend on the order', () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: 1, maxLength: 30 }), (xs) => {
        const m = median(xs)
        const r = range(xs)
        expect(m).toBeGreaterThanOrEqual(r?.min ?? Number.NaN)
        expect(m).toBeLessThanOrEqual(r?.max ?? Number.NaN)
        expect(median([...xs].reverse())).toBe(m)
      }),
    )
  })
})

describe("Student's t", () => {
  it('has the tabled 97.5 % quantiles', () => {
    // two-sided 95 % critical values, e.g. NIST/SEMATECH e-Handbook table 1.4.2.7.2
    const table: Array<[number, number]> = [
      [1, 12.706],
      [2, 4.303],
      [4, 2.776],
      [9, 2.262],
      [30, 2.042],
      [1000, 1.962],
    ]
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3)
  })

  it('quantile inverts the CDF and is odd', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.integer({ min: 1, max: 200 }), (p, df) => {
        const q = studentTQuantile(p, df)
        expect(studentTCdf(q, df)).toBeCloseTo(p, 8)
        expect(studentTQuantile(1 - p, df)).toBeCloseTo(-q, 6)
      }),
    )
  })

  it('rejects p outside (0, 1) and df <= 0', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError)
    expect(() => studentTQuantile(0.5, 0)).toThrow(RangeError)
  })
})

describe('meanWithCI', () => {
  it('is t · s / √n either side of the mean', () => {
    const ci = meanWithCI([1, 2, 3])
    expect(ci.mean).toBe(2)
    expect(ci.halfWidth).toBeCloseTo(4.302653 / Math.sqrt(3), 5)
    expect(ci.low).toBeCloseTo(2 - 4.302653 / Math.sqrt(3), 5)
    expect(meanWithCI([5])).toEqual({ n: 1, mean: 5, halfWidth: undefined, low: undefined, high: undefined })
    expect(() => meanWithCI([])).toThrow(RangeError)
  })

  it('contains the mean, and is wider at 99 % than at 95 %', () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: 2, maxLength: 20 }), (xs) => {
        const ci = meanWithCI(xs)
        expect(ci.low).toBeLessThanOrEqual(ci.mean)
        expect(ci.high).toBeGreaterThanOrEqual(ci.mean)
        expect(ci.mean).toBeCloseTo(mean(xs), 9)
        expect(meanWithCI(xs, 0.99).halfWidth).toBeGreaterThanOrEqual(ci.halfWidth ?? Number.NaN)
      }),
    )
  })

  it('is empty for identical values and shrinks as the same samples are repeated', () => {
    fc.assert(
      fc.property(finite, fc.integer({ min: 2, max: 30 }), (x, n) => {
        expect(meanWithCI(Array.from({ length: n }, () => x)).halfWidth).toBeCloseTo(0, 9)
      }),
    )
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -2000, max: 2000 }), { minLength: 2, maxLength: 10 }),
        fc.integer({ min: 1, max: 5 }),
        (xs, k) => {
          fc.pre(new Set(xs).size > 1)
          const repeated = (times: number) => Array.from({ length: times }, () => xs).flat()
          expect(meanWithCI(repeated(k + 1)).halfWidth).toBeLessThan(meanWithCI(repeated(k)).halfWidth as number)
        },
      ),
    )
  })
})

describe('stepsToThreshold', () => {
  it('finds the first episode end where the last 10 returns average above −200', () => {
    // 20 episodes at −1000, then −100: the window of 10 first averages above −200 with 9 good episodes in it
    // ((9 · −100 + 1 · −1000) / 10 = −190), at the 29th episode end
    const returns = episodes([...Array(20).fill(-1000), ...Array(20).fill(-100)])
    expect(stepsToThreshold(returns, -200, 10)).toBe(29 * 200)
    expect(stepsToThreshold(episodes(Array(30).fill(-201)), -200)).toBeUndefined()
    // only full windows count: a good first episode is not enough
    expect(stepsToThreshold(episodes([-100, -1000, -1000]), -200, 10)).toBeUndefined()
    // "above": exactly at the threshold is not enough
    expect(stepsToThreshold(episodes(Array(10).fill(-200)), -200, 10)).toBeUndefined()
    expect(stepsToThreshold([], -200)).toBeUndefined()
  })

  it('agrees with the definition computed naively', () => {
    const naive = (points: readonly Point[], threshold: number, window: number) => {
      for (let i = window - 1; i < points.length; i++) {
        if (mean(points.slice(i - window + 1, i + 1).map(([, y]) => y)) > threshold) return points[i]?.[0]
      }
      return undefined
    }
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1500, max: 0 }), { maxLength: 60 }),
        fc.integer({ min: -1200, max: -100 }),
        fc.integer({ min: 1, max: 12 }),
        (returns, threshold, window) => {
          const points = episodes(returns)
          expect(stepsToThreshold(points, threshold, window)).toBe(naive(points, threshold, window))
        },
      ),
    )
  })

  it('is never before the window is full, and a constant run reaches it exactly when above', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1500, max: 0 }), fc.integer({ min: 1, max: 40 }), (value, n) => {
        const result = stepsToThreshold(episodes(Array(n).fill(value)), -200, 10)
        expect(result).toBe(value > -200 && n >= 10 ? 10 * 200 : undefined)
      }),
    )
  })
})

describe('lastMean and trailingMean', () => {
  it('average the last values', () => {
    expect(lastMean(episodes([-900, -300, -100]), 2)).toBe(-200)
    expect(lastMean(episodes([-900]), 10)).toBe(-900)
    expect(lastMean([], 10)).toBeUndefined()
    expect(
      trailingMean(
        [
          [1, 0],
          [2, 10],
          [3, 20],
        ],
        2,
      ),
    ).toEqual([
      [1, 0],
      [2, 5],
      [3, 15],
    ])
  })

  it('keep the steps, end on lastMean, and are the identity for a window of 1', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1500, max: 0 }), { minLength: 1, maxLength: 40 }), (returns) => {
        const points = episodes(returns)
        const smoothed = trailingMean(points, 10)
        expect(smoothed.map(([x]) => x)).toEqual(points.map(([x]) => x))
        expect(smoothed.at(-1)?.[1]).toBeCloseTo(lastMean(points, 10) as number, 9)
        expect(trailingMean(points, 1)).toEqual(points)
      }),
    )
  })
})

describe('commonGrid, resample and band', () => {
  it('keeps the steps every curve covers', () => {
    expect(
      commonGrid([
        [
          [0, 1],
          [10, 2],
          [20, 3],
        ],
        [
          [5, 1],
          [15, 2],
          [25, 3],
        ],
      ]),
    ).toEqual([5, 10, 15, 20])
    expect(commonGrid([])).toEqual([])
    expect(commonGrid([[[0, 1]], []])).toEqual([])
  })

  it('interpolates linearly, and is undefined outside the curve', () => {
    expect(
      resample(
        [
          [0, 0],
          [10, 100],
        ],
        [-5, 0, 2.5, 10, 11],
      ),
    ).toEqual([undefined, 0, 25, 100, undefined])
    expect(resample([], [0])).toEqual([undefined])
  })

  /** Points at distinct, sorted steps. */
  const curve = fc
    .uniqueArray(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 40 })
    .chain((steps) =>
      fc
        .array(finite, { minLength: steps.length, maxLength: steps.length })
        .map((values) => [...steps].sort((a, b) => a - b).map((x, i) => [x, values[i] as number] as const)),
    )

  it('preserves the values at the sample points, in any order of the points', () => {
    fc.assert(
      fc.property(curve, (points) => {
        const steps = points.map(([x]) => x)
        expect(resample(points, steps)).toEqual(points.map(([, y]) => y))
        expect(resample([...points].reverse(), steps)).toEqual(points.map(([, y]) => y))
      }),
    )
  })

  it('stays between the neighbouring values', () => {
    fc.assert(
      fc.property(curve, fc.double({ min: 0, max: 1, noNaN: true }), (points, at) => {
        const first = points[0]?.[0] as number
        const last = points.at(-1)?.[0] as number
        const x = first + at * (last - first)
        const [y] = resample(points, [x])
        const i = points.findLastIndex(([px]) => px <= x)
        const neighbours = [points[i]?.[1], points[Math.min(i + 1, points.length - 1)]?.[1]] as number[]
        expect(y).toBeGreaterThanOrEqual(Math.min(...neighbours) - 1e-9)
        expect(y).toBeLessThanOrEqual(Math.max(...neighbours) + 1e-9)
      }),
    )
  })

  it('band: the mean lies between min and max, and one curve is its own band', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: -1500, max: 0 }), { minLength: 1, maxLength: 30 }), {
          minLength: 1,
          maxLength: 5,
        }),
        (seeds) => {
          const curves = seeds.map(episodes)
          const points = band(curves)
          expect(points).toHaveLength(Math.min(...seeds.map((s) => s.length)))
          for (const p of points) {
            expect(p.min).toBeLessThanOrEqual(p.mean + 1e-9)
            expect(p.max).toBeGreaterThanOrEqual(p.mean - 1e-9)
          }
          const [only] = curves as [Point[]]
          expect(band([only])).toEqual(only.map(([step, y]) => ({ step, mean: y, min: y, max: y })))
        },
      ),
    )
  })
})
