/**
 * The benchmark's statistics, as pure functions over plain numbers: the steps a run takes to reach a return
 * threshold, medians and ranges over seeds, a mean with its Student-t confidence interval, and learning curves put
 * on a common step grid. Nothing here reads files, clocks or random numbers.
 *
 * @module stats
 */

/**
 * A point of a learning curve: `[environment step, value]`, e.g. the step at which an episode ended and its return.
 *
 * @example
 * ```ts
 * const episodeEnd: Point = [200, -1169.8]
 * ```
 */
export type Point = readonly [number, number]

/**
 * The arithmetic mean; `NaN` for no values.
 *
 * @example
 * ```ts
 * mean([1, 2, 6]) // 3
 * ```
 */
export const mean = (xs: readonly number[]): number => xs.reduce((sum, x) => sum + x, 0) / xs.length

/**
 * The median: the middle value, or the mean of the two middle values for an even count; `NaN` for no values.
 *
 * @example
 * ```ts
 * median([9, 1, 5]) // 5
 * median([4, 1, 3, 2]) // 2.5
 * ```
 */
export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return Number.NaN
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/**
 * The smallest and the largest value; `undefined` for no values.
 *
 * @example
 * ```ts
 * range([3, -1, 7]) // { min: -1, max: 7 }
 * ```
 */
export const range = (xs: readonly number[]): { readonly min: number; readonly max: number } | undefined =>
  xs.length === 0 ? undefined : { min: Math.min(...xs), max: Math.max(...xs) }

/**
 * The sample standard deviation (divided by n − 1); `NaN` for fewer than two values.
 *
 * @example
 * ```ts
 * sampleStd([2, 4, 4, 4, 5, 5, 7, 9]) // 2.138…
 * ```
 */
export const sampleStd = (xs: readonly number[]): number => {
  if (xs.length < 2) return Number.NaN
  const m = mean(xs)
  return Math.sqrt(xs.reduce((sum, x) => sum + (x - m) ** 2, 0) / (xs.length - 1))
}

// Lanczos approximation (g = 7, 9 terms) of ln Γ, accurate to about 1e-15 for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
]

const logGamma = (x: number): number => {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x)
  const z = x - 1
  let sum = LANCZOS[0] as number
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i)
  const t = z + 7.5
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum)
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
const betaContinuedFraction = (a: number, b: number, x: number): number => {
  const tiny = 1e-300
  let c = 1
  let d = 1 - ((a + b) * x) / (a + 1)
  if (Math.abs(d) < tiny) d = tiny
  d = 1 / d
  let h = d
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    h *= d * c
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-15) break
  }
  return h
}

/** The regularized incomplete beta function I_x(a, b). */
const incompleteBeta = (a: number, b: number, x: number): number => {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x))
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b
}

/**
 * The cumulative distribution function of Student's t distribution with `df` degrees of freedom.
 *
 * @example
 * ```ts
 * studentTCdf(0, 4) // 0.5
 * studentTCdf(2.776, 4) // 0.975…
 * ```
 */
export const studentTCdf = (t: number, df: number): number => {
  const tail = 0.5 * incompleteBeta(df / 2, 0.5, df / (df + t * t))
  return t >= 0 ? 1 - tail : tail
}

/**
 * The quantile (inverse CDF) of Student's t distribution with `df` degrees of freedom, found by bisection to about
 * 1e-10.
 *
 * @throws RangeError for `p` outside (0, 1) or `df` not positive
 *
 * @example
 * ```ts
 * studentTQuantile(0.975, 1) // 12.706…
 * studentTQuantile(0.975, 4) // 2.776…
 * ```
 */
export const studentTQuantile = (p: number, df: number): number => {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`)
  if (!(df > 0)) throw new RangeError(`df must be > 0, got ${df}`)
  if (p === 0.5) return 0
  if (p < 0.5) return -studentTQuantile(1 - p, df)
  let high = 1
  while (studentTCdf(high, df) < p) high *= 2
  let low = 0
  for (let i = 0; i < 200 && high - low > 1e-10 * Math.max(1, high); i++) {
    const mid = (low + high) / 2
    if (studentTCdf(mid, df) < p) low = mid
    else high = mid
  }
  return (low + high) / 2
}

/**
 * A mean and its two-sided confidence interval: `mean ± halfWidth`. With one value there is no interval
 * (`halfWidth`, `low` and `high` are `undefined`).
 *
 * @example
 * ```ts
 * const { mean, halfWidth }: MeanInterval = meanWithCI([-150, -170, -160])
 * ```
 */
export interface MeanInterval {
  /** How many values. */
  readonly n: number
  readonly mean: number
  /** t(1 − (1 − level)/2, n − 1) · s / √n. */
  readonly halfWidth: number | undefined
  readonly low: number | undefined
  readonly high: number | undefined
}

/**
 * The mean of the values and its Student-t confidence interval (default 95 %): `t · s / √n` either side, with `s`
 * the sample standard deviation and `t` the quantile of Student's t with n − 1 degrees of freedom.
 *
 * @throws RangeError for no values, or a level outside (0, 1)
 *
 * @example
 * ```ts
 * meanWithCI([1, 2, 3]).halfWidth // 2.484… (t 4.303 · 1 / √3)
 * meanWithCI([5]).halfWidth // undefined
 * ```
 */
export const meanWithCI = (xs: readonly number[], level = 0.95): MeanInterval => {
  if (xs.length === 0) throw new RangeError('meanWithCI needs at least one value')
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`)
  const m = mean(xs)
  if (xs.length < 2) return { n: xs.length, mean: m, halfWidth: undefined, low: undefined, high: undefined }
  const halfWidth = (studentTQuantile(1 - (1 - level) / 2, xs.length - 1) * sampleStd(xs)) / Math.sqrt(xs.length)
  return { n: xs.length, mean: m, halfWidth, low: m - halfWidth, high: m + halfWidth }
}

