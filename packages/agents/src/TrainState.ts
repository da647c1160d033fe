/**
 * The learner's state: online and target parameters with their optimiser states, as one immutable record.
 *
 * @module TrainState
 */
import { type AdamState, cloneParams, hardUpdate, initAdam, type Params, Rng } from '@polyak/core'
import type * as tf from '@tensorflow/tfjs-core'
import type { Networks } from './networks.js'

/**
 * Everything a DDPG/TD3 learner updates (Acme's `TrainingState`, CleanRL-JAX's `TrainState`s): the actor, one or
 * more critics (TD3: two), their target copies, one Adam state per network, and the number of learner steps taken.
 * Update functions return a new record and never touch the old one; tensors a new record does not replace are shared
 * with the old one, so the owner frees a superseded record with {@link disposeReplaced}.
 *
 * @example
 * ```ts
 * const state: TrainState = initTrainState(networks, { critics: 2 }, Rng.key(0))
 * ```
 */
export interface TrainState {
  readonly actor: Params
  readonly critics: readonly Params[]
  readonly targetActor: Params
  readonly targetCritics: readonly Params[]
  readonly actorOptimizer: AdamState
  readonly criticOptimizers: readonly AdamState[]
  /** Learner steps taken (batches consumed). */
  readonly step: number
}

/**
 * A fresh state: networks drawn from `key` with `networks.initActor`/`initCritic` (the actor from one child key,
 * critic `i` from another), targets as copies (DDPG/TD3 start the targets equal to the online networks), zeroed Adam
 * moments, step 0. The caller owns it.
 *
 * @throws RangeError when `critics` is not an integer >= 1
 *
 * @example
 * ```ts
 * const state = initTrainState(makeNetworks(spec), { critics: 2 }, Rng.key(1))
 * state.critics.length // 2
 * ```
 */
export const initTrainState = (networks: Networks, { critics = 1 }: { readonly critics?: number }, key: Rng.Key) => {
  if (!Number.isInteger(critics) || critics < 1) {
    throw new RangeError(`initTrainState: critics must be an integer >= 1, got ${critics}`)
  }
  const [actorKey, ...criticKeys] = Rng.split(key, critics + 1) as [Rng.Key, ...Rng.Key[]]
  const actor = networks.initActor(actorKey)
  const online = criticKeys.map((k) => networks.initCritic(k))
  const state: TrainState = {
    actor,
    critics: online,
    targetActor: hardUpdate(actor),
    targetCritics: online.map(hardUpdate),
    actorOptimizer: initAdam(actor),
    criticOptimizers: online.map(initAdam),
    step: 0,
  }
  return state
}

/**
 * Every tensor of a state, once each (online, target and optimiser tensors).
 *
 * @example
 * ```ts
 * stateTensors(state).length // parameters × 4 for DDPG: online, target, Adam m and v
 * ```
 */
export const stateTensors = (state: TrainState): readonly tf.Tensor[] => {
  const records: Params[] = [
    state.actor,
    state.targetActor,
    state.actorOptimizer.m,
    state.actorOptimizer.v,
    ...state.critics,
    ...state.targetCritics,
    ...state.criticOptimizers.flatMap((o) => [o.m, o.v]),
  ]
  return [...new Set(records.flatMap((record) => Object.values(record)))]
}

/**
 * Frees the tensors of `previous` that `next` no longer holds, and nothing else: what an owner calls after replacing
 * a state by the result of an update (the `learn` operator does this for you).
 *
 * @example
 * ```ts
 * const { state: next } = updateCritic(networks, config)(state, batch, key)
 * disposeReplaced(state, next)
 * state = next
 * ```
 */
export const disposeReplaced = (previous: TrainState, next: TrainState): void => {
  const kept = new Set(stateTensors(next))
  for (const tensor of stateTensors(previous)) if (!kept.has(tensor)) tensor.dispose()
}

/**
 * Frees every tensor of a state.
 *
 * @example
 * ```ts
 * disposeTrainState(state)
 * ```
 */
export const disposeTrainState = (state: TrainState): void => {
  for (const tensor of stateTensors(state)) tensor.dispose()
}

/**
 * A deep copy of a state: new tensors with the same values, owned by the caller (for checkpoints, or to keep a state
 * that an operator will free).
 *
 * @example
 * ```ts
 * const kept = cloneTrainState(event.state) // survives the learner's next step
 * ```
 */
export const cloneTrainState = (state: TrainState): TrainState => {
  const cloneAdam = (o: AdamState): AdamState => ({ step: o.step, m: cloneParams(o.m), v: cloneParams(o.v) })
  return {
    actor: cloneParams(state.actor),
    critics: state.critics.map(cloneParams),
    targetActor: cloneParams(state.targetActor),
    targetCritics: state.targetCritics.map(cloneParams),
    actorOptimizer: cloneAdam(state.actorOptimizer),
    criticOptimizers: state.criticOptimizers.map(cloneAdam),
    step: state.step,
  }
}
