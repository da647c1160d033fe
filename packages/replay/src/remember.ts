import {
  type Batch,
  decodeOrThrow,
  NonNegativeInt,
  NonNegativeNumber,
  PositiveInt,
  PositiveNumber,
  Rng,
  strictObject,
  type Transition,
  UnitInterval,
} from '@polyak/core'
import * as t from 'io-ts'
import { Observable, type OperatorFunction, Subscription } from 'rxjs'
import { linearSchedule } from './linearSchedule.js'
import { addWithMaxPriority, makePrioritizedState, samplePrioritized, updatePriorities } from './PrioritizedSampler.js'
import { copySnapshot, type ReplaySnapshot } from './ReplaySnapshot.js'
import { add, gather, makeStorage, type NStepTransition, type ReplayStorage, size } from './ReplayStorage.js'
import { uniformSampler } from './uniformSampler.js'

const KeyCodec = new t.Type<Rng.Key, Rng.Key, unknown>(
  'RngKey',
  (u): u is Rng.Key =>
    typeof u === 'object' &&
    u !== null &&
    (u as { _tag?: unknown })._tag === 'RngKey' &&
    Array.isArray((u as { words?: unknown }).words),
  (u, c) =>
    typeof u === 'object' && u !== null && (u as { _tag?: unknown })._tag === 'RngKey'
      ? t.success(u as Rng.Key)
      : t.failure(u, c, 'expected an Rng key (Rng.key(seed))'),
  t.identity,
)

/**
 * io-ts codec of the prioritized sampler settings (Schaul et al., 2016): exponent α, initial IS exponent β₀ annealed
 * linearly to 1 over `betaSteps` gradient steps, and ε added to |δ|.
 *
 * @example
 * ```ts
 * PrioritizedConfig.is({ alpha: 0.6, beta0: 0.4, betaSteps: 100_000, epsilon: 1e-6 }) // true
 * ```
 */
export const PrioritizedConfig = strictObject('PrioritizedConfig', {
  alpha: NonNegativeNumber,
  beta0: UnitInterval,
  betaSteps: NonNegativeInt,
  epsilon: NonNegativeNumber,
})

/**
 * io-ts codec of the {@link remember} configuration.
 *
 * @remarks
 * `replayRatio` is gradient steps per environment step (0.25: one batch every 4 steps; 2: two batches per step).
 *
 * @example
 * ```ts
 * const config = decodeOrThrow(RememberConfig, { capacity: 1e6, batchSize: 256, warmupSteps: 10_000,
 *   replayRatio: 1, sampler: 'uniform', key: Rng.key(0) })
 * ```
 */
export const RememberConfig = strictObject('RememberConfig', {
  capacity: PositiveInt,
  batchSize: PositiveInt,
  warmupSteps: NonNegativeInt,
  replayRatio: PositiveNumber,
  sampler: t.union([t.literal('uniform'), strictObject('PrioritizedSampler', { prioritized: PrioritizedConfig })]),
  key: KeyCodec,
})

/**
 * A validated {@link RememberConfig}.
 *
 * @example
 * ```ts
 * const config: RememberConfig = decodeOrThrow(RememberConfig, input)
 * ```
 */
export type RememberConfig = t.TypeOf<typeof RememberConfig>

/**
 * Priority feedback from the learner: the `indices` of a batch and their TD errors δ.
 *
 * @example
 * ```ts
 * const update: PriorityUpdate = { indices: batch.indices!, tdErrors }
 * ```
 */
export interface PriorityUpdate {
  readonly indices: Int32Array
  readonly tdErrors: Float32Array
}

/**
 * Options of {@link remember}: the channels between the memory and the rest of a training loop.
 *
 * @example
 * ```ts
 * const options: RememberOptions = { priorityUpdates$, initial: await loadReplay('runs/a/replay') }
 * ```
 */
export interface RememberOptions {
  /** TD errors from the learner; they set the priorities of prioritized replay (ignored by uniform replay). */
  readonly priorityUpdates$?: Observable<PriorityUpdate>
  /**
   * A memory to start from (from `loadReplay`, to resume): each subscription starts from its own copy of it. Its
   * capacity, and for prioritized replay α and ε, must match the config.
   */
  readonly initial?: ReplaySnapshot
  /**
   * Each emitted function is called at once with a copy of the memory as it is then ({@link ReplaySnapshot}; `undefined`
   * before the first transition), e.g. to save it with `saveReplay` at a checkpoint.
   */
  readonly snapshotRequests$?: Observable<(snapshot: ReplaySnapshot | undefined) => void>
}

