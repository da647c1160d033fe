/**
 * io-ts helpers for configs and for every input that crosses a boundary: branded numbers with readable names,
 * objects that reject unknown keys (a typo such as `tua` is an error, not silently dropped), defaults merged into
 * partial input, and errors printed as dotted paths (`agent.tau: expected a number in (0, 1], got 1.5`).
 *
 * @module codecs
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

// ---------------------------------------------------------------------------------------------------------------
// values in messages

const MAX_VALUE_CHARS = 60

/** A value as it appears in a message: JSON, at most 60 characters; `undefined` reads `nothing`. */
const describeValue = (value: unknown): string => {
  if (value === undefined) return 'nothing'
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch {
    text = undefined
  }
  const shown = text ?? String(value)
  return shown.length > MAX_VALUE_CHARS ? `${shown.slice(0, MAX_VALUE_CHARS - 3)}...` : shown
}

// ---------------------------------------------------------------------------------------------------------------
// numbers

/**
 * Options of {@link numberInRange}.
 *
 * @example
 * ```ts
 * const options: RangeOptions = { lowOpen: true, integer: true }
 * numberInRange(0, 10, options).name // 'an integer in (0, 10]'
 * ```
 */
export interface RangeOptions {
  /** Exclude `low` itself. */
  readonly lowOpen?: boolean
  /** Exclude `high` itself. */
  readonly highOpen?: boolean
  /** Require an integer. */
  readonly integer?: boolean
}

/**
 * The default brand of {@link numberInRange}: ranges made without a brand of their own share it.
 *
 * @example
 * ```ts
 * const Gamma: BrandedNumberC<InRangeBrand> = numberInRange(0, 1) // no brand given: InRangeBrand
 * ```
 */
export interface InRangeBrand {
  readonly InRange: unique symbol
}

/**
 * A codec of finite numbers branded with `B`; it encodes to a plain number.
 *
 * @example
 * ```ts
 * interface TauBrand { readonly Tau: unique symbol }
 * const Tau: BrandedNumberC<TauBrand> = numberInRange<TauBrand>(0, 1, { lowOpen: true })
 * ```
 */
export type BrandedNumberC<B> = t.Type<t.Branded<number, B>, number, unknown>

/** The readable name of a range, e.g. `a number in (0, 1]`, `an integer >= 0`, `a finite number`. */
const rangeName = (low: number, high: number, options: RangeOptions): string => {
  const kind = options.integer === true ? 'an integer' : 'a number'
  const lowUnbounded = low === Number.NEGATIVE_INFINITY
  const highUnbounded = high === Number.POSITIVE_INFINITY
  if (lowUnbounded && highUnbounded) return options.integer === true ? 'an integer' : 'a finite number'
  if (highUnbounded) return `${kind} ${options.lowOpen === true ? '>' : '>='} ${low}`
  if (lowUnbounded) return `${kind} ${options.highOpen === true ? '<' : '<='} ${high}`
  const open = options.lowOpen === true ? '(' : '['
  const close = options.highOpen === true ? ')' : ']'
  return `${kind} in ${open}${low}, ${high}${close}`
}

/**
 * A codec of finite numbers in a range, named after the range for error messages (`a number in (0, 1]`,
 * `an integer >= 0`). Infinite bounds mean "no bound on that side"; NaN and ±Infinity are always rejected.
 * Pass a brand type `B` to get a type of its own.
 *
 * @throws RangeError when a bound is NaN or `low > high`
 *
 * @example
 * ```ts
 * const Gamma = numberInRange(0, 1, { highOpen: true })
 * Gamma.name // 'a number in [0, 1)'
 * Gamma.is(0.99) // true
 * Gamma.is(1) // false
 * ```
 */
