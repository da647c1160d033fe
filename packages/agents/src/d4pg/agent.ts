/**
 * D4PG as a value.
 *
 * @module d4pg/agent
 */
import { defineAgent } from '../agent.js'
import { D4pgConfigCodec } from './config.js'
import { d4pgHead, fitSupport, makeD4pgLearner } from './learning.js'

/**
 * D4PG (Barth-Maron et al. 2018): DDPG's learner on a categorical critic, fed by 5-step returns from prioritized
 * replay, with the support fitted to the task (see {@link D4pgConfigCodec} and `fitSupport`). Any number of actors
 * (inline, worker threads, Redis) is the pipeline's choice.
 *
 * @example
 * ```ts
 * const prepared = d4pg.prepare({}, { id: 'Pendulum-v1', rewardRange: [-16.2736044, 0] })
 * prepared.config.vMin // -1627.36044
 * ```
 */
export const d4pg = defineAgent({
  name: 'd4pg',
  config: D4pgConfigCodec,
  fit: fitSupport,
  critics: (config) => config.critics,
  head: d4pgHead,
  learner: makeD4pgLearner,
})
