/**
 * D4PG's learner step (Barth-Maron et al. 2018).
 *
 * @module d4pg/learning
 */
import { type CriticHead, categoricalHead } from '../criticHeads.js'
import { makeDdpgLearner } from '../ddpg/learning.js'
import type { LearnerStep } from '../learnerStep.js'
import type { Networks } from '../networks.js'
import type { D4pgConfig } from './config.js'

/**
 * The critic head of a D4PG config: a categorical distribution over `atoms` values on [vMin, vMax]. Build the
 * networks with it: `makeNetworks(spec, d4pgHead(config))`.
 *
 * @example
 * ```ts
 * const networks = makeNetworks(spec, d4pgHead(config))
 * ```
 */
export const d4pgHead = (config: D4pgConfig): CriticHead =>
  categoricalHead({ atoms: config.atoms, vMin: config.vMin, vMax: config.vMax })

/**
 * D4PG's learner step: DDPG's learner step (`makeDdpgLearner`) on networks whose critic is categorical — the projected n-step
 * distributional target and the cross-entropy loss weighted by the batch's importance weights (prioritized replay),
 * whose per-sample values come back as `metrics.tdErrors` (the new priorities); the actor ascends the critic's mean.
 * n-step returns and prioritized sampling are the replay's job (`accumulateNSteps`, `remember` with a prioritized
 * sampler); batches carry their γⁿ as `discounts`.
 *
 * @throws Error when the networks' critic head is not categorical
 *
 * @example
 * ```ts
 * const config = decodeOrThrow(D4pgConfigCodec, { vMin: -1700, vMax: 0 })
 * const networks = makeNetworks(spec, d4pgHead(config))
 * const step = makeD4pgLearner(networks, config)
 * ```
 */
export const makeD4pgLearner = (networks: Networks, config: D4pgConfig): LearnerStep => {
  if (networks.head.outputSize !== config.atoms) {
    throw new Error(
      `makeD4pgLearner: the networks' critic has ${networks.head.outputSize} outputs, the config ${config.atoms} atoms: ` +
        'build them with makeNetworks(spec, d4pgHead(config))',
    )
  }
  return makeDdpgLearner(networks, config) // the categorical head in the networks is the whole difference
}
