/**
 * The deterministic policy gradient step.
 *
 * @module updateActor
 */
import { type AdamConfig, adamUpdate, type Batch, type Params, tidy, valueAndGradsOf } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { dpgLoss } from './losses/dpgLoss.js'
import type { Networks } from './networks.js'
import type { TrainState } from './TrainState.js'

const missingTorso = (name: string): never => {
  throw new Error(`updateActor: the critic has no ${name} to copy into the actor (actorTorso: 'critic')`)
}

const pick = (record: Readonly<Record<string, tf.Tensor>>, keys: Params): Record<string, tf.Tensor> =>
  Object.fromEntries(Object.keys(keys).map((name) => [name, record[name] as tf.Tensor]))

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
 * With pixel networks of `actorTorso: 'critic'` (DrQ-v2) the actor's torso is first replaced by a copy of the first
 * critic's and only its head is differentiated and stepped (the torso's Adam moments are carried over unchanged).
 *
 * @example
 * ```ts
 * const update = updateActor(networks, { optimizer: { learningRate: 3e-4 } })
 * const { state: next, metrics } = update(state, batch)
 * ```
 */
export const updateActor = (networks: Networks, config: { readonly optimizer: AdamConfig }) => {
  const adam = adamUpdate(config.optimizer)
  const torsoFromCritic = networks.architecture.kind === 'pixels' && networks.architecture.actorTorso === 'critic'
  return (state: TrainState, batch: Batch): { readonly state: TrainState; readonly metrics: ActorMetrics } => {
    const critic = state.critics[0]
    if (critic === undefined) throw new Error('updateActor: the state has no critic')
    const out = tidy(() => {
      const observations = tf.tensor2d(batch.observations, [batch.size, batch.observationSize])
      if (!torsoFromCritic) {
        const loss = (actor: Params) => dpgLoss(networks.q(critic, observations, networks.policy(actor, observations)))
        const { value, grads } = valueAndGradsOf(loss, state.actor)
        return { value, ...adam(state.actor, grads, state.actorOptimizer) }
      }
      // the critic's torso, copied; only the head is trained, the torso's Adam moments are carried over untouched
      const torso: Record<string, tf.Tensor> = {}
      const head: Record<string, tf.Tensor> = {}
      for (const [name, p] of Object.entries(state.actor)) {
        if (name.startsWith('torso/')) torso[name] = tf.clone(critic[name] ?? missingTorso(name))
        else head[name] = p
      }
      const loss = (trained: Params) =>
        dpgLoss(networks.q(critic, observations, networks.policy({ ...torso, ...trained }, observations)))
      const { value, grads } = valueAndGradsOf(loss, head)
      const { m, v } = state.actorOptimizer
      const headMoments = { step: state.actorOptimizer.step, m: pick(m, head), v: pick(v, head) }
      const updated = adam(head, grads, headMoments)
      return {
        value,
        params: { ...torso, ...updated.params },
        state: {
          step: updated.state.step,
          m: { ...m, ...updated.state.m },
          v: { ...v, ...updated.state.v },
        },
      }
    })
    const metrics: ActorMetrics = { 'losses/actor': out.value.dataSync()[0] as number }
    out.value.dispose()
    return { state: { ...state, actor: out.params, actorOptimizer: out.state }, metrics }
  }
}
