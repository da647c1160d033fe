/**
 * Target network updates.
 *
 * @module updateTargets
 */
import { type Params, polyakUpdate } from '@polyak/core'
import type { TrainState } from './TrainState.js'

/**
 * Moves every target network towards its online network: `θ' ← τθ + (1 − τ)θ'` for the actor and each critic
 * (Lillicrap et al. 2016). `τ = 1` copies (a hard update, as D4PG's periodic one). Only the targets change.
 *
 * @throws RangeError when `tau` is outside [0, 1]
 *
 * @example
 * ```ts
 * const next = updateTargets(0.005)(state)
 * ```
 */
export const updateTargets = (tau: number) => {
  const update = polyakUpdate(tau)
  return (state: TrainState): TrainState => {
    if (state.targetCritics.length !== state.critics.length) {
      throw new Error(`updateTargets: ${state.critics.length} critics but ${state.targetCritics.length} targets`)
    }
    return {
      ...state,
      targetActor: update(state.actor, state.targetActor),
      targetCritics: state.critics.map((critic, i) => update(critic, state.targetCritics[i] as Params)),
    }
  }
}
