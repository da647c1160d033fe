/**
 * TD3's learner step (Fujimoto et al. 2018).
 *
 * @module td3/learning
 */
import { type LearnerStep, learnerStep } from '../learnerStep.js'
import type { Networks } from '../networks.js'
import { updateActor } from '../updateActor.js'
import { updateCritic } from '../updateCritic.js'
import { updateTargets } from '../updateTargets.js'
import type { Td3Config } from './config.js'

/**
 * TD3's learner step: DDPG's parts with three changes, all arguments of the shared functions — twin critics (give
 * the state two: `initTrainState(networks, { critics: 2 }, key)`; the target takes their minimum), target policy
 * smoothing (`targetSmoothing`), and the delayed actor and target updates (`policyDelay`).
 *
 * @example
 * ```ts
 * const step = makeTd3Learner(networks, decodeOrThrow(Td3ConfigCodec, {}))
 * const { state: next, metrics } = step(state, batch, Rng.foldIn(key, state.step))
 * ```
 */
export const makeTd3Learner = (networks: Networks, config: Td3Config): LearnerStep =>
  learnerStep({
    updateCritic: updateCritic(networks, {
      gamma: config.gamma,
      optimizer: { learningRate: config.criticLearningRate },
      targetSmoothing: { sigma: config.targetNoise, clip: config.targetNoiseClip },
    }),
    updateActor: updateActor(networks, { optimizer: { learningRate: config.actorLearningRate } }),
    updateTargets: updateTargets(config.tau),
    policyDelay: config.policyDelay,
  })
