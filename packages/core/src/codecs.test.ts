import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import {
  ConfigError,
  decode,
  decodeOrThrow,
  FiniteNumber,
  formatErrors,
  NonNegativeInt,
  NonNegativeNumber,
  numberInRange,
  type PartialInputOf,
  PositiveInt,
  PositiveNumber,
  strictObject,
  UnitInterval,
  UnitIntervalOpenClosed,
  withDefaults,
} from './codecs.js'

const errorsOf = <A, O>(codec: t.Type<A, O, unknown>, input: unknown): readonly string[] => {
  const result = decode(codec)(input)
  return E.isLeft(result) ? result.left : []
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The next double above `x` (x > 0). */
const above = (x: number): number => x + x * Number.EPSILON

describe('branded numbers', () => {
  const cases: ReadonlyArray<readonly [t.Mixed, string, readonly number[], readonly number[]]> = [
    [FiniteNumber, 'a finite number', [-Number.MAX_VALUE, 0, Number.MAX_VALUE], []],
    [PositiveNumber, 'a number > 0', [Number.MIN_VALUE, 1, Number.MAX_VALUE], [0, -0, -Number.MIN_VALUE]],
    [NonNegativeNumber, 'a number >= 0', [0, Number.MIN_VALUE, Number.MAX_VALUE], [-Number.MIN_VALUE, -1]],
    [UnitInterval, 'a number in [0, 1]', [0, Number.MIN_VALUE, 0.5, 1], [-Number.MIN_VALUE, above(1)]],
    [UnitIntervalOpenClosed, 'a number in (0, 1]', [Number.MIN_VALUE, 0.005, 1], [0, -Number.MIN_VALUE, above(1)]],
    [PositiveInt, 'an integer > 0', [1, 2 ** 53], [0, -1, 1.5, above(1)]],
    [NonNegativeInt, 'an integer >= 0', [0, 1, 2 ** 53], [-1, 0.5, Number.MIN_VALUE]],
  ]
  const alwaysBad: readonly unknown[] = [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    '1',
    null,
    undefined,
  ]

  it.each(cases)(
    '%#: accepts its boundaries, rejects values just outside, NaN, ±Infinity and strings',
    (codec, name, good, bad) => {
      expect(codec.name).toBe(name)
      for (const v of good) {
        expect(codec.is(v)).toBe(true)
        expect(decodeOrThrow(codec, v)).toBe(v)
      }
      for (const v of [...bad, ...alwaysBad]) {
        expect(codec.is(v)).toBe(false)
        const errors = errorsOf(codec, v)
        expect(errors).toHaveLength(1)
        expect(errors[0]).toMatch(new RegExp(`^\\(root\\): expected ${escapeRegExp(name)}, got `))
      }
    },
  )

  it('prints the rejected value: numbers as written, strings as JSON, undefined as nothing', () => {
    expect(errorsOf(PositiveInt, Number.NaN)).toEqual(['(root): expected an integer > 0, got NaN'])
    expect(errorsOf(PositiveInt, Number.NEGATIVE_INFINITY)).toEqual(['(root): expected an integer > 0, got -Infinity'])
    expect(errorsOf(PositiveInt, '3')).toEqual(['(root): expected an integer > 0, got "3"'])
    expect(errorsOf(PositiveInt, undefined)).toEqual(['(root): expected an integer > 0, got nothing'])
  })

  it('numberInRange names open, closed and half-bounded ranges, and checks what it names', () => {
    const halfOpen = numberInRange(0, 1, { highOpen: true })
    expect(halfOpen.name).toBe('a number in [0, 1)')
    expect([halfOpen.is(0), halfOpen.is(0.999), halfOpen.is(1)]).toEqual([true, true, false])
    const smallInts = numberInRange(-1, 1, { integer: true })
    expect(smallInts.name).toBe('an integer in [-1, 1]')
    expect([-2, -1, 0, 0.5, 1, 2].map((v) => smallInts.is(v))).toEqual([false, true, true, false, true, false])
    const below = numberInRange(Number.NEGATIVE_INFINITY, 5, { highOpen: true })
    expect(below.name).toBe('a number < 5')
    expect([below.is(-1e300), below.is(5), below.is(Number.NEGATIVE_INFINITY)]).toEqual([true, false, false])
    expect(() => numberInRange(1, 0)).toThrow(RangeError)
    expect(() => numberInRange(Number.NaN, 0)).toThrow(RangeError)
  })

  it('numberInRange accepts exactly the finite numbers of its interval', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.boolean(),
        fc.boolean(),
        fc.double(),
        (low, width, lowOpen, highOpen, x) => {
          const high = low + width
          const codec = numberInRange(low, high, { lowOpen, highOpen })
          const aboveLow = lowOpen ? x > low : x >= low
          const belowHigh = highOpen ? x < high : x <= high
          expect(codec.is(x)).toBe(aboveLow && belowHigh)
          expect(E.isRight(codec.decode(x))).toBe(aboveLow && belowHigh)
        },
      ),
    )
  })

  it('brands make distinct types', () => {
    const seed = decodeOrThrow(NonNegativeInt, 3)
    // @ts-expect-error a NonNegativeInt is not a PositiveInt
    const size: PositiveInt = seed
    // @ts-expect-error a plain number is not a UnitInterval
    const gamma: UnitInterval = 0.5
    const plain: number = seed
    expect([size, gamma, plain]).toEqual([3, 0.5, 3])
  })
})

