/**
 * DDPG's learner configuration.
 *
 * @module ddpg/config
 */
import {
  PositiveInt,
  PositiveNumber,
  strictObject,
  UnitInterval,
  UnitIntervalOpenClosed,
  withDefaults,
} from '@polyak/core'
import * as t from 'io-ts'
import { replayProps } from '../agent.js'

/**
 * The io-ts properties every DDPG-family learner config has; TD3 adds its smoothing fields to them.
 *
 * @example
 * ```ts
 * const MyConfig = strictObject('MyConfig', { ...learnerProps, criticCount: PositiveInt })
 * ```
 */
export const learnerProps = {
  /** Discount γ (CleanRL and the papers: 0.99). */
  gamma: UnitInterval,
  /** Polyak coefficient τ of the target networks (CleanRL: 0.005; DDPG paper: 0.001). */
  tau: UnitIntervalOpenClosed,
  /** Adam step size of the actor (CleanRL: 3e-4; DDPG paper: 1e-4). */
  actorLearningRate: PositiveNumber,
  /** Adam step size of the critics (CleanRL: 3e-4; DDPG paper: 1e-3). */
  criticLearningRate: PositiveNumber,
  /** Hidden layers of actor and critic (CleanRL: [256, 256]; DDPG paper: [400, 300]). */
  hiddenSizes: t.readonlyArray(PositiveInt),
  /** Actor and targets move on every `policyDelay`-th learner step (DDPG: 1). */
  policyDelay: PositiveInt,
}

/**
 * The io-ts codec of {@link DdpgConfig}, with CleanRL's defaults: γ 0.99, τ 0.005, Adam 3e-4 for both networks,
 * 256-256 ReLU networks, the actor updated every step (the paper's schedule; CleanRL's script uses 2), 1-step
 * transitions sampled uniformly. Unknown keys are errors that name the field.
 *
 * @example
 * ```ts
 * import { decodeOrThrow } from '@polyak/core'
 *
 * const config = decodeOrThrow(DdpgConfigCodec, { tau: 0.001 }, 'ddpg config')
 * ```
 */
export const DdpgConfigCodec = withDefaults(strictObject('DdpgConfig', { ...learnerProps, ...replayProps }), {
  gamma: 0.99,
  tau: 0.005,
  actorLearningRate: 3e-4,
  criticLearningRate: 3e-4,
  hiddenSizes: [256, 256],
  policyDelay: 1,
  nStep: 1,
  sampler: 'uniform',
})

/**
 * A decoded DDPG configuration.
 *
 * @example
 * ```ts
 * const config: DdpgConfig = decodeOrThrow(DdpgConfigCodec, {})
 * ```
 */
export type DdpgConfig = t.TypeOf<typeof DdpgConfigCodec>
