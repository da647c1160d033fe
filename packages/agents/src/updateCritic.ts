/**
 * The critic update shared by DDPG, TD3 (and later D4PG's scalar variants).
 *
 * @module updateCritic
 */
import { type AdamConfig, adamUpdate, type Batch, type Rng, tidy, toTensorBatch, valueAndGradsOf } from '@polyak/core'
import { smoothTargetActions } from '@polyak/noise'
import * as tf from '@tensorflow/tfjs-core'
import type { Networks } from './networks.js'
import type { TrainState } from './TrainState.js'

/**
 * Options of {@link updateCritic}.
 *
 * @example
 * ```ts
 * const ddpg: CriticUpdateConfig = { gamma: 0.99, optimizer: { learningRate: 3e-4 } }
 * const td3: CriticUpdateConfig = { ...ddpg, targetSmoothing: { sigma: 0.2, clip: 0.5 } }
 * ```
 */
export interface CriticUpdateConfig {
  /** Discount γ for batches without per-sample `discounts` (n-step batches carry γᵐ themselves). */
  readonly gamma: number
  /** Adam settings of every critic. */
  readonly optimizer: AdamConfig
  /**
   * TD3's target policy smoothing (σ, c) in units of the action scale (the half-range (high − low)/2 of each
   * dimension), as the TD3 paper and CleanRL; omitted: the target action is μ'(s') (DDPG).
   */
  readonly targetSmoothing?: { readonly sigma: number; readonly clip: number }
}

/**
 * What a critic update reports. `tdErrors` is the first critic's per-sample error before the update (δ = y − Q₁(s, a)
 * for a scalar critic, the cross-entropy to the projected target for a categorical one); it is computed only for
 * batches with importance weights, i.e. from prioritized replay, where the learner sends it back as priorities.
 *
 * @example
 * ```ts
 * const { metrics } = update(state, batch, key)
 * console.log(metrics['losses/critic'], metrics['values/target'])
 * ```
 */
export interface CriticMetrics {
  /** The mean over critics of `mean(w·δ²)`, before the step. */
  readonly 'losses/critic': number
  /** The mean TD target y of the batch. */
  readonly 'values/target': number
  /** A categorical critic's target mass clipped onto the support's end atoms (`CriticHead.clippedMass`). */
  readonly 'values/clipped_mass'?: number
  readonly tdErrors?: Float32Array
}

/**
 * One gradient step for every critic on a batch: target actions from the target actor (plus clipped noise with
 * `targetSmoothing`, scaled by the action half-range and clipped to the action bounds), the target from the target
 * critics' outputs at (s', ã) and each critic's loss, both as the networks' critic head defines them — for the scalar
 * head `y = r + (1 − terminated)·discount·min_i Q'_i(s', ã)` (one critic: DDPG; two: TD3's clipped double Q) and
 * `mean(w·(y − Q_i(s, a))²)`; for the categorical head the projected distribution and the cross-entropy (D4PG) —
 * minimised by Adam. Only the critics and their optimiser states change; the returned state shares every other tensor with the
 * input (free the replaced ones with `disposeReplaced`). Truncated transitions bootstrap; only `terminated` stops it.
 *
 * @example
 * ```ts
 * const update = updateCritic(networks, { gamma: 0.99, optimizer: { learningRate: 3e-4 } })
 * const { state: next, metrics } = update(state, batch, Rng.foldIn(key, state.step))
 * ```
 */
export const updateCritic = (networks: Networks, config: CriticUpdateConfig) => {
  const adam = adamUpdate(config.optimizer)
  const { low, high } = networks.spec
  const scale = low.map((l, i) => ((high[i] as number) - l) / 2)
  return (
    state: TrainState,
    batch: Batch,
    key: Rng.Key,
  ): { readonly state: TrainState; readonly metrics: CriticMetrics } => {
    const out = tidy(() => {
      const b = toTensorBatch(batch)
      const greedy = networks.policy(state.targetActor, b.nextObservations)
      const nextActions =
        config.targetSmoothing === undefined
          ? greedy
          : smoothTargetActions(key, greedy, { ...config.targetSmoothing, low, high, scale })
      const { head } = networks
      const nextOutputs = state.targetCritics.map((target) =>
        networks.criticOutput(target, b.nextObservations, nextActions),
      )
      const discounts = b.discounts ?? tf.fill([batch.size], config.gamma)
      const inputs = { rewards: b.rewards, discounts, terminated: b.terminated }
      const targets = head.target(inputs, nextOutputs)
      const steps = state.critics.map((critic, i) => {
        const loss = (p: typeof critic) =>
          head.loss(networks.criticOutput(p, b.observations, b.actions), targets, b.weights).loss
        const { value, grads } = valueAndGradsOf(loss, critic)
        return { value, ...adam(critic, grads, state.criticOptimizers[i] as (typeof state.criticOptimizers)[number]) }
      })
      const first = state.critics[0]
      const tdErrors =
        b.weights === undefined || first === undefined
          ? undefined
          : head.loss(networks.criticOutput(first, b.observations, b.actions), targets).perSample
      return {
        critics: steps.map((s) => s.params),
        optimizers: steps.map((s) => s.state),
        loss: tf.mean(tf.stack(steps.map((s) => s.value))),
        target: tf.mean(head.targetValue(targets)),
        tdErrors,
        clippedMass: head.clippedMass?.(inputs, nextOutputs),
      }
    })
    const metrics: CriticMetrics = {
      'losses/critic': out.loss.dataSync()[0] as number,
      'values/target': out.target.dataSync()[0] as number,
      ...(out.clippedMass === undefined ? {} : { 'values/clipped_mass': out.clippedMass.dataSync()[0] as number }),
      ...(out.tdErrors === undefined ? {} : { tdErrors: out.tdErrors.dataSync() as Float32Array }),
    }
    tf.dispose([out.loss, out.target, out.tdErrors, out.clippedMass].filter((x) => x !== undefined))
    return { state: { ...state, critics: out.critics, criticOptimizers: out.optimizers }, metrics }
  }
}
