/**
 * Learning from batches.
 *
 * @module learn
 */
import {
  disposeReplaced,
  disposeTrainState,
  type LearnerMetrics,
  type LearnerStep,
  type TrainState,
} from '@polyak/agents'
import { type Batch, Rng } from '@polyak/core'
import { Observable, type OperatorFunction } from 'rxjs'

/**
 * Options of {@link learn}.
 *
 * @example
 * ```ts
 * const actor = { current: undefined as Params | undefined }
 * const options: LearnOptions = {
 *   step: makeTd3Learner(networks, config),
 *   initial: () => initTrainState(networks, { critics: 2 }, Rng.key(0)),
 *   key: Rng.key(1),
 *   publish: (state) => { actor.current = state.actor },
 * }
 * ```
 */
export interface LearnOptions {
  /** The learner step, e.g. `makeTd3Learner(networks, config)`. */
  readonly step: LearnerStep
  /** Makes the state a subscription starts from; the operator owns it (and every later state) from then on. */
  readonly initial: () => TrainState
  /** Learner step `k` draws with `Rng.foldIn(key, k)` (k = the state's `step` before the update). */
  readonly key: Rng.Key
  /** Called with the initial state and with every new one, e.g. to hand the actor to the policy. Borrowed, like
   * {@link LearnEvent}'s state. */
  readonly publish?: (state: TrainState) => void
}

/**
 * What {@link learn} emits: after every update the new state and its metrics; when the batches complete, once more
 * the final state. The state is borrowed: it is valid until the next emission (clone what you keep, e.g. for a
 * checkpoint) and is freed when the subscription ends.
 *
 * @example
 * ```ts
 * learner$.subscribe((event) => { if (event.kind === 'update') console.log(event.metrics['losses/critic']) })
 * ```
 */
export type LearnEvent =
  | {
      readonly kind: 'update'
      readonly state: TrainState
      readonly metrics: LearnerMetrics
      /** The batch of this update (its `indices` pair with `metrics.tdErrors` for prioritized replay). */
      readonly batch: Batch
    }
  | { readonly kind: 'final'; readonly state: TrainState }

/**
 * The error {@link learn} stops with when an update reports a NaN or infinite metric (a diverged critic, a poisoned
 * batch). The update is discarded: the last good state is the one that was published last.
 *
 * @example
 * ```ts
 * learner$.subscribe({ error: (e) => { if (e instanceof NonFiniteMetricError) console.error(e.message) } })
 * ```
 */
export class NonFiniteMetricError extends Error {
  override readonly name = 'NonFiniteMetricError'
}

/**
 * The learner as an operator: a scan over the {@link TrainState} with a pure learner step, where the operator is the
 * single owner of the tensors. Each batch gives one step; the tensors the step replaced are freed at once
 * (`disposeReplaced`), and the last state is freed when the subscription ends (completion, error or unsubscribe).
 * A step whose metrics are not finite is discarded and ends the stream with a {@link NonFiniteMetricError}.
 *
 * @example
 * ```ts
 * batches$.pipe(learn({ step, initial: () => initTrainState(networks, { critics: 2 }, key), key }))
 * ```
 */
export const learn =
  (options: LearnOptions): OperatorFunction<Batch, LearnEvent> =>
  (batches$) =>
    new Observable<LearnEvent>((subscriber) => {
      let state = options.initial()
      options.publish?.(state)
      const subscription = batches$.subscribe({
        next: (batch) => {
          let result: ReturnType<LearnerStep>
          try {
            result = options.step(state, batch, Rng.foldIn(options.key, state.step))
          } catch (error) {
            subscriber.error(error)
            return
          }
          const bad = Object.entries(result.metrics).find(([, v]) => typeof v === 'number' && !Number.isFinite(v))
          if (bad !== undefined) {
            disposeReplaced(result.state, state) // free what the failed step made; keep the last good state
            subscriber.error(
              new NonFiniteMetricError(
                `learn: ${bad[0]} is ${bad[1]} at learner step ${state.step + 1}; training stopped and this update ` +
                  'was discarded (the last good state and checkpoints are kept)',
              ),
            )
            return
          }
          disposeReplaced(state, result.state)
          state = result.state
          options.publish?.(state)
          subscriber.next({ kind: 'update', state, metrics: result.metrics, batch })
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          subscriber.next({ kind: 'final', state })
          subscriber.complete()
        },
      })
      return () => {
        subscription.unsubscribe()
        disposeTrainState(state)
      }
    })
