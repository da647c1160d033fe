/**
 * The Ornstein-Uhlenbeck process (Uhlenbeck & Ornstein 1930, "On the Theory of the Brownian Motion"), discretised by
 * Euler-Maruyama, as the temporally correlated exploration noise of DDPG (Lillicrap et al. 2016, "Continuous control
 * with deep reinforcement learning", θ = 0.15, σ = 0.2). One independent process per action dimension.
 *
 * The state is a plain `Float64Array` that is never mutated: every step returns a new one.
 *
 * @module OrnsteinUhlenbeck
 */
import { FiniteNumber, NonNegativeNumber, PositiveNumber, Rng, strictObject, withDefaults } from '@polyak/core'
import type * as t from 'io-ts'

/**
 * Parameters of an Ornstein-Uhlenbeck process `dx = θ(μ − x)dt + σ dW`. Decode untrusted input with
 * {@link OuParamsCodec}.
 *
 * @example
 * ```ts
 * const params: OuParams = { theta: 0.15, mu: 0, sigma: 0.2, dt: 1e-2 }
 * ```
 */
export interface OuParams {
  /** Mean reversion rate θ > 0 (DDPG: 0.15). */
  readonly theta: number
  /** Long-run mean μ (usually 0). */
  readonly mu: number
  /** Diffusion σ >= 0 (DDPG: 0.2). */
  readonly sigma: number
  /** Time step dt > 0 (1e-2, as Stable-Baselines3 and OpenAI Baselines). */
  readonly dt: number
}

/**
 * The state of a vector of OU processes: the current value of each dimension. Treat as read-only: steps return a
 * new array.
 *
 * @example
 * ```ts
 * const state: OuState = initOu(DDPG_OU_PARAMS, 2)
 * ```
 */
export type OuState = Float64Array

/**
 * The io-ts codec of {@link OuParams}: exact keys (typos are errors), θ and dt > 0, σ >= 0, μ finite; missing keys
 * take DDPG's defaults θ = 0.15, μ = 0, σ = 0.2, dt = 1e-2.
 *
 * @example
 * ```ts
 * import { decodeOrThrow } from '@polyak/core'
 *
 * const params = decodeOrThrow(OuParamsCodec, { sigma: 0.3 }) // { theta: 0.15, mu: 0, sigma: 0.3, dt: 0.01 }
 * ```
 */
export const OuParamsCodec = withDefaults(
  strictObject('OuParams', { theta: PositiveNumber, mu: FiniteNumber, sigma: NonNegativeNumber, dt: PositiveNumber }),
  { theta: 0.15, mu: 0, sigma: 0.2, dt: 1e-2 },
)
/**
 * Decoded OU parameters (branded numbers).
 *
 * @example
 * ```ts
 * const p: DecodedOuParams = decodeOrThrow(OuParamsCodec, {})
 * ```
 */
export type DecodedOuParams = t.TypeOf<typeof OuParamsCodec>

/**
 * DDPG's OU parameters (Lillicrap et al. 2016): θ = 0.15, μ = 0, σ = 0.2, dt = 1e-2.
 *
 * @example
 * ```ts
 * const state = initOu(DDPG_OU_PARAMS, 2)
 * ```
 */
export const DDPG_OU_PARAMS: OuParams = Object.freeze({ theta: 0.15, mu: 0, sigma: 0.2, dt: 1e-2 })

/**
 * The initial state of `size` OU processes: `x0` (a number for all dimensions, or one per dimension), μ by default.
 *
 * @throws RangeError when `size` is not an integer >= 0 or an `x0` array has another length
 *
 * @example
 * ```ts
 * initOu(DDPG_OU_PARAMS, 3) // Float64Array [0, 0, 0]
 * initOu(DDPG_OU_PARAMS, 2, [1, -1]) // Float64Array [1, -1]
 * ```
 */
export const initOu = (params: OuParams, size: number, x0?: number | readonly number[]): OuState => {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`initOu: size must be an integer >= 0, got ${size}`)
  if (x0 === undefined || typeof x0 === 'number') return new Float64Array(size).fill(x0 ?? params.mu)
  if (x0.length !== size) throw new RangeError(`initOu: x0 has ${x0.length} entries, expected ${size}`)
  return Float64Array.from(x0)
}

/**
 * The state after an episode ends: every dimension back at μ (a new array of the same size).
 *
 * @example
 * ```ts
 * const fresh = resetOu(DDPG_OU_PARAMS, state)
 * ```
 */
export const resetOu = (params: OuParams, state: OuState): OuState => initOu(params, state.length)

/**
 * One Euler-Maruyama step of `dx = θ(μ − x)dt + σ dW`, dW ~ N(0, dt), per dimension:
 * `x' = x + θ(μ − x)dt + σ√dt·ε`, ε ~ N(0, 1) drawn from `key`. Returns the noise (`x'` as float32) and the new
 * state; the input state is not touched. The discrete process has mean μ and stationary variance
 * `σ²dt / (1 − (1 − θdt)²)`, which tends to the continuous `σ²/(2θ)` as dt → 0.
 *
 * @example
 * ```ts
 * import { Rng } from '@polyak/core'
 *
 * let state = initOu(DDPG_OU_PARAMS, 2)
 * const step = ouStep(Rng.key(0), state, DDPG_OU_PARAMS)
 * state = step.state // step.noise: Float32Array(2)
 * ```
 */
export const ouStep = (
  key: Rng.Key,
  state: OuState,
  params: OuParams,
): { readonly noise: Float32Array; readonly state: OuState } => {
  const { theta, mu, sigma, dt } = params
  const eps = Rng.normal(key, state.length)
  const scale = sigma * Math.sqrt(dt)
  const next = state.map((x, i) => x + theta * (mu - x) * dt + scale * (eps[i] as number))
  return { noise: Float32Array.from(next), state: next }
}

/**
 * σ decayed by a half-life counted in episodes: `σ · 2^(−episode / halfLife)`. Kendall et al. 2018 ("Learning to
 * Drive in a Day") halved the exploration noise every 250 episodes.
 *
 * @throws RangeError when `halfLife` is not > 0 or `episode` is negative
 *
 * @example
 * ```ts
 * decayedSigma(0.2, 250, 500) // 0.05
 * ```
 */
export const decayedSigma = (sigma: number, halfLife: number, episode: number): number => {
  if (!(halfLife > 0)) throw new RangeError(`decayedSigma: halfLife must be > 0, got ${halfLife}`)
  if (!(episode >= 0)) throw new RangeError(`decayedSigma: episode must be >= 0, got ${episode}`)
  return sigma * 2 ** (-episode / halfLife)
}