export const numberInRange = <B = InRangeBrand>(
  low: number,
  high: number,
  options: RangeOptions = {},
): BrandedNumberC<B> => {
  if (Number.isNaN(low) || Number.isNaN(high) || low > high) {
    throw new RangeError(`numberInRange: invalid bounds [${low}, ${high}]`)
  }
  const inRange = (n: number): boolean =>
    Number.isFinite(n) &&
    (options.lowOpen === true ? n > low : n >= low) &&
    (options.highOpen === true ? n < high : n <= high) &&
    (options.integer !== true || Number.isInteger(n))
  const is = (u: unknown): u is t.Branded<number, B> => typeof u === 'number' && inRange(u)
  return new t.Type<t.Branded<number, B>, number, unknown>(
    rangeName(low, high, options),
    is,
    (u, c) => (is(u) ? t.success(u) : t.failure(u, c)),
    (a) => a,
  )
}

/**
 * Brand of {@link FiniteNumber}.
 *
 * @example
 * ```ts
 * const Reward = numberInRange<FiniteNumberBrand>(-1e3, 1e3) // a narrower range, still typed FiniteNumber
 * const r: FiniteNumber = decodeOrThrow(Reward, -16.2)
 * ```
 */
export interface FiniteNumberBrand {
  readonly FiniteNumber: unique symbol
}
/**
 * Brand of {@link PositiveNumber}.
 *
 * @example
 * ```ts
 * const LearningRate = numberInRange<PositiveNumberBrand>(0, 1, { lowOpen: true }) // still typed PositiveNumber
 * const lr: PositiveNumber = decodeOrThrow(LearningRate, 3e-4)
 * ```
 */
export interface PositiveNumberBrand {
  readonly PositiveNumber: unique symbol
}
/**
 * Brand of {@link NonNegativeNumber}.
 *
 * @example
 * ```ts
 * const NoiseScale = numberInRange<NonNegativeNumberBrand>(0, 1) // still typed NonNegativeNumber
 * const sigma: NonNegativeNumber = decodeOrThrow(NoiseScale, 0.1)
 * ```
 */
export interface NonNegativeNumberBrand {
  readonly NonNegativeNumber: unique symbol
}
/**
 * Brand of {@link UnitInterval}.
 *
 * @example
 * ```ts
 * const Gamma = numberInRange<UnitIntervalBrand>(0.9, 1) // still typed UnitInterval
 * const gamma: UnitInterval = decodeOrThrow(Gamma, 0.99)
 * ```
 */
export interface UnitIntervalBrand {
  readonly UnitInterval: unique symbol
}
/**
 * Brand of {@link UnitIntervalOpenClosed}.
 *
 * @example
 * ```ts
 * const SoftTau = numberInRange<UnitIntervalOpenClosedBrand>(0, 0.1, { lowOpen: true }) // still UnitIntervalOpenClosed
 * const tau: UnitIntervalOpenClosed = decodeOrThrow(SoftTau, 0.005)
 * ```
 */
export interface UnitIntervalOpenClosedBrand {
  readonly UnitIntervalOpenClosed: unique symbol
}
/**
 * Brand of {@link PositiveInt}.
 *
 * @example
 * ```ts
 * const BatchSize = numberInRange<PositiveIntBrand>(1, 4096, { integer: true }) // still typed PositiveInt
 * const batchSize: PositiveInt = decodeOrThrow(BatchSize, 256)
 * ```
 */
export interface PositiveIntBrand {
  readonly PositiveInt: unique symbol
}
/**
 * Brand of {@link NonNegativeInt}.
 *
 * @example
 * ```ts
 * const Seed = numberInRange<NonNegativeIntBrand>(0, 2 ** 32 - 1, { integer: true }) // still typed NonNegativeInt
 * const seed: NonNegativeInt = decodeOrThrow(Seed, 42)
 * ```
 */
export interface NonNegativeIntBrand {
  readonly NonNegativeInt: unique symbol
}

/**
 * Any finite number (named "a finite number"); rejects NaN and ±Infinity.
 *
 * @example
 * ```ts
 * FiniteNumber.is(-3.5) // true
 * FiniteNumber.is(Number.NaN) // false
 * ```
 */
