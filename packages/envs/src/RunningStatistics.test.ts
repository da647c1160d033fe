import { ConfigError, decodeOrThrow } from '@polyak/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addSample,
  batchStatistics,
  decodeStatistics,
  initialStatistics,
  mergeStatistics,
  normalize,
  type RunningStatistics,
  RunningStatisticsCodec,
  updateStatistics,
} from './RunningStatistics.js'

const SIZE = 3
const vector = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: SIZE, maxLength: SIZE })

const expectClose = (actual: RunningStatistics, expected: RunningStatistics): void => {
  expect(actual.count).toBe(expected.count)
  actual.mean.forEach((m, i) => {
    expect(m).toBeCloseTo(expected.mean[i] ?? Number.NaN, 6)
  })
  actual.variance.forEach((v, i) => {
    const e = expected.variance[i] ?? Number.NaN
    expect(Math.abs(v - e)).toBeLessThanOrEqual(1e-9 * Math.max(1, e))
  })
}

describe('RunningStatistics', () => {
  it('batch statistics by hand: mean and population variance', () => {
    expect(
      batchStatistics([
        [1, 0],
        [3, 0],
        [5, 3],
      ]),
    ).toEqual({ mean: [3, 1], variance: [8 / 3, 2], count: 3 })
    expect(() => batchStatistics([])).toThrow('batchStatistics: empty batch')
    expect(() => batchStatistics([[1], [1, 2]])).toThrow('every vector must have 1 values')
  })

  it('running updates over any split into batches equal the statistics of all the data (parallel algorithm)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(vector, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 }),
        (batches) => {
          const running = batches.reduce(updateStatistics, initialStatistics(SIZE, 0))
          expectClose(running, batchStatistics(batches.flat()))
        },
      ),
    )
  })

  it('one vector at a time (Welford) equals the batch too, and merging is order-independent', () => {
    fc.assert(
      fc.property(fc.array(vector, { minLength: 2, maxLength: 40 }), fc.nat(), (data, cut) => {
        const oneByOne = data.reduce((s, v) => updateStatistics(s, [v]), initialStatistics(SIZE, 0))
        expectClose(oneByOne, batchStatistics(data))
        const at = 1 + (cut % (data.length - 1))
        const left = batchStatistics(data.slice(0, at))
        const right = batchStatistics(data.slice(at))
        expectClose(mergeStatistics(left, right), mergeStatistics(right, left))
      }),
    )
  })

  it('addSample is the one-vector update, to the bit', () => {
    fc.assert(
      fc.property(
        fc.array(vector, { minLength: 1, maxLength: 20 }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (data, count) => {
          const start = { ...initialStatistics(SIZE), count }
          const welford = data.reduce(addSample, start)
          const batched = data.reduce((s, v) => updateStatistics(s, [v]), start)
          expect(welford).toEqual(batched)
        },
      ),
    )
    expect(() => addSample(initialStatistics(2), [1])).toThrow('addSample: expected 2 values, got 1')
  })

  it('starts like Gymnasium (mean 0, variance 1, count 1e-4), so the first update is nearly the data', () => {
    const start = initialStatistics(2)
    expect(start).toEqual({ mean: [0, 0], variance: [1, 1], count: 1e-4 })
    const next = updateStatistics(start, [[10, -4]])
    expect(next.count).toBeCloseTo(1.0001, 12)
    expect(next.mean[0]).toBeCloseTo(10 / 1.0001, 12)
    // M2 = 1·1e-4 + 0 + 10²·1e-4·1/1.0001
    expect(next.variance[0]).toBeCloseTo((1e-4 + (100 * 1e-4) / 1.0001) / 1.0001, 12)
  })

  it('merging with empty statistics changes nothing', () => {
    const some = batchStatistics([[1], [2]])
    expect(mergeStatistics(initialStatistics(1, 0), some)).toEqual(some)
    expect(mergeStatistics(initialStatistics(1, 0), initialStatistics(1, 0)).count).toBe(0)
    expect(() => mergeStatistics(initialStatistics(1), initialStatistics(2))).toThrow('sizes differ (1 and 2)')
  })

  it('normalises with (x − mean) / √(variance + ε) in float32', () => {
    expect(normalize({ mean: [1, -2], variance: [4, 0], count: 5 }, 1e-8)([5, -2])).toEqual(Float32Array.of(2, 0))
  })

  it('round-trips through JSON and rejects bad input with dotted paths', () => {
    const statistics = updateStatistics(initialStatistics(2), [[1, 2]])
    expect(decodeOrThrow(RunningStatisticsCodec, JSON.parse(JSON.stringify(statistics)))).toEqual(statistics)
    expect(() => decodeStatistics({ mean: [0], variance: [-1], count: 1 }, 1)).toThrow(
      new ConfigError(['variance.0: expected a number >= 0, got -1'], 'running statistics'),
    )
    expect(() => decodeStatistics({ mean: [0, 1], variance: [1], count: 1 }, 2)).toThrow(
      'variance: expected 2 values (one per mean), got 1',
    )
    expect(() => decodeStatistics({ mean: [0], variance: [1], count: 1, extra: 1 }, 1)).toThrow('extra: unknown key')
    expect(() => decodeStatistics(initialStatistics(2), 3)).toThrow('mean: expected 3 values, got 2')
  })
})