/**
 * The first step at which the mean of the last `window` values is above `threshold` ("steps to −200": the first
 * episode end at which the mean of the last 10 training-episode returns is above −200). Only full windows count, so
 * nothing is reached before the `window`-th point; `undefined` when it is never reached. Points are taken in order.
 *
 * @example
 * ```ts
 * const returns: Point[] = [[200, -1200], [400, -150], [600, -100]]
 * stepsToThreshold(returns, -500, 2) // 600: (−150 − 100) / 2 > −500, while (−1200 − 150) / 2 is not
 * stepsToThreshold(returns, -50, 2) // undefined
 * ```
 */
export const stepsToThreshold = (points: readonly Point[], threshold: number, window = 10): number | undefined => {
  if (!(window >= 1)) throw new RangeError(`window must be >= 1, got ${window}`)
  let sum = 0
  for (let i = 0; i < points.length; i++) {
    sum += (points[i] as Point)[1]
    if (i >= window) sum -= (points[i - window] as Point)[1]
    if (i >= window - 1 && sum / window > threshold) return (points[i] as Point)[0]
  }
  return undefined
}

/**
 * The mean of the last `window` values (all of them when there are fewer); `undefined` for no points.
 *
 * @example
 * ```ts
 * lastMean([[200, -900], [400, -300], [600, -100]], 2) // -200
 * ```
 */
export const lastMean = (points: readonly Point[], window = 10): number | undefined =>
  points.length === 0 ? undefined : mean(points.slice(-window).map(([, y]) => y))

/**
 * Each point's value replaced by the mean of it and the up to `window − 1` values before it (the first points
 * average fewer values), at the same steps: the smoothed learning curve.
 *
 * @example
 * ```ts
 * trailingMean([[1, 0], [2, 10], [3, 20]], 2) // [[1, 0], [2, 5], [3, 15]]
 * ```
 */
export const trailingMean = (points: readonly Point[], window = 10): Point[] => {
  if (!(window >= 1)) throw new RangeError(`window must be >= 1, got ${window}`)
  let sum = 0
  return points.map(([x, y], i) => {
    sum += y
    if (i >= window) sum -= (points[i - window] as Point)[1]
    return [x, sum / Math.min(i + 1, window)] as const
  })
}

/**
 * The steps every curve covers: each step of any curve that lies between the latest first step and the earliest
 * last step, sorted and without repeats. Curves whose points fall on the same steps (Pendulum's episodes end every
 * 200 steps) give exactly those steps. No curves, or an empty one, give no steps.
 *
 * @example
 * ```ts
 * commonGrid([[[0, 1], [10, 2], [20, 3]], [[5, 1], [15, 2], [25, 3]]]) // [5, 10, 15, 20]
 * ```
 */
export const commonGrid = (curves: ReadonlyArray<readonly Point[]>): number[] => {
  if (curves.length === 0 || curves.some((c) => c.length === 0)) return []
  const start = Math.max(...curves.map((c) => Math.min(...c.map(([x]) => x))))
  const end = Math.min(...curves.map((c) => Math.max(...c.map(([x]) => x))))
  const steps = new Set(curves.flatMap((c) => c.map(([x]) => x)).filter((x) => x >= start && x <= end))
  return [...steps].sort((a, b) => a - b)
}

/**
 * The curve's value at each step of `grid`, linearly interpolated between its points (taken sorted by step); exact
 * at its own steps, `undefined` before its first and after its last step. For two points at one step the later
 * one counts.
 *
 * @example
 * ```ts
 * resample([[0, 0], [10, 100]], [-5, 0, 2.5, 10, 11]) // [undefined, 0, 25, 100, undefined]
 * ```
 */
export const resample = (points: readonly Point[], grid: readonly number[]): Array<number | undefined> => {
  const sorted = [...points].sort((a, b) => a[0] - b[0])
  return grid.map((x) => {
    const n = sorted.length
    if (n === 0 || x < (sorted[0] as Point)[0] || x > (sorted[n - 1] as Point)[0]) return undefined
    // the last point at or before x
    let low = 0
    let high = n - 1
    while (low < high) {
      const mid = Math.ceil((low + high) / 2)
      if ((sorted[mid] as Point)[0] <= x) low = mid
      else high = mid - 1
    }
    const [x0, y0] = sorted[low] as Point
    if (x0 === x || low === n - 1) return y0
    const [x1, y1] = sorted[low + 1] as Point
    return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0)
  })
}

/**
 * One step of a curve summarized over seeds: the mean and the smallest and largest value.
 *
 * @example
 * ```ts
 * const point: BandPoint = { step: 2000, mean: -900, min: -1100, max: -700 }
 * ```
 */
export interface BandPoint {
  readonly step: number
  readonly mean: number
  readonly min: number
  readonly max: number
}

/**
 * Several seeds' curves on their {@link commonGrid}: at each step, the mean over the seeds and the min–max range.
 *
 * @example
 * ```ts
 * band([[[0, 0], [10, 10]], [[0, 2], [10, 30]]]) // [{ step: 0, mean: 1, min: 0, max: 2 }, { step: 10, mean: 20, min: 10, max: 30 }]
 * ```
 */
export const band = (curves: ReadonlyArray<readonly Point[]>): BandPoint[] => {
  const grid = commonGrid(curves)
  const columns = curves.map((curve) => resample(curve, grid))
  return grid.map((step, i) => {
    const values = columns.map((column) => column[i] as number)
    return { step, mean: mean(values), min: Math.min(...values), max: Math.max(...values) }
  })
}