export const FiniteNumber = numberInRange<FiniteNumberBrand>(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)
/**
 * A number decoded by {@link FiniteNumber}.
 *
 * @example
 * ```ts
 * const x: FiniteNumber = decodeOrThrow(FiniteNumber, 2.5)
 * ```
 */
export type FiniteNumber = t.TypeOf<typeof FiniteNumber>

/**
 * A finite number > 0 (named "a number > 0"): learning rates, standard deviations.
 *
 * @example
 * ```ts
 * PositiveNumber.is(3e-4) // true
 * PositiveNumber.is(0) // false
 * ```
 */
export const PositiveNumber = numberInRange<PositiveNumberBrand>(0, Number.POSITIVE_INFINITY, { lowOpen: true })
/**
 * A number decoded by {@link PositiveNumber}.
 *
 * @example
 * ```ts
 * const learningRate: PositiveNumber = decodeOrThrow(PositiveNumber, 1e-3)
 * ```
 */
export type PositiveNumber = t.TypeOf<typeof PositiveNumber>

/**
 * A finite number >= 0 (named "a number >= 0"): weight decay, noise scales that may be switched off.
 *
 * @example
 * ```ts
 * NonNegativeNumber.is(0) // true
 * NonNegativeNumber.is(-1e-9) // false
 * ```
 */
export const NonNegativeNumber = numberInRange<NonNegativeNumberBrand>(0, Number.POSITIVE_INFINITY)
/**
 * A number decoded by {@link NonNegativeNumber}.
 *
 * @example
 * ```ts
 * const weightDecay: NonNegativeNumber = decodeOrThrow(NonNegativeNumber, 0)
 * ```
 */
export type NonNegativeNumber = t.TypeOf<typeof NonNegativeNumber>

/**
 * A number in the closed interval [0, 1] (named "a number in [0, 1]"): discounts, probabilities.
 *
 * @example
 * ```ts
 * UnitInterval.is(1) // true
 * UnitInterval.is(1.01) // false
 * ```
 */
export const UnitInterval = numberInRange<UnitIntervalBrand>(0, 1)
/**
 * A number decoded by {@link UnitInterval}.
 *
 * @example
 * ```ts
 * const gamma: UnitInterval = decodeOrThrow(UnitInterval, 0.99)
 * ```
 */
export type UnitInterval = t.TypeOf<typeof UnitInterval>

/**
 * A number in (0, 1] (named "a number in (0, 1]"): the Polyak coefficient `tau`, where 0 would freeze the target
 * network and 1 copies the online one.
 *
 * @example
 * ```ts
 * UnitIntervalOpenClosed.is(0.005) // true
 * UnitIntervalOpenClosed.is(0) // false
 * ```
 */
export const UnitIntervalOpenClosed = numberInRange<UnitIntervalOpenClosedBrand>(0, 1, { lowOpen: true })
/**
 * A number decoded by {@link UnitIntervalOpenClosed}.
 *
 * @example
 * ```ts
 * const tau: UnitIntervalOpenClosed = decodeOrThrow(UnitIntervalOpenClosed, 0.005)
 * ```
 */
export type UnitIntervalOpenClosed = t.TypeOf<typeof UnitIntervalOpenClosed>

/**
 * An integer > 0 (named "an integer > 0"): sizes, step counts.
 *
 * @example
 * ```ts
 * PositiveInt.is(256) // true
 * PositiveInt.is(0) // false
 * ```
 */
export const PositiveInt = numberInRange<PositiveIntBrand>(0, Number.POSITIVE_INFINITY, {
  lowOpen: true,
  integer: true,
})
/**
 * A number decoded by {@link PositiveInt}.
 *
 * @example
 * ```ts
 * const batchSize: PositiveInt = decodeOrThrow(PositiveInt, 256)
 * ```
 */
export type PositiveInt = t.TypeOf<typeof PositiveInt>

