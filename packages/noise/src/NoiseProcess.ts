/**
 * A common interface for exploration noise processes, so operators can take any of them.
 *
 * @module NoiseProcess
 */
import type { Rng } from '@polyak/core'
import { gaussianNoise } from './gaussianNoise.js'
import { initOu, type OuParams, type OuState, ouStep, resetOu } from './OrnsteinUhlenbeck.js'

/**
 * A noise process as a record of pure functions over an explicit state `S`: `init` makes a state for a given action
 * size, `sample` draws noise and returns the next state, `reset` starts a new episode.
 *
 * @example
 * ```ts
 * import { Rng } from '@polyak/core'
 *
 * const process: NoiseProcess<OuState> = ouProcess(DDPG_OU_PARAMS)
 * const { noise, state } = process.sample(Rng.key(0), process.init(2))
 * ```
 */
export interface NoiseProcess<S> {
  /** The state for actions of `size` dimensions. */
  readonly init: (size: number) => S
  /** Noise for one step and the next state; pure in the key and the state. */
  readonly sample: (key: Rng.Key, state: S) => { readonly noise: Float32Array; readonly state: S }
  /** The state at the start of an episode. */
  readonly reset: (state: S) => S
}

/**
 * The state of {@link gaussianProcess}: only the action size (Gaussian noise is memoryless).
 *
 * @example
 * ```ts
 * const state: GaussianState = gaussianProcess(0.1).init(3) // { size: 3 }
 * ```
 */
export interface GaussianState {
  readonly size: number
}

/**
 * Independent N(0, σ²) noise as a {@link NoiseProcess} (TD3's exploration noise, Fujimoto et al. 2018).
 *
 * @example
 * ```ts
 * const p = gaussianProcess(0.1)
 * const { noise } = p.sample(Rng.key(0), p.init(3))
 * ```
 */
export const gaussianProcess = (sigma: number): NoiseProcess<GaussianState> => ({
  init: (size) => ({ size }),
  sample: (key, state) => ({ noise: gaussianNoise(key, state.size, sigma), state }),
  reset: (state) => state,
})

/**
 * The Ornstein-Uhlenbeck process ({@link ouStep}) as a {@link NoiseProcess} (DDPG, Lillicrap et al. 2016).
 *
 * @example
 * ```ts
 * const p = ouProcess(DDPG_OU_PARAMS)
 * const first = p.sample(Rng.key(0), p.init(2))
 * ```
 */
export const ouProcess = (params: OuParams): NoiseProcess<OuState> => ({
  init: (size) => initOu(params, size),
  sample: (key, state) => ouStep(key, state, params),
  reset: (state) => resetOu(params, state),
})
