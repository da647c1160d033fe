/**
 * TD3's learner configuration.
 *
 * @module td3/config
 */
import { NonNegativeNumber, strictObject, withDefaults } from '@polyak/core'
import type * as t from 'io-ts'
import { replayProps } from '../agent.js'
import { learnerProps } from '../ddpg/config.js'

/**
 * The io-ts codec of {@link Td3Config}: DDPG's fields plus target policy smoothing, with the defaults of the TD3
 * paper and CleanRL: γ 0.99, τ 0.005, Adam 3e-4, 256-256 networks, actor and targets every 2nd step, smoothing noise
 * σ 0.2 clipped to ±0.5, 1-step transitions sampled uniformly.
 *
 * @example
 * ```ts
 * const config = decodeOrThrow(Td3ConfigCodec, { policyDelay: 3 }, 'td3 config')
 * ```
 */
export const Td3ConfigCodec = withDefaults(
  strictObject('Td3Config', {
    ...learnerProps,
    ...replayProps,
    /** Standard deviation of the target smoothing noise, in units of the action half-range (TD3: 0.2). */
    targetNoise: NonNegativeNumber,
    /** The smoothing noise is clipped to ±targetNoiseClip, in the same units (TD3: 0.5). */
    targetNoiseClip: NonNegativeNumber,
  }),
  {
    gamma: 0.99,
    tau: 0.005,
    actorLearningRate: 3e-4,
    criticLearningRate: 3e-4,
    hiddenSizes: [256, 256],
    policyDelay: 2,
    targetNoise: 0.2,
    targetNoiseClip: 0.5,
    nStep: 1,
    sampler: 'uniform',
  },
)

/**
 * A decoded TD3 configuration.
 *
 * @example
 * ```ts
 * const config: Td3Config = decodeOrThrow(Td3ConfigCodec, {})
 * ```
 */
export type Td3Config = t.TypeOf<typeof Td3ConfigCodec>