/**
 * An integer >= 0 (named "an integer >= 0"): seeds, warm-up steps.
 *
 * @example
 * ```ts
 * NonNegativeInt.is(0) // true
 * NonNegativeInt.is(0.5) // false
 * ```
 */
export const NonNegativeInt = numberInRange<NonNegativeIntBrand>(0, Number.POSITIVE_INFINITY, { integer: true })
/**
 * A number decoded by {@link NonNegativeInt}.
 *
 * @example
 * ```ts
 * const seed: NonNegativeInt = decodeOrThrow(NonNegativeInt, 42)
 * ```
 */
export type NonNegativeInt = t.TypeOf<typeof NonNegativeInt>

// ---------------------------------------------------------------------------------------------------------------
// objects

/** A plain object (`{}` literal, `JSON.parse` output or null-prototype), not an array, class instance or Map. */
const isPlainObject = (u: unknown): u is Readonly<Record<string, unknown>> => {
  if (typeof u !== 'object' || u === null) return false
  const proto: unknown = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

/** An own property only: a key such as `toString` or `__proto__` never reads through the prototype. */
const own = (record: Readonly<Record<string, unknown>>, key: string): unknown =>
  Object.hasOwn(record, key) ? record[key] : undefined

/** Builds an object from entries as own data properties (a `__proto__` key stays an ordinary key). */
const fromEntries = (entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> =>
  Object.fromEntries(entries)

/** Levenshtein distance (insertions, deletions, substitutions). */
const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const replace = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, replace))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

const MAX_HINT_DISTANCE = 2

const unknownKeyMessage = (key: string, known: readonly string[]): string => {
  if (known.length === 0) return 'unknown key (expected no keys)'
  let closest: string | undefined
  let best = Number.POSITIVE_INFINITY
  for (const name of known) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase())
    if (distance < best) {
      best = distance
      closest = name
    }
  }
  const hint = closest !== undefined && best <= MAX_HINT_DISTANCE ? `; did you mean '${closest}'?` : ''
  return `unknown key (expected one of: ${known.join(', ')})${hint}`
}

/**
 * The decoded type of a {@link strictObject}: every prop, read-only.
 *
 * @example
 * ```ts
 * const props = { tau: UnitIntervalOpenClosed, gamma: UnitInterval }
 * type Agent = TypeOfStrict<typeof props> // { readonly tau: UnitIntervalOpenClosed; readonly gamma: UnitInterval }
 * const agent: Agent = decodeOrThrow(strictObject('Agent', props), { tau: 0.005, gamma: 0.99 })
 * ```
 */
export type TypeOfStrict<P extends t.Props> = { readonly [K in keyof P]: t.TypeOf<P[K]> }
/**
 * The encoded type of a {@link strictObject}: every prop, read-only.
 *
 * @example
 * ```ts
 * const Agent = strictObject('Agent', { tau: UnitIntervalOpenClosed })
 * const agent = decodeOrThrow(Agent, { tau: 0.005 })
 * const json: OutputOfStrict<typeof Agent.props> = Agent.encode(agent) // { tau: 0.005 }, a plain number again
 * ```
 */
export type OutputOfStrict<P extends t.Props> = { readonly [K in keyof P]: t.OutputOf<P[K]> }

/**
 * The codec made by {@link strictObject}; `props` are its prop codecs.
 *
 * @example
 * ```ts
 * const props = { tau: UnitIntervalOpenClosed }
 * const Agent: StrictObjectC<typeof props> = strictObject('Agent', props)
 * Object.keys(Agent.props) // ['tau']
 * ```
 */
export interface StrictObjectC<P extends t.Props> extends t.Type<TypeOfStrict<P>, OutputOfStrict<P>, unknown> {
  readonly props: P
}

