/**
 * TD3 as a value.
 *
 * @module td3/agent
 */
import { defineAgent } from '../agent.js'
import { scalarHead } from '../criticHeads.js'
import { Td3ConfigCodec } from './config.js'
import { makeTd3Learner } from './learning.js'

/**
 * TD3 (Fujimoto et al. 2018): twin critics, delayed actor and target updates, target policy smoothing, on 1-step
 * transitions from uniform replay (see {@link Td3ConfigCodec} for the defaults).
 *
 * @example
 * ```ts
 * const prepared = td3.prepare({ hiddenSizes: [64, 64] }, { id: 'Pendulum-v1' })
 * prepared.critics // 2
 * ```
 */
export const td3 = defineAgent({
  name: 'td3',
  config: Td3ConfigCodec,
  critics: () => 2,
  head: () => scalarHead,
  learner: makeTd3Learner,
})
