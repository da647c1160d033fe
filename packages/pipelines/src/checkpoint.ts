/**
 * Writing snapshots while a run goes on.
 *
 * @module checkpoint
 */
import { Observable, type OperatorFunction } from 'rxjs'
import { disposeExperimentSnapshot, type ExperimentSnapshot } from './ExperimentSnapshot.js'
import type { ExperimentEvent } from './events.js'

/**
 * The events of a run that carry a snapshot (owned by whoever receives them).
 *
 * @example
 * ```ts
 * const isSnapshot = (e: ExperimentEvent): e is SnapshotEvent => e.type === 'checkpoint' || e.type === 'final'
 * ```
 */
export type SnapshotEvent = Extract<ExperimentEvent, { readonly type: 'checkpoint' | 'final' }>

/**
 * What {@link checkpoint} emits once a snapshot is written: the event it came from (its snapshot already freed).
 *
 * @example
 * ```ts
 * const saved: SavedEvent = { type: 'saved', of: 'checkpoint', t: 5_000, episode: 25 }
 * ```
 */
export interface SavedEvent {
  readonly type: 'saved'
  readonly of: SnapshotEvent['type']
  readonly t: number
  /** The snapshot's next episode. */
  readonly episode: number
}

/**
 * Writes the snapshots of `checkpoint` and `final` events with `save` (e.g. `saveExperiment`), one after the other,
 * while the run goes on, and frees each snapshot once written (or when dropped). Every event passes through at once,
 * in order (a snapshot event passes through without its snapshot being usable afterwards: read it in `save`), and a
 * {@link SavedEvent} follows each finished write. When the run completes or fails, the writes already queued finish
 * first, so the last good checkpoint reaches the disk before the error arrives. A failed write ends the stream with
 * its error and unsubscribes the run. Unsubscribing drops queued writes (their snapshots are freed); a write in
 * progress is allowed to finish.
 *
 * @example
 * ```ts
 * runExperiment(config).pipe(checkpoint((snapshot, event) => saveExperiment(`runs/a/${event.type}`, snapshot)))
 * ```
 */
export const checkpoint =
  (
    save: (snapshot: ExperimentSnapshot, event: SnapshotEvent) => Promise<unknown>,
  ): OperatorFunction<ExperimentEvent, ExperimentEvent | SavedEvent> =>
  (events$) =>
    new Observable<ExperimentEvent | SavedEvent>((subscriber) => {
      const queue: SnapshotEvent[] = []
      let writing = false
      let ended: { readonly error?: unknown } | undefined
      const settle = (): void => {
        if (writing || queue.length > 0 || ended === undefined || subscriber.closed) return
        if ('error' in ended) subscriber.error(ended.error)
        else subscriber.complete()
      }
      const next = (): void => {
        const event = queue.shift()
        if (event === undefined || subscriber.closed) {
          settle()
          return
        }
        writing = true
        save(event.snapshot, event).then(
          () => {
            writing = false
            const { episode } = event.snapshot
            disposeExperimentSnapshot(event.snapshot)
            if (!subscriber.closed) subscriber.next({ type: 'saved', of: event.type, t: event.t, episode })
            next()
          },
          (error: unknown) => {
            writing = false
            disposeExperimentSnapshot(event.snapshot)
            for (const dropped of queue.splice(0)) disposeExperimentSnapshot(dropped.snapshot)
            subscriber.error(error)
          },
        )
      }
      const subscription = events$.subscribe({
        next: (event) => {
          subscriber.next(event)
          if (event.type !== 'checkpoint' && event.type !== 'final') return
          queue.push(event)
          if (!writing) next()
        },
        error: (error: unknown) => {
          ended = { error }
          settle()
        },
        complete: () => {
          ended = {}
          settle()
        },
      })
      return () => {
        subscription.unsubscribe()
        for (const dropped of queue.splice(0)) disposeExperimentSnapshot(dropped.snapshot)
      }
    })
