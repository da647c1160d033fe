/**
 * One learner step from its parts: the composition that DDPG and TD3 differ in only by their arguments.
 *
 * @module learnerStep
 */
import type { Batch, Rng } from '@polyak/core'
import type { TrainState } from './TrainState.js'
import type { ActorMetrics } from './updateActor.js'
import type { CriticMetrics } from './updateCritic.js'

/**
 * The parts of a learner step: the three update functions and how often the actor and targets move.
 *
 * @example
 * ```ts
 * const parts: LearnerParts = {
 *   updateCritic: updateCritic(networks, { gamma: 0.99, optimizer: { learningRate: 3e-4 } }),
 *   updateActor: updateActor(networks, { optimizer: { learningRate: 3e-4 } }),
 *   updateTargets: updateTargets(0.005),
 *   policyDelay: 2,
 * }
 * ```
 */
export interface LearnerParts {
  readonly updateCritic: (
    state: TrainState,
    batch: Batch,
    key: Rng.Key,
  ) => { readonly state: TrainState; readonly metrics: CriticMetrics }
  readonly updateActor: (
    state: TrainState,
    batch: Batch,
  ) => { readonly state: TrainState; readonly metrics: ActorMetrics }
  readonly updateTargets: (state: TrainState) => TrainState
  /** The actor and the targets are updated on every `policyDelay`-th step (TD3: 2; DDPG: 1). */
  readonly policyDelay: number
}

/**
 * What a learner step reports: the critic's metrics on every step, the actor's on the steps where it moved.
 *
 * @example
 * ```ts
 * const metrics: LearnerMetrics = { 'losses/critic': 0.3, 'values/target': -12 }
 * ```
 */
export type LearnerMetrics = CriticMetrics & Partial<ActorMetrics>

/**
 * A learner step: the function {@link learnerStep} makes, and what `makeDdpgLearner` / `makeTd3Learner` return.
 *
 * @example
 * ```ts
 * const step: LearnerStep = makeTd3Learner(networks, config)
 * ```
 */
export type LearnerStep = (
  state: TrainState,
  batch: Batch,
  key: Rng.Key,
) => { readonly state: TrainState; readonly metrics: LearnerMetrics }

/**
 * A learner step `(state, batch, key) → { state, metrics }`: the critic update, then, on every `policyDelay`-th
 * step (counting from 1, as CleanRL's `global_step % policy_frequency == 0` with one gradient step per env step),
 * the actor update and the target update; `step` counts the calls. Each part replaces different tensors, so the
 * caller frees the input state's replaced tensors with `disposeReplaced(state, next)` and nothing made in between is
 * lost.
 *
 * @throws RangeError when `policyDelay` is not an integer >= 1
 *
 * @example
 * ```ts
 * const step = learnerStep(parts)
 * const { state: next, metrics } = step(state, batch, Rng.foldIn(key, state.step))
 * disposeReplaced(state, next)
 * ```
 */
export const learnerStep = (parts: LearnerParts): LearnerStep => {
  const { policyDelay } = parts
  if (!Number.isInteger(policyDelay) || policyDelay < 1) {
    throw new RangeError(`learnerStep: policyDelay must be an integer >= 1, got ${policyDelay}`)
  }
  return (state, batch, key) => {
    const step = state.step + 1
    const critic = parts.updateCritic(state, batch, key)
    if (step % policyDelay !== 0) return { state: { ...critic.state, step }, metrics: critic.metrics }
    const actor = parts.updateActor(critic.state, batch)
    return { state: { ...parts.updateTargets(actor.state), step }, metrics: { ...critic.metrics, ...actor.metrics } }
  }
}
