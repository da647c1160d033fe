/**
 * DDPG's learner step (Lillicrap et al. 2016).
 *
 * @module ddpg/learning
 */
import { type LearnerStep, learnerStep } from '../learnerStep.js'
import type { Networks } from '../networks.js'
import { updateActor } from '../updateActor.js'
import { updateCritic } from '../updateCritic.js'
import { updateTargets } from '../updateTargets.js'
import type { DdpgConfig } from './config.js'

/**
 * DDPG's learner step: one critic with the TD target `r + γ(1 − terminated)Q'(s', μ'(s'))`, the DPG actor step, and
 * Polyak-averaged targets, composed by {@link learnerStep}. Use it with a state of one critic
 * (`initTrainState(networks, { critics: 1 }, key)`).
 *
 * @example
 * ```ts
 * const step = makeDdpgLearner(networks, decodeOrThrow(DdpgConfigCodec, {}))
 * const { state: next, metrics } = step(state, batch, Rng.foldIn(key, state.step))
 * ```
 */
export const makeDdpgLearner = (networks: Networks, config: DdpgConfig): LearnerStep =>
  learnerStep({
    updateCritic: updateCritic(networks, {
      gamma: config.gamma,
      optimizer: { learningRate: config.criticLearningRate },
    }),
    updateActor: updateActor(networks, { optimizer: { learningRate: config.actorLearningRate } }),
    updateTargets: updateTargets(config.tau),
    policyDelay: config.policyDelay,
  })
