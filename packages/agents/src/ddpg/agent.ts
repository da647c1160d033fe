/**
 * DDPG as a value.
 *
 * @module ddpg/agent
 */
import { defineAgent } from '../agent.js'
import { scalarHead } from '../criticHeads.js'
import { DdpgConfigCodec } from './config.js'
import { makeDdpgLearner } from './learning.js'

/**
 * DDPG (Lillicrap et al. 2016): one critic, the plain TD target through the target networks, the actor every step,
 * on 1-step transitions from uniform replay (see {@link DdpgConfigCodec} for the defaults).
 *
 * @example
 * ```ts
 * const prepared = ddpg.prepare({ tau: 0.001 }, { id: 'Pendulum-v1' })
 * prepared.critics // 1
 * ```
 */
export const ddpg = defineAgent({
  name: 'ddpg',
  config: DdpgConfigCodec,
  critics: () => 1,
  head: () => scalarHead,
  learner: makeDdpgLearner,
})