/**
 * An object codec with exactly the given keys. Every prop is required and validated, and every unknown key is an
 * error at its own path, with a hint when a known key is close:
 * `tua: unknown key (expected one of: tau, gamma); did you mean 'tau'?`. Unlike `t.exact`, which strips unknown
 * keys, a typo cannot pass silently. Every problem is reported, not only the first. As with `t.type`, a prop whose
 * codec accepts `undefined` may be left out. Decoding builds a fresh object.
 *
 * @example
 * ```ts
 * const Agent = strictObject('Agent', { tau: UnitIntervalOpenClosed, gamma: UnitInterval })
 * Agent.decode({ tau: 0.005, gamma: 0.99 }) // Right({ tau: 0.005, gamma: 0.99 })
 * decode(Agent)({ tua: 0.005, gamma: 0.99 })
 * // Left(["tua: unknown key (expected one of: tau, gamma); did you mean 'tau'?",
 * //       'tau: expected a number in (0, 1], got nothing'])
 * ```
 */
export const strictObject = <P extends t.Props>(name: string, props: P): StrictObjectC<P> => {
  const keys: readonly string[] = Object.keys(props)
  const propOf = (key: string): t.Mixed => props[key] as t.Mixed
  const is = (u: unknown): u is TypeOfStrict<P> =>
    isPlainObject(u) &&
    Object.keys(u).every((key) => Object.hasOwn(props, key)) &&
    keys.every((key) => propOf(key).is(own(u, key)))
  const codec = new t.Type<TypeOfStrict<P>, OutputOfStrict<P>, unknown>(
    name,
    is,
    (u, c) => {
      if (!isPlainObject(u)) return t.failure(u, c, `expected an object (${name}), got ${describeValue(u)}`)
      const errors: t.ValidationError[] = []
      for (const key of Object.keys(u)) {
        if (!Object.hasOwn(props, key)) {
          const value = u[key]
          errors.push({
            value,
            context: t.appendContext(c, key, t.never, value),
            message: unknownKeyMessage(key, keys),
          })
        }
      }
      const entries: Array<readonly [string, unknown]> = []
      for (const key of keys) {
        const value = own(u, key)
        const validation = propOf(key).validate(value, t.appendContext(c, key, propOf(key), value))
        if (E.isLeft(validation)) errors.push(...validation.left)
        else if (validation.right !== undefined || Object.hasOwn(u, key)) entries.push([key, validation.right])
      }
      return errors.length > 0 ? t.failures(errors) : t.success(fromEntries(entries) as TypeOfStrict<P>)
    },
    (a) => {
      const record = a as Readonly<Record<string, unknown>>
      const entries = keys
        .filter((key) => Object.hasOwn(record, key))
        .map((key) => [key, propOf(key).encode(record[key])] as const)
      return fromEntries(entries) as OutputOfStrict<P>
    },
  )
  return Object.assign(codec, { props })
}

// ---------------------------------------------------------------------------------------------------------------
// defaults

/**
 * Every property optional (and allowed to be `undefined`), recursively through plain objects. Arrays, typed arrays
 * and functions are taken whole: a given array replaces the default rather than being merged into it.
 *
 * @example
 * ```ts
 * type Input = DeepPartial<{ agent: { tau: number; gamma: number }; layers: number[] }>
 * const input: Input = { agent: { gamma: 0.9 } }
 * ```
 */
export type DeepPartial<T> = T extends ReadonlyArray<unknown> | ArrayBufferView | ((...args: never[]) => unknown)
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T

/**
 * What a {@link withDefaults} codec over `C` is meant to receive: the encoded form of `C`, deeply partial.
 *
 * @example
 * ```ts
 * const Agent = withDefaults(strictObject('Agent', { tau: UnitIntervalOpenClosed }), { tau: 0.005 })
 * const input: PartialInputOf<typeof Agent> = {}
 * ```
 */
export type PartialInputOf<C extends t.Any> = DeepPartial<t.OutputOf<C>>

