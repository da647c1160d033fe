/**
 * The deterministic policy gradient step.
 *
 * @module updateActor
 */
import { type AdamConfig, adamUpdate, type Batch, tidy, valueAndGradsOf } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { dpgLoss } from './losses/dpgLoss.js'
import type { Networks } from './networks.js'
import type { TrainState } from './TrainState.js'

/**
 * What an actor update reports.
 *
 * @example
 * ```ts
 * const { metrics } = updateActor(networks, { optimizer: { learningRate: 3e-4 } })(state, batch)
 * metrics['losses/actor'] // −mean Q₁(s, μ(s)) before the step
 * ```
 */
export interface ActorMetrics {
  readonly 'losses/actor': number
}

/**
 * One deterministic policy gradient step (Silver et al. 2014; DDPG and TD3 use the first critic): minimise
 * `−mean Q₁(s, μ_θ(s))` over the batch's observations with Adam, differentiating with respect to the actor's
 * parameters only, so the critics are left exactly as they were. Only the actor and its optimiser state change.
 *
 * @example
 * ```ts
 * const update = updateActor(networks, { optimizer: { learningRate: 3e-4 } })
 * const { state: next, metrics } = update(state, batch)
 * ```
 */
export const updateActor = (networks: Networks, config: { readonly optimizer: AdamConfig }) => {
  const adam = adamUpdate(config.optimizer)
  return (state: TrainState, batch: Batch): { readonly state: TrainState; readonly metrics: ActorMetrics } => {
    const critic = state.critics[0]
    if (critic === undefined) throw new Error('updateActor: the state has no critic')
    const out = tidy(() => {
      const observations = tf.tensor2d(batch.observations, [batch.size, batch.observationSize])
      const loss = (actor: typeof state.actor) =>
        dpgLoss(networks.q(critic, observations, networks.policy(actor, observations)))
      const { value, grads } = valueAndGradsOf(loss, state.actor)
      return { value, ...adam(state.actor, grads, state.actorOptimizer) }
    })
    const metrics: ActorMetrics = { 'losses/actor': out.value.dataSync()[0] as number }
    out.value.dispose()
    return { state: { ...state, actor: out.params, actorOptimizer: out.state }, metrics }
  }
}
