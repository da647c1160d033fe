import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  type BoxSpec,
  BoxSpecCodec,
  box,
  clip,
  contains,
  isBounded,
  scaleFromUnit,
  scaleToUnit,
  size,
} from './BoxSpec.js'
import { ConfigError, formatErrors } from './codecs.js'
import { arbitraryBoxSpec } from './test/index.js'

const errorsOf = (input: unknown): readonly string[] => {
  const result = BoxSpecCodec.decode(input)
  return E.isLeft(result) ? formatErrors(result.left) : []
}

const MAX_ELEMENTS = 6

/** A random bounded box with 1..6 elements; widths stay large next to the float32 spacing of the bounds. */
const boundedBox: fc.Arbitrary<BoxSpec> = arbitraryBoxSpec({ maxSize: MAX_ELEMENTS, magnitude: 1e4, minWidth: 1e-2 })

/** A random box whose sides may be unbounded or degenerate (low === high). */
const anyBox: fc.Arbitrary<BoxSpec> = arbitraryBoxSpec({
  maxSize: MAX_ELEMENTS,
  magnitude: 1e30,
  unbounded: true,
  degenerate: true,
})

/** A box and an input of the right length. */
const withInput = (spec: fc.Arbitrary<BoxSpec>, element: fc.Arbitrary<number>) =>
  spec.chain((s) => fc.tuple(fc.constant(s), fc.array(element, { minLength: size(s), maxLength: size(s) })))

describe('box and size', () => {
  it('broadcasts scalar bounds to the shape, or infers the shape from array bounds', () => {
    const spec = box(-1, 1, [2, 3])
    expect(size(spec)).toBe(6)
    expect(spec.low).toEqual([-1, -1, -1, -1, -1, -1])
    expect(spec.high).toEqual([1, 1, 1, 1, 1, 1])
    expect(box([-1, -1, -8], [1, 1, 8])).toEqual({ shape: [3], low: [-1, -1, -8], high: [1, 1, 8] })
    expect(box(0, new Float32Array([1, 2]))).toEqual({ shape: [2], low: [0, 0], high: [1, 2] })
    expect(box(-2, 2)).toEqual({ shape: [1], low: [-2], high: [2] })
    expect(size(box(0, 1, []))).toBe(1)
  })

  it('rounds bounds to float32, as Gymnasium does', () => {
    const spec = box(-0.1, 0.7)
    expect(spec.low).toEqual([Math.fround(-0.1)])
    expect(spec.high).toEqual([Math.fround(0.7)])
    expect(contains(spec, [0.7])).toBe(true)
  })

  it('throws a ConfigError naming the element when the box is invalid', () => {
    expect(() => box(1, 0)).toThrow(new ConfigError(['low.0: expected <= high.0 (0), got 1'], 'Box spec'))
    expect(() => box([0, 0], [1, 1, 1])).toThrow('high: expected 2 values for shape [2], got 3')
    expect(() => box(0, 1, [2, 0])).toThrow('shape.1: expected an integer > 0, got 0')
    expect(() => box(Number.NaN, 1)).toThrow("low.0: expected a number, 'Infinity' or '-Infinity', got NaN")
  })
})

