/**
 * A common interface for exploration noise processes, so operators can take any of them.
 *
 * @module NoiseProcess
 */
import type { Rng } from '@polyak/core'
import { gaussianNoise } from './gaussianNoise.js'
import { decayedSigma, initOu, type OuParams, type OuState, ouStep, resetOu } from './OrnsteinUhlenbeck.js'

/**
 * A noise process as a record of pure functions over an explicit state `S`: `init` makes a state for a given action
 * size, `sample` draws noise and returns the next state, `reset` starts a new episode.
 *
 * @example
 * ```ts
 * import { Rng } from '@polyak/core'
 *
 * const process: NoiseProcess<OuProcessState> = ouProcess(DDPG_OU_PARAMS)
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
 * The state of {@link ouProcess}: the OU value of each action dimension and the number of episodes ended so far
 * (which drives the optional σ decay).
 *
 * @example
 * ```ts
 * const state: OuProcessState = ouProcess(DDPG_OU_PARAMS).init(2) // { x: Float64Array [0, 0], episode: 0 }
 * ```
 */
export interface OuProcessState {
  readonly x: OuState
  readonly episode: number
}

/**
 * Options of {@link ouProcess}.
 *
 * @example
 * ```ts
 * const options: OuProcessOptions = { sigmaHalfLife: 250 } // Kendall et al. 2018
 * ```
 */
export interface OuProcessOptions {
  /** Halve σ every this many episodes ({@link decayedSigma}); omitted: σ stays constant. */
  readonly sigmaHalfLife?: number
}

/**
 * The Ornstein-Uhlenbeck process ({@link ouStep}) as a {@link NoiseProcess} (DDPG, Lillicrap et al. 2016). `reset`
 * puts every dimension back at μ and counts the episode; with `sigmaHalfLife`, episode `e` samples with
 * σ·2^(−e/halfLife), the decaying exploration of "Learning to Drive in a Day" (Kendall et al. 2018).
 *
 * @throws RangeError when `sigmaHalfLife` is given and not > 0
 *
 * @example
 * ```ts
 * const p = ouProcess(DDPG_OU_PARAMS, { sigmaHalfLife: 250 })
 * const first = p.sample(Rng.key(0), p.init(2))
 * ```
 */
export const ouProcess = (params: OuParams, options: OuProcessOptions = {}): NoiseProcess<OuProcessState> => {
  const { sigmaHalfLife } = options
  if (sigmaHalfLife !== undefined && !(sigmaHalfLife > 0)) {
    throw new RangeError(`ouProcess: sigmaHalfLife must be > 0, got ${sigmaHalfLife}`)
  }
  const paramsAt = (episode: number): OuParams =>
    sigmaHalfLife === undefined ? params : { ...params, sigma: decayedSigma(params.sigma, sigmaHalfLife, episode) }
  return {
    init: (size) => ({ x: initOu(params, size), episode: 0 }),
    sample: (key, state) => {
      const { noise, state: x } = ouStep(key, state.x, paramsAt(state.episode))
      return { noise, state: { x, episode: state.episode } }
    },
    reset: (state) => ({ x: resetOu(params, state.x), episode: state.episode + 1 }),
  }
}