describe('strictObject and formatErrors', () => {
  const Agent = strictObject('Agent', { tau: UnitIntervalOpenClosed, gamma: UnitInterval })
  const Config = strictObject('Config', { agent: Agent, layers: t.array(PositiveInt), name: t.string })
  const good = { agent: { tau: 0.005, gamma: 0.99 }, layers: [256, 256], name: 'td3' }

  it('accepts exactly its props and returns a fresh object', () => {
    const decoded = decodeOrThrow(Config, good)
    expect(decoded).toEqual(good)
    expect(decoded).not.toBe(good)
    expect(decoded.agent).not.toBe(good.agent)
    expect(Config.is(good)).toBe(true)
    expect(Config.is({ ...good, extra: 1 })).toBe(false)
  })

  it('prints the dotted path, the expected codec and the value', () => {
    expect(errorsOf(Config, { ...good, agent: { tau: 1.5, gamma: 0.99 } })).toEqual([
      'agent.tau: expected a number in (0, 1], got 1.5',
    ])
    expect(errorsOf(Config, { ...good, layers: [256, 256, 0] })).toEqual(['layers.2: expected an integer > 0, got 0'])
    expect(errorsOf(Config, { ...good, name: undefined })).toEqual(['name: expected string, got nothing'])
    expect(errorsOf(Config, { ...good, agent: [0.005, 0.99] })).toEqual([
      'agent: expected an object (Agent), got [0.005,0.99]',
    ])
    expect(errorsOf(Config, 3)).toEqual(['(root): expected an object (Config), got 3'])
    expect(errorsOf(Config, new Map())).toEqual(['(root): expected an object (Config), got {}'])
  })

  it('rejects each unknown key at its own path, with a hint only when a known key is close', () => {
    const errors = errorsOf(Config, { ...good, agent: { tau: 0.005, gamma: 0.99, tua: 0.1, Gamma: 1, beta: 2 } })
    expect(errors).toEqual([
      "agent.tua: unknown key (expected one of: tau, gamma); did you mean 'tau'?",
      "agent.Gamma: unknown key (expected one of: tau, gamma); did you mean 'gamma'?",
      'agent.beta: unknown key (expected one of: tau, gamma)',
    ])
    expect(errorsOf(strictObject('Empty', {}), { a: 1 })).toEqual(['a: unknown key (expected no keys)'])
  })

  it('treats __proto__ and inherited names as ordinary keys', () => {
    expect(errorsOf(Agent, JSON.parse('{"tau": 0.5, "gamma": 0.5, "__proto__": {"x": 1}}'))).toEqual([
      '__proto__: unknown key (expected one of: tau, gamma)',
    ])
    const WithToString = strictObject('S', { toString: t.union([t.string, t.undefined]) })
    expect(decodeOrThrow(WithToString, {})).toEqual({})
  })

  it('lists every problem at once', () => {
    expect(errorsOf(Config, { agent: { tau: 0, gamma: 2 }, layers: 'x', extra: 1 })).toEqual([
      'extra: unknown key (expected one of: agent, layers, name)',
      'agent.tau: expected a number in (0, 1], got 0',
      'agent.gamma: expected a number in [0, 1], got 2',
      'layers: expected Array<an integer > 0>, got "x"',
      'name: expected string, got nothing',
    ])
  })

  it('cuts long values to 60 characters', () => {
    const [line] = errorsOf(PositiveInt, 'y'.repeat(100))
    const shown = line?.slice('(root): expected an integer > 0, got '.length)
    expect(shown).toBe(`"${'y'.repeat(56)}...`)
    expect(shown).toHaveLength(60)
  })

  it('leaves union and intersection members out of paths', () => {
    const Maybe = strictObject('M', { n: t.union([PositiveInt, t.null]) })
    expect(errorsOf(Maybe, { n: -1 })).toEqual(['n: expected an integer > 0, got -1', 'n: expected null, got -1'])
    const Both = t.intersection([t.type({ a: PositiveInt }), t.type({ b: t.array(PositiveInt) })])
    expect(errorsOf(Both, { a: 0, b: [1, -2] })).toEqual([
      'a: expected an integer > 0, got 0',
      'b.1: expected an integer > 0, got -2',
    ])
  })

  const validConfig = fc.record({
    agent: fc.record({
      tau: fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
      gamma: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    layers: fc.array(fc.integer({ min: 1, max: 4096 }), { maxLength: 4 }),
    name: fc.string(),
  })

  it('round-trips: decoding the encoding of any valid value gives it back', () => {
    fc.assert(
      fc.property(validConfig, (raw) => {
        const value = decodeOrThrow(Config, raw)
        const again = Config.decode(Config.encode(value))
        expect(E.isRight(again) && again.right).toEqual(value)
      }),
    )
  })

  it('fails on any extra key, naming it', () => {
    fc.assert(
      fc.property(
        validConfig,
        fc.string({ minLength: 1 }).filter((key) => !['agent', 'layers', 'name'].includes(key)),
        (config, extra) => {
          const errors = errorsOf(Config, { ...config, [extra]: 1 })
          expect(errors).toHaveLength(1)
          expect(errors[0]?.startsWith(`${extra}: unknown key (expected one of: agent, layers, name)`)).toBe(true)
        },
      ),
    )
  })
})

describe('withDefaults', () => {
  const Agent = withDefaults(strictObject('Agent', { tau: UnitIntervalOpenClosed, gamma: UnitInterval }), {
    tau: 0.005,
    gamma: 0.99,
  })
  const Config = withDefaults(
    strictObject('Config', { agent: Agent, seed: NonNegativeInt, layers: t.array(PositiveInt) }),
    { seed: 0, layers: [256, 256] },
  )

  it('fills missing and undefined props, merging nested partial objects', () => {
    expect(decodeOrThrow(Config, {})).toEqual({ agent: { tau: 0.005, gamma: 0.99 }, seed: 0, layers: [256, 256] })
    const input: PartialInputOf<typeof Config> = { agent: { gamma: 0.9 }, seed: undefined, layers: [64] }
    expect(decodeOrThrow(Config, input)).toEqual({ agent: { tau: 0.005, gamma: 0.9 }, seed: 0, layers: [64] })
  })

  it('merges nested defaults given by the outer codec', () => {
    const Outer = withDefaults(
      strictObject('Outer', { agent: strictObject('A', { tau: PositiveNumber, gamma: UnitInterval }) }),
      {
        agent: { tau: 0.01, gamma: 0.9 },
      },
    )
    expect(decodeOrThrow(Outer, { agent: { gamma: 0.5 } })).toEqual({ agent: { tau: 0.01, gamma: 0.5 } })
    expect(decodeOrThrow(Outer, undefined)).toEqual({ agent: { tau: 0.01, gamma: 0.9 } })
  })

  it('never shares arrays or objects with the defaults', () => {
    const defaults = { seed: 0, layers: [256, 256] }
    const Loose = withDefaults(strictObject('Loose', { seed: NonNegativeInt, layers: t.array(PositiveInt) }), defaults)
    const a = decodeOrThrow(Loose, {})
    defaults.layers.push(1)
    ;(a.layers as number[]).push(7)
    expect(decodeOrThrow(Loose, {}).layers).toEqual([256, 256])
  })

  it('still validates user values and rejects unknown keys', () => {
    expect(() => decodeOrThrow(Config, { agent: { tau: 1.5 } }, 'agent config')).toThrow(
      'Invalid agent config:\n  - agent.tau: expected a number in (0, 1], got 1.5',
    )
    const error = (() => {
      try {
        decodeOrThrow(Config, { sede: 1, agent: { tau: 2 } })
      } catch (caught) {
        return caught
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).issues).toEqual([
      "sede: unknown key (expected one of: agent, seed, layers); did you mean 'seed'?",
      'agent.tau: expected a number in (0, 1], got 2',
    ])
    expect((error as ConfigError).message).toBe(
      "Invalid config:\n  - sede: unknown key (expected one of: agent, seed, layers); did you mean 'seed'?\n" +
        '  - agent.tau: expected a number in (0, 1], got 2',
    )
    expect(JSON.parse('{"__proto__": {"seed": 5}}')).toHaveProperty('__proto__')
    expect(errorsOf(Config, JSON.parse('{"__proto__": {"seed": 5}}'))).toEqual([
      '__proto__: unknown key (expected one of: agent, seed, layers)',
    ])
  })

  it('keeps the name and type guard of the wrapped codec', () => {
    expect(Config.name).toBe('Config')
    expect(Config.is({ agent: { tau: 0.1, gamma: 0.5 }, seed: 1, layers: [] })).toBe(true)
    expect(Config.is({})).toBe(false)
  })

  it('fills defaults for any subset of keys and keeps the given ones', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            tau: fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
            gamma: fc.double({ min: 0, max: 1, noNaN: true }),
          },
          { requiredKeys: [] },
        ),
        (partial) => {
          expect(decodeOrThrow(Agent, partial)).toEqual({ tau: 0.005, gamma: 0.99, ...partial })
        },
      ),
    )
  })
})

describe('decode', () => {
  it('returns Right for valid input and Left with the lines otherwise', () => {
    expect(decode(PositiveInt)(3)).toEqual(E.right(3))
    expect(decode(PositiveInt)(0)).toEqual(E.left(['(root): expected an integer > 0, got 0']))
    const result = strictObject('Agent', { tau: UnitIntervalOpenClosed }).decode({ tau: 1.5 })
    expect(E.isLeft(result) && formatErrors(result.left)).toEqual(['tau: expected a number in (0, 1], got 1.5'])
  })
})