describe('BoxSpecCodec', () => {
  it('accepts valid specs, ±Infinity included, and returns fresh arrays', () => {
    const input = { shape: [2], low: [Number.NEGATIVE_INFINITY, 0], high: [Number.POSITIVE_INFINITY, 0] }
    const result = BoxSpecCodec.decode(input)
    expect(E.isRight(result) && result.right).toEqual(input)
    expect(E.isRight(result) && result.right.low).not.toBe(input.low)
    expect(BoxSpecCodec.is(input)).toBe(true)
  })

  it('rejects low > high, naming the index and both values', () => {
    expect(errorsOf({ shape: [3], low: [0, 0, 3], high: [1, 1, 1] })).toEqual(['low.2: expected <= high.2 (1), got 3'])
    expect(errorsOf({ shape: [2], low: [5, Number.POSITIVE_INFINITY], high: [4, 1] })).toEqual([
      'low.0: expected <= high.0 (4), got 5',
      'low.1: expected <= high.1 (1), got Infinity',
    ])
    expect(BoxSpecCodec.is({ shape: [1], low: [2], high: [1] })).toBe(false)
  })

  it('names the index for any inverted element of any box', () => {
    fc.assert(
      fc.property(
        boundedBox.chain((s) => fc.tuple(fc.constant(s), fc.nat({ max: size(s) - 1 }))),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        ([spec, i], gap) => {
          const high = spec.high[i] as number
          const low = spec.low.map((v, j) => (j === i ? high + gap : v))
          expect(errorsOf({ ...spec, low })).toEqual([`low.${i}: expected <= high.${i} (${high}), got ${high + gap}`])
        },
      ),
    )
  })

  it('rejects wrong lengths, bad shapes, NaN bounds and unknown keys', () => {
    expect(errorsOf({ shape: [2], low: [0], high: [1, 1] })).toEqual(['low: expected 2 values for shape [2], got 1'])
    expect(errorsOf({ shape: [1.5], low: [0], high: [1] })).toEqual(['shape.0: expected an integer > 0, got 1.5'])
    expect(errorsOf({ shape: [1], low: [0], high: [Number.NaN] })).toEqual([
      "high.0: expected a number, 'Infinity' or '-Infinity', got NaN",
    ])
    expect(errorsOf({ shape: [1], low: [0], high: [1], dtype: 'float32' })).toEqual([
      'dtype: unknown key (expected one of: shape, low, high)',
    ])
    expect(errorsOf({ shape: [1], low: [0], hihg: [1] })).toEqual([
      "hihg: unknown key (expected one of: shape, low, high); did you mean 'high'?",
      "high: expected Array<a number, 'Infinity' or '-Infinity'>, got nothing",
    ])
  })

  it('round-trips through JSON, infinite bounds included', () => {
    fc.assert(
      fc.property(anyBox, (spec) => {
        const text = JSON.stringify(BoxSpecCodec.encode(spec))
        const back = BoxSpecCodec.decode(JSON.parse(text))
        expect(E.isRight(back) && back.right).toEqual(spec)
      }),
    )
    expect(JSON.stringify(BoxSpecCodec.encode(box(Number.NEGATIVE_INFINITY, 1)))).toBe(
      '{"shape":[1],"low":["-Infinity"],"high":[1]}',
    )
  })
})

describe('contains', () => {
  const spec = box(-1, 1, [2])

  it('accepts in-bounds values, bounds included', () => {
    expect(contains(spec, [0, 1])).toBe(true)
    expect(contains(spec, new Float32Array([-1, -1]))).toBe(true)
    expect(contains(box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY), [Number.MAX_VALUE])).toBe(true)
  })

  it('rejects NaN, wrong lengths and out-of-bounds values', () => {
    expect(contains(spec, [0, Number.NaN])).toBe(false)
    expect(contains(spec, [0])).toBe(false)
    expect(contains(spec, [0, 0, 0])).toBe(false)
    expect(contains(spec, [0, 1.01])).toBe(false)
    expect(contains(spec, [-1.01, 0])).toBe(false)
  })

  it('rejects NaN anywhere and any wrong length, for any box', () => {
    fc.assert(
      fc.property(
        withInput(anyBox, fc.double({ noNaN: true })),
        fc.nat(),
        fc.integer({ min: 1, max: 3 }),
        ([box_, x], at, extra) => {
          const withNaN = x.map((v, i) => (i === at % x.length ? Number.NaN : v))
          expect(contains(box_, withNaN)).toBe(false)
          expect(contains(box_, [...x, ...new Array<number>(extra).fill(0)])).toBe(false)
          expect(contains(box_, x.slice(1))).toBe(false)
        },
      ),
    )
  })
})