const checkInitial = (
  initial: ReplaySnapshot,
  capacity: number,
  prioritized: { readonly alpha: number; readonly epsilon: number } | undefined,
): void => {
  const problems = [
    initial.storage.capacity === capacity ? '' : `capacity ${initial.storage.capacity}, the config says ${capacity}`,
    prioritized === undefined || initial.prioritized !== undefined ? '' : 'no priorities, the config is prioritized',
    prioritized === undefined ||
    initial.prioritized === undefined ||
    (initial.prioritized.alpha === prioritized.alpha && initial.prioritized.epsilon === prioritized.epsilon)
      ? ''
      : `alpha ${initial.prioritized?.alpha} and epsilon ${initial.prioritized?.epsilon}, the config says ` +
        `${prioritized.alpha} and ${prioritized.epsilon}`,
  ].filter((problem) => problem !== '')
  if (problems.length > 0) throw new RangeError(`remember: the initial memory does not fit: ${problems.join('; ')}`)
}

/**
 * Replay memory as an RxJS operator: stores each incoming transition, then, once more than `warmupSteps`
 * transitions have been stored, emits `replayRatio` batches per transition on average.
 *
 * @remarks
 * Semantics follow CleanRL / Stable-Baselines3: store first, then sample. A fractional ratio accumulates credit
 * (batches emitted after s post-warm-up steps = ⌊s·replayRatio⌋). Batch `j` is sampled with `Rng.foldIn(key, j)`.
 * The storage (and the sum tree for prioritized replay, Schaul et al. 2016) is created per subscription (cold),
 * sized from the first transition or copied from `options.initial`; n-step transitions (with a `discount`) give
 * batches with `discounts`. `options.priorityUpdates$` and `options.snapshotRequests$` are subscribed inside each
 * subscription. Teardown unsubscribes them and drops the storage. Resuming from a snapshot taken after `s`
 * transitions and `j` batches continues exactly as the uninterrupted memory would.
 *
 * @throws ConfigError (synchronously) when the config is invalid; RangeError when `options.initial` does not fit it.
 *
 * @example
 * ```ts
 * transitions$.pipe(
 *   remember({ capacity: 1_000_000, batchSize: 256, warmupSteps: 10_000, replayRatio: 1, sampler: 'uniform',
 *     key: Rng.key(0) }),
 * )
 * ```
 */
export const remember = (
  config: t.OutputOf<typeof RememberConfig>,
  options: RememberOptions = {},
): OperatorFunction<Transition | NStepTransition, Batch> => {
  const { capacity, batchSize, warmupSteps, replayRatio, sampler, key } = decodeOrThrow(
    RememberConfig,
    config,
    'remember config',
  )
  const prioritized = sampler === 'uniform' ? undefined : sampler.prioritized
  const beta = prioritized === undefined ? undefined : linearSchedule(prioritized.beta0, 1, prioritized.betaSteps)
  const { priorityUpdates$, initial, snapshotRequests$ } = options
  if (initial !== undefined) checkInitial(initial, capacity, prioritized)
  return (source) =>
    new Observable<Batch>((subscriber) => {
      const start = initial === undefined ? undefined : copySnapshot(initial)
      let storage: ReplayStorage | undefined = start?.storage
      const per =
        prioritized === undefined
          ? undefined
          : (start?.prioritized ??
            makePrioritizedState({ capacity, alpha: prioritized.alpha, epsilon: prioritized.epsilon }))
      let stored = start?.stored ?? 0
      let batches = start?.batches ?? 0
      const channels = new Subscription()
      const fail = (error: unknown) => subscriber.error(error)
      channels.add(
        priorityUpdates$?.subscribe({
          next: ({ indices, tdErrors }) => {
            if (per !== undefined) updatePriorities(per, indices, tdErrors)
          },
          error: fail,
        }),
      )
      channels.add(
        snapshotRequests$?.subscribe({
          next: (respond) =>
            respond(
              storage === undefined
                ? undefined
                : copySnapshot({ storage, ...(per === undefined ? {} : { prioritized: per }), stored, batches }),
            ),
          error: fail,
        }),
      )
      if (subscriber.closed) return () => channels.unsubscribe()
      const inner = source.subscribe({
        next: (transition) => {
          try {
            if (storage === undefined) {
              storage = makeStorage({
                capacity,
                observationSize: transition.observation.length,
                actionSize: transition.action.length,
                nStepDiscounts: typeof (transition as Partial<NStepTransition>).discount === 'number',
              })
            }
            const row = add(storage, transition)
            if (per !== undefined) addWithMaxPriority(per, row)
            stored += 1
            if (stored <= warmupSteps) return
            const due = Math.floor((stored - warmupSteps) * replayRatio + 1e-9)
            while (batches < due && !subscriber.closed) {
              const batchKey = Rng.foldIn(key, batches)
              batches += 1
              if (per === undefined || beta === undefined) {
                subscriber.next(gather(storage, uniformSampler(batchKey, size(storage), batchSize)))
              } else {
                const { indices, weights } = samplePrioritized(per, batchKey, batchSize, beta(batches - 1))
                subscriber.next({ ...gather(storage, indices), weights })
              }
            }
          } catch (error) {
            subscriber.error(error)
          }
        },
        error: fail,
        complete: () => subscriber.complete(),
      })
      return () => {
        inner.unsubscribe()
        channels.unsubscribe()
        storage = undefined
      }
    })
}
