/**
 * fast-check arbitraries for the vocabulary of `@polyak/core`: Box specs and values inside them, transitions,
 * batches, parameter records and the Adam config. Every value they draw is one the core functions accept
 * (`makeTransition`, `validateBatch`, `BoxSpecCodec`), so a property over them tests your component, not its
 * input checks.
 *
 * @module arbitraries
 */
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import type { AdamConfig } from '../Adam.js'
import type { Batch } from '../Batch.js'
import { fromTransitions } from '../Batch.js'
import { type BoxSpec, box } from '../BoxSpec.js'
import type { Params } from '../Params.js'
import type { Transition } from '../Transition.js'

/**
 * The options of {@link arbitraryBoxSpec}.
 *
 * @example
 * ```ts
 * const options: BoxSpecArbitraryOptions = { maxSize: 4, unbounded: true }
 * ```
 */
export interface BoxSpecArbitraryOptions {
  /** A fixed shape; otherwise the shape is `[n]` with `minSize <= n <= maxSize`. */
  readonly shape?: readonly number[]
  /** Fewest elements when the shape is drawn (default 1). */
  readonly minSize?: number
  /** Most elements when the shape is drawn (default 6). */
  readonly maxSize?: number
  /** Largest finite bound magnitude (default 1e4). */
  readonly magnitude?: number
  /** Smallest width `high − low` of a bounded element (default 1e-2); ignored where `degenerate` draws 0. */
  readonly minWidth?: number
  /** Let sides be `±Infinity` (default false: every bound finite). */
  readonly unbounded?: boolean
  /** Let elements have `low === high` (default false). */
  readonly degenerate?: boolean
}

const f32 = (x: number): number => Math.fround(x)

/** A float32 in `[min, max]` (both finite, `min <= max`), never NaN or −0. */
const float32In = (min: number, max: number): fc.Arbitrary<number> => {
  let lo = f32(min)
  let hi = f32(max)
  if (lo < min) lo = f32(min + Math.abs(min) * 2 ** -23)
  if (hi > max) hi = f32(max - Math.abs(max) * 2 ** -23)
  if (!(lo <= hi)) return fc.constant(f32((min + max) / 2) + 0)
  return fc.float({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }).map((x) => x + 0)
}

/**
 * Box specs as `box` makes them (float32 bounds, `low <= high`): by default 1 to 6 elements, finite bounds within
 * ±1e4 and widths of at least 1e-2; `unbounded` adds infinite sides and `degenerate` zero widths.
 *
 * @example
 * ```ts
 * import { BoxSpecCodec, Box } from '@polyak/core'
 * import { arbitraryBoxSpec } from '@polyak/core/test'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbitraryBoxSpec({ unbounded: true }), (spec) => BoxSpecCodec.is(spec) && Box.size(spec) > 0))
 * ```
 */
export const arbitraryBoxSpec = (options: BoxSpecArbitraryOptions = {}): fc.Arbitrary<BoxSpec> => {
  const { minSize = 1, maxSize = 6, magnitude = 1e4, minWidth = 1e-2, unbounded = false, degenerate = false } = options
  const shape: fc.Arbitrary<readonly number[]> =
    options.shape === undefined
      ? fc.integer({ min: minSize, max: maxSize }).map((n) => [n])
      : fc.constant(options.shape)
  const finiteLow = fc.double({ min: -magnitude, max: magnitude - minWidth, noNaN: true })
  const element: fc.Arbitrary<readonly [number, number]> = fc.oneof(
    {
      weight: 4,
      arbitrary: finiteLow.chain((low) =>
        fc.tuple(fc.constant(low), fc.double({ min: low + minWidth, max: magnitude, noNaN: true })),
      ),
    },
    { weight: degenerate ? 1 : 0, arbitrary: finiteLow.map((low) => [low, low] as const) },
    {
      weight: unbounded ? 1 : 0,
      arbitrary: fc.tuple(
        fc.constant(Number.NEGATIVE_INFINITY),
        fc.double({ min: -magnitude, max: magnitude, noNaN: true }),
      ),
    },
    {
      weight: unbounded ? 1 : 0,
      arbitrary: fc.tuple(
        fc.double({ min: -magnitude, max: magnitude, noNaN: true }),
        fc.constant(Number.POSITIVE_INFINITY),
      ),
    },
    {
      weight: unbounded ? 1 : 0,
      arbitrary: fc.constant([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY] as const),
    },
  )
  return shape.chain((s) => {
    const n = s.reduce((a, b) => a * b, 1)
    return fc
      .array(element, { minLength: n, maxLength: n })
      .map((pairs) =>
        box(
          pairs.map(([low]) => low),
          pairs.map(([, high]) => high),
          s,
        ),
      )
      .filter((spec) => spec.low.every((low, i) => low <= (spec.high[i] as number)))
  })
}