describe('clip', () => {
  it('clips into the bounds and returns a new float32 array', () => {
    const input = [3.5, -7, 0.25]
    const out = clip(box(-2, 2, [3]))(input)
    expect(out).toBeInstanceOf(Float32Array)
    expect(Array.from(out)).toEqual([2, -2, 0.25])
    expect(input).toEqual([3.5, -7, 0.25])
    expect(() => clip(box(-2, 2, [3]))([1])).toThrow('clip: expected 3 values, got 1')
  })

  it('output is always contained, and clipping is idempotent', () => {
    fc.assert(
      fc.property(withInput(anyBox, fc.double({ noNaN: true })), ([spec, x]) => {
        const once = clip(spec)(x)
        expect(contains(spec, once)).toBe(true)
        expect(Array.from(clip(spec)(once))).toEqual(Array.from(once))
      }),
    )
  })

  it('leaves contained float32 values unchanged', () => {
    fc.assert(
      fc.property(withInput(anyBox, fc.float({ noNaN: true })), ([spec, raw]) => {
        // Keep the drawn float32 where it is inside, else use the (float32) lower bound.
        const x = raw.map((v, i) => (v >= (spec.low[i] as number) && v <= (spec.high[i] as number) ? v : spec.low[i]))
        expect(contains(spec, x as number[])).toBe(true)
        // + 0 makes -0 and 0 compare equal: clipping -0 to a bound of 0 may give either.
        expect(Array.from(clip(spec)(x as number[]), (v) => v + 0)).toEqual(x.map((v) => (v as number) + 0))
      }),
    )
  })

  it('stays inside hand-written bounds that are not float32', () => {
    const spec: BoxSpec = { shape: [2], low: [-0.1, 0.2], high: [0.7, 0.3] }
    const out = clip(spec)([-5, 5])
    expect(out[0]).toBeGreaterThanOrEqual(-0.1)
    expect(out[1]).toBeLessThanOrEqual(0.3)
    expect(Math.abs((out[0] as number) + 0.1)).toBeLessThan(1e-7)
    expect(Math.abs((out[1] as number) - 0.3)).toBeLessThan(1e-7)
  })
})

describe('scaleFromUnit and scaleToUnit', () => {
  it('map the ends and the middle of [-1, 1] to low, high and the midpoint', () => {
    const spec = box([0, -2], [10, 2])
    expect(Array.from(scaleFromUnit(spec)([-1, 1]))).toEqual([0, 2])
    expect(Array.from(scaleFromUnit(spec)([1, -1]))).toEqual([10, -2])
    expect(Array.from(scaleFromUnit(spec)([0, 0.5]))).toEqual([5, 1])
    expect(Array.from(scaleToUnit(spec)([10, 0]))).toEqual([1, 0])
    expect(Array.from(scaleToUnit(box(3, 3))([3]))).toEqual([0])
  })

  it('scaleToUnit inverts scaleFromUnit up to float32 rounding', () => {
    fc.assert(
      fc.property(withInput(boundedBox, fc.double({ min: -1, max: 1, noNaN: true })), ([spec, u]) => {
        const back = scaleToUnit(spec)(scaleFromUnit(spec)(u))
        back.forEach((v, i) => {
          const low = spec.low[i] as number
          const high = spec.high[i] as number
          // scaleFromUnit rounds to float32 (relative error 2^-24 of the larger bound); mapping back divides by the
          // half-width, and the result is rounded to float32 again.
          const tolerance = (2 ** -23 * Math.max(Math.abs(low), Math.abs(high))) / ((high - low) / 2) + 2 ** -23
          expect(Math.abs(v - (u[i] as number))).toBeLessThanOrEqual(tolerance)
        })
      }),
    )
  })

  it('scaleFromUnit maps [-1, 1] into the box', () => {
    fc.assert(
      fc.property(withInput(boundedBox, fc.double({ min: -1, max: 1, noNaN: true })), ([spec, u]) => {
        expect(contains(spec, scaleFromUnit(spec)(u))).toBe(true)
      }),
    )
  })

  it('refuse unbounded boxes at once and inputs of the wrong length', () => {
    const open = box([0, Number.NEGATIVE_INFINITY], [1, 1])
    expect(isBounded(open)).toBe(false)
    expect(isBounded(box(-1, 1, [2]))).toBe(true)
    expect(() => scaleFromUnit(open)).toThrow(
      'scaleFromUnit: the Box must have finite low and high bounds, but element 1 has low -Infinity, high 1',
    )
    expect(() => scaleToUnit(open)).toThrow(RangeError)
    expect(() => scaleFromUnit(box(-1, 1, [2]))([0])).toThrow('scaleFromUnit: expected 2 values, got 1')
    expect(() => scaleToUnit(box(-1, 1, [2]))([0, 0, 0])).toThrow('scaleToUnit: expected 2 values, got 3')
  })
})