/**
 * The codec made by {@link withDefaults}: it decodes to `t.TypeOf<C>` and keeps the wrapped codec and defaults.
 *
 * @example
 * ```ts
 * const Agent = withDefaults(strictObject('Agent', { tau: UnitIntervalOpenClosed }), { tau: 0.005 })
 * Agent.defaults // { tau: 0.005 }
 * Agent.codec.props.tau // UnitIntervalOpenClosed
 * decodeOrThrow(Agent, {}) // { tau: 0.005 }
 * ```
 */
export interface WithDefaultsC<C extends t.Mixed> extends t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> {
  /** The wrapped codec, which sees the merged input. */
  readonly codec: C
  /** The defaults, in encoded form. */
  readonly defaults: DeepPartial<t.OutputOf<C>>
}

/** A deep copy of plain objects and arrays, so decoded values never share structure with the defaults. */
const copyDefault = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(copyDefault)
  if (isPlainObject(value)) return fromEntries(Object.entries(value).map(([key, v]) => [key, copyDefault(v)] as const))
  return value
}

/** `input` over `defaults`: a missing or `undefined` value takes the default; plain objects merge key by key. */
const mergeDefaults = (defaults: unknown, input: unknown): unknown => {
  if (input === undefined) return copyDefault(defaults)
  if (!isPlainObject(defaults) || !isPlainObject(input)) return input
  const keys = [...new Set([...Object.keys(defaults), ...Object.keys(input)])]
  return fromEntries(keys.map((key) => [key, mergeDefaults(own(defaults, key), own(input, key))] as const))
}

/**
 * Fills what the input leaves out (or sets to `undefined`) from `defaults`, deeply for nested plain objects, then
 * validates the result with `codec`. Defaults are written in the encoded form (plain numbers), so they are checked
 * exactly like user input, and unknown keys are still rejected. Nested `withDefaults` codecs compose: an inner
 * codec fills its own defaults when the outer input leaves that object out.
 *
 * @example
 * ```ts
 * const Agent = withDefaults(strictObject('Agent', { tau: UnitIntervalOpenClosed, gamma: UnitInterval }), {
 *   tau: 0.005,
 *   gamma: 0.99,
 * })
 * const Config = withDefaults(strictObject('Config', { agent: Agent, seed: NonNegativeInt }), { seed: 0 })
 * decodeOrThrow(Config, { agent: { gamma: 0.9 } }) // { agent: { tau: 0.005, gamma: 0.9 }, seed: 0 }
 * ```
 */
export const withDefaults = <C extends t.Mixed>(codec: C, defaults: DeepPartial<t.OutputOf<C>>): WithDefaultsC<C> => {
  const snapshot = copyDefault(defaults)
  const wrapped = new t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown>(
    codec.name,
    (u): u is t.TypeOf<C> => codec.is(u),
    (u, c) => codec.validate(mergeDefaults(snapshot, u), c),
    (a) => codec.encode(a),
  )
  return Object.assign(wrapped, { codec, defaults: copyDefault(snapshot) as DeepPartial<t.OutputOf<C>> })
}

// ---------------------------------------------------------------------------------------------------------------
// errors

/** Context entries whose children are members (`0`, `1`, …), not keys of the value. */
const MEMBER_PARENTS: ReadonlySet<string> = new Set(['UnionType', 'IntersectionType'])

const tagOf = (type: t.Decoder<unknown, unknown> | undefined): string | undefined =>
  (type as { readonly _tag?: unknown } | undefined)?._tag as string | undefined

/** The dotted path of an error, e.g. `agent.tau` or `layers.2`; `(root)` for the value itself. */
const pathOf = (context: t.Context): string => {
  const parts: string[] = []
  for (let i = 1; i < context.length; i++) {
    const entry = context[i]
    if (entry === undefined || entry.key === '') continue
    if (MEMBER_PARENTS.has(tagOf(context[i - 1]?.type) ?? '')) continue
    parts.push(entry.key)
  }
  return parts.length > 0 ? parts.join('.') : '(root)'
}