/**
 * Float32 values inside a Box (`Box.contains(spec, x)` holds); an infinite side is replaced by a finite one
 * `magnitude` (default 1e3) beyond the other bound, or by ±`magnitude` when both sides are infinite.
 *
 * @example
 * ```ts
 * import { Box } from '@polyak/core'
 * import { arbitraryBoxSpec, arbitraryValueIn } from '@polyak/core/test'
 * import fc from 'fast-check'
 *
 * const specAndValue = arbitraryBoxSpec().chain((spec) => fc.tuple(fc.constant(spec), arbitraryValueIn(spec)))
 * fc.assert(fc.property(specAndValue, ([spec, x]) => Box.contains(spec, x)))
 * ```
 */
export const arbitraryValueIn = (spec: BoxSpec, magnitude = 1e3): fc.Arbitrary<Float32Array> => {
  const elements = spec.low.map((low, i) => {
    const high = spec.high[i] as number
    const lo = Number.isFinite(low) ? low : Number.isFinite(high) ? high - magnitude : -magnitude
    const hi = Number.isFinite(high) ? high : Number.isFinite(low) ? low + magnitude : magnitude
    return float32In(lo, hi)
  })
  return fc.tuple(...elements).map((values) => Float32Array.from(values))
}

/**
 * What a transition's arrays are drawn from: the two spaces (an `Env` has them), or only the sizes (then every
 * value is a float32 in [−10, 10]).
 *
 * @example
 * ```ts
 * const spaces: TransitionSpaces = { observationSize: 3, actionSize: 1 }
 * ```
 */
export type TransitionSpaces =
  | { readonly observationSpace: BoxSpec; readonly actionSpace: BoxSpec }
  | { readonly observationSize: number; readonly actionSize: number }

/**
 * The options of {@link arbitraryTransition}.
 *
 * @example
 * ```ts
 * const options: TransitionArbitraryOptions = { reward: fc.constant(-1), ends: 'never' }
 * ```
 */
export interface TransitionArbitraryOptions {
  /** The rewards (default: finite doubles in [−1e3, 1e3]). */
  readonly reward?: fc.Arbitrary<number>
  /**
   * Which `terminated` / `truncated` flags occur: `'any'` (the default: mostly neither, sometimes one, rarely both,
   * as when a time limit falls on a terminal step), `'exclusive'` (never both) or `'never'` (both false).
   */
  readonly ends?: 'any' | 'exclusive' | 'never'
}

const spacesOf = (spaces: TransitionSpaces): { readonly observation: BoxSpec; readonly action: BoxSpec } =>
  'observationSpace' in spaces
    ? { observation: spaces.observationSpace, action: spaces.actionSpace }
    : { observation: box(-10, 10, [spaces.observationSize]), action: box(-10, 10, [spaces.actionSize]) }

const endFlags = (ends: 'any' | 'exclusive' | 'never'): fc.Arbitrary<readonly [boolean, boolean]> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant([false, false] as const) },
    { weight: ends === 'never' ? 0 : 1, arbitrary: fc.constant([true, false] as const) },
    { weight: ends === 'never' ? 0 : 1, arbitrary: fc.constant([false, true] as const) },
    { weight: ends === 'any' ? 1 : 0, arbitrary: fc.constant([true, true] as const) },
  )

/**
 * Transitions whose observations and actions lie inside the given spaces (float32, finite), with a finite reward
 * and `terminated` / `truncated` flags: every one is a transition `makeTransition` accepts.
 *
 * @example
 * ```ts
 * import { Box } from '@polyak/core'
 * import { arbitraryTransition } from '@polyak/core/test'
 * import fc from 'fast-check'
 *
 * const spaces = { observationSpace: Box.box(-1, 1, [3]), actionSpace: Box.box(-2, 2, [1]) }
 * fc.assert(fc.property(arbitraryTransition(spaces), (t) => Box.contains(spaces.actionSpace, t.action)))
 * ```
 */