/**
 * A codec that accepts `undefined` (a key left out of a `strictObject`) or a value of `codec`, and is named like
 * `codec`, so an error reads `x_init: expected a number >= 0, got -1` rather than one line per union member.
 *
 * @example
 * ```ts
 * const ResetOptions = strictObject('reset options', { x_init: optional(NonNegativeNumber) })
 * ResetOptions.decode({}) // Right({})
 * ```
 */
export const optional = <A, O>(codec: t.Type<A, O, unknown>): t.Type<A | undefined, O | undefined, unknown> =>
  new t.Type<A | undefined, O | undefined, unknown>(
    codec.name,
    (u): u is A | undefined => u === undefined || codec.is(u),
    (u, c) => (u === undefined ? t.success(undefined) : codec.validate(u, c)),
    (a) => (a === undefined ? undefined : codec.encode(a)),
  )

/**
 * One readable line per leaf error: the dotted path from the root (array indices as `layers.2`, union and
 * intersection members left out, `(root)` for the value itself), then `expected <codec name>, got <value>` with the
 * value as JSON cut to 60 characters (`nothing` when it is missing), or the error's own message when it has one.
 *
 * @example
 * ```ts
 * const Config = strictObject('Config', { agent: strictObject('Agent', { tau: UnitIntervalOpenClosed }) })
 * const result = Config.decode({ agent: { tau: 1.5 } })
 * if (result._tag === 'Left') formatErrors(result.left) // ['agent.tau: expected a number in (0, 1], got 1.5']
 * ```
 */
export const formatErrors = (errors: t.Errors): readonly string[] =>
  errors.map((error) => {
    const path = pathOf(error.context)
    if (error.message !== undefined) return `${path}: ${error.message}`
    const expected = error.context[error.context.length - 1]?.type.name ?? 'a valid value'
    return `${path}: expected ${expected}, got ${describeValue(error.value)}`
  })

/**
 * A config (or any input) that failed validation. `issues` holds one line per problem, and the message lists them:
 * `Invalid config:\n  - agent.tau: expected a number in (0, 1], got 1.5`.
 *
 * @example
 * ```ts
 * try {
 *   decodeOrThrow(PositiveInt, 0, 'batch size')
 * } catch (error) {
 *   if (error instanceof ConfigError) console.error(error.issues) // ['(root): expected an integer > 0, got 0']
 * }
 * ```
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  /** One line per problem, as printed by {@link formatErrors}. */
  readonly issues: readonly string[]

  constructor(issues: readonly string[], what = 'config') {
    super(`Invalid ${what}:\n  - ${issues.join('\n  - ')}`)
    this.issues = Object.freeze([...issues])
  }
}

/**
 * Validates input with a codec; the left side holds the readable lines of {@link formatErrors}.
 *
 * @example
 * ```ts
 * decode(PositiveInt)(0) // Left(['(root): expected an integer > 0, got 0'])
 * decode(PositiveInt)(3) // Right(3)
 * ```
 */
export const decode =
  <A, O>(codec: t.Type<A, O, unknown>) =>
  (input: unknown): E.Either<readonly string[], A> => {
    const result = codec.decode(input)
    return E.isLeft(result) ? E.left(formatErrors(result.left)) : E.right(result.right)
  }

/**
 * Validates input with a codec or throws a {@link ConfigError} listing every problem. Use it at the edge (CLI,
 * files, `runExperiment`), before anything starts.
 *
 * @throws ConfigError with message `Invalid ${what}:\n  - …`
 *
 * @example
 * ```ts
 * const Agent = strictObject('Agent', { tau: UnitIntervalOpenClosed })
 * const agent = decodeOrThrow(Agent, JSON.parse('{"tau": 0.005}'), 'agent config')
 * ```
 */
export const decodeOrThrow = <A, O>(codec: t.Type<A, O, unknown>, input: unknown, what = 'config'): A => {
  const result = codec.decode(input)
  if (E.isLeft(result)) throw new ConfigError(formatErrors(result.left), what)
  return result.right
}