export const arbitraryTransition = (
  spaces: TransitionSpaces,
  options: TransitionArbitraryOptions = {},
): fc.Arbitrary<Transition> => {
  const { observation, action } = spacesOf(spaces)
  const reward = options.reward ?? fc.double({ min: -1e3, max: 1e3, noNaN: true }).map((x) => x + 0)
  return fc
    .tuple(
      arbitraryValueIn(observation),
      arbitraryValueIn(action),
      reward,
      arbitraryValueIn(observation),
      endFlags(options.ends ?? 'any'),
    )
    .map(([obs, act, r, next, [terminated, truncated]]) => ({
      observation: obs,
      action: act,
      reward: r,
      nextObservation: next,
      terminated,
      truncated,
    }))
}

/**
 * The options of {@link arbitraryBatch}: the spaces or sizes (drawn from 1 to 4 each when left out), the batch
 * size range, and which optional columns to add.
 *
 * @example
 * ```ts
 * const options: BatchArbitraryOptions = { observationSize: 3, actionSize: 1, maxSize: 8, weights: true }
 * ```
 */
export interface BatchArbitraryOptions {
  /** The observation space; or give `observationSize`. */
  readonly observationSpace?: BoxSpec
  /** The action space; or give `actionSize`. */
  readonly actionSpace?: BoxSpec
  /** Observation length when no space is given (default: drawn from 1 to 4). */
  readonly observationSize?: number
  /** Action length when no space is given (default: drawn from 1 to 4). */
  readonly actionSize?: number
  /** Fewest rows (default 1). */
  readonly minSize?: number
  /** Most rows (default 16). */
  readonly maxSize?: number
  /** Add a `discounts` column of values in [0, 1]. */
  readonly discounts?: boolean
  /** Add a `weights` column of importance weights in (0, 1]. */
  readonly weights?: boolean
  /** Add an `indices` column of replay indices in [0, 1000). */
  readonly indices?: boolean
}

const column = (n: number, element: fc.Arbitrary<number>): fc.Arbitrary<Float32Array> =>
  fc.array(element, { minLength: n, maxLength: n }).map((values) => Float32Array.from(values))

/**
 * Batches as replay makes them: rows of {@link arbitraryTransition}s stacked with `fromTransitions`, plus the
 * optional columns asked for. Every batch passes `validateBatch`.
 *
 * @example
 * ```ts
 * import { validateBatch } from '@polyak/core'
 * import { arbitraryBatch } from '@polyak/core/test'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbitraryBatch({ actionSize: 2, weights: true }), (batch) => validateBatch(batch)))
 * ```
 */
export const arbitraryBatch = (options: BatchArbitraryOptions = {}): fc.Arbitrary<Batch> => {
  const { minSize = 1, maxSize = 16 } = options
  const sizeOf = (space: BoxSpec | undefined, n: number | undefined): fc.Arbitrary<BoxSpec> =>
    space !== undefined
      ? fc.constant(space)
      : (n === undefined ? fc.integer({ min: 1, max: 4 }) : fc.constant(n)).map((k) => box(-10, 10, [k]))
  return fc
    .tuple(sizeOf(options.observationSpace, options.observationSize), sizeOf(options.actionSpace, options.actionSize))
    .chain(([observationSpace, actionSpace]) =>
      fc.array(arbitraryTransition({ observationSpace, actionSpace }), {
        minLength: Math.max(1, minSize),
        maxLength: maxSize,
      }),
    )
    .chain((transitions) => {
      const n = transitions.length
      return fc
        .tuple(
          options.discounts ? column(n, float32In(0, 1)) : fc.constant(undefined),
          options.weights ? column(n, float32In(1e-3, 1)) : fc.constant(undefined),
          options.indices ? fc.array(fc.nat({ max: 999 }), { minLength: n, maxLength: n }) : fc.constant(undefined),
        )
        .map(
          ([discounts, weights, indices]): Batch => ({
            ...fromTransitions(transitions),
            ...(discounts === undefined ? {} : { discounts }),
            ...(weights === undefined ? {} : { weights }),
            ...(indices === undefined ? {} : { indices: Int32Array.from(indices) }),
          }),
        )
    })
}

/**
 * Parameter shapes by name, as `arbitraryParams` takes them.
 *
 * @example
 * ```ts
 * const shapes: ParamShapes = { 'l0/kernel': [3, 8], 'l0/bias': [8] }
 * ```
 */
export type ParamShapes = Readonly<Record<string, readonly number[]>>

/**
 * Parameter shapes of a small MLP: `l<i>/kernel` `[in, out]` and `l<i>/bias` `[out]` for 1 to 3 layers of 1 to 6
 * units, the names `saveCheckpoint` accepts.
 *
 * @example
 * ```ts
 * import { arbitraryParamShapes } from '@polyak/core/test'
 * import fc from 'fast-check'
 *
 * fc.sample(arbitraryParamShapes(), 1) // e.g. [{ 'l0/kernel': [2, 5], 'l0/bias': [5], 'l1/kernel': [5, 1], 'l1/bias': [1] }]
 * ```
 */
export const arbitraryParamShapes = (): fc.Arbitrary<ParamShapes> =>
  fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 4 }).map((sizes) =>
    Object.fromEntries(
      sizes.slice(1).flatMap((out, i) => [
        [`l${i}/kernel`, [sizes[i] as number, out]],
        [`l${i}/bias`, [out]],
      ]),
    ),
  )

/**
 * Parameter values as plain float32 arrays, one per name, of the sizes the shapes give (values in
 * [−`magnitude`, `magnitude`], default 10). The tensor-free form: nothing to dispose.
 *
 * @example
 * ```ts
 * import { arbitraryParamValues } from '@polyak/core/test'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbitraryParamValues({ w: [2, 3] }), (values) => values.w?.length === 6))
 * ```
 */
export const arbitraryParamValues = (
  shapes: ParamShapes,
  magnitude = 10,
): fc.Arbitrary<Readonly<Record<string, Float32Array>>> =>
  fc.record(
    Object.fromEntries(
      Object.entries(shapes).map(([name, shape]) => [
        name,
        column(
          shape.reduce((a, b) => a * b, 1),
          float32In(-magnitude, magnitude),
        ),
      ]),
    ),
  )

/**
 * Parameter records (`Params`) of the given shapes, or of drawn MLP shapes ({@link arbitraryParamShapes}), with
 * values in [−`magnitude`, `magnitude`]. Each drawn record holds fresh tensors: the property owns them and
 * disposes them (`disposeParams`), as any owner of a record does.
 *
 * @example
 * ```ts
 * import { disposeParams, parameterCount } from '@polyak/core'
 * import { arbitraryParams } from '@polyak/core/test'
 * import fc from 'fast-check'
 *
 * fc.assert(
 *   fc.property(arbitraryParams({ w: [3, 4], b: [4] }), (params) => {
 *     const count = parameterCount(params)
 *     disposeParams(params)
 *     return count === 16
 *   }),
 * )
 * ```
 */
export const arbitraryParams = (shapes?: ParamShapes, magnitude = 10): fc.Arbitrary<Params> =>
  (shapes === undefined ? arbitraryParamShapes() : fc.constant(shapes)).chain((s) =>
    arbitraryParamValues(s, magnitude).map(
      (values): Params =>
        Object.fromEntries(Object.entries(values).map(([name, v]) => [name, tf.tensor(v, [...(s[name] ?? [])])])),
    ),
  )

/**
 * Adam configs that `adamUpdate` accepts: a learning rate in [1e-5, 1e-1], and sometimes `beta1`, `beta2`,
 * `epsilon` and `maxGradNorm`.
 *
 * @example
 * ```ts
 * import { adamUpdate } from '@polyak/core'
 * import { arbitraryAdamConfig } from '@polyak/core/test'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbitraryAdamConfig(), (config) => typeof adamUpdate(config) === 'function'))
 * ```
 */
export const arbitraryAdamConfig = (): fc.Arbitrary<AdamConfig> =>
  fc.record(
    {
      learningRate: fc.double({ min: 1e-5, max: 1e-1, noNaN: true }),
      beta1: fc.double({ min: 0, max: 0.99, noNaN: true }),
      beta2: fc.double({ min: 0.9, max: 0.9999, noNaN: true }),
      epsilon: fc.double({ min: 1e-8, max: 1e-4, noNaN: true }),
      maxGradNorm: fc.double({ min: 0.1, max: 100, noNaN: true }),
    },
    { requiredKeys: ['learningRate'] },
  )
