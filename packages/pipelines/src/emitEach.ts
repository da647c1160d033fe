/**
 * A synchronous one-to-many map.
 *
 * @module emitEach
 */
import { Observable, type OperatorFunction } from 'rxjs'

/**
 * Emits every value of `project(value)`, in order, for each source value: `concatMap` for a projection that returns
 * an array (or any iterable) at once, without an inner subscription per source value — on a training loop's hot
 * path, where most steps map to zero or one event. An error thrown by `project` errors the stream; an unsubscribe
 * between two emitted values stops the rest.
 *
 * @example
 * ```ts
 * of(1, 2, 3).pipe(emitEach((n) => (n % 2 === 1 ? [n, n * 10] : []))) // 1, 10, 3, 30
 * ```
 */
export const emitEach =
  <A, B>(project: (value: A) => Iterable<B>): OperatorFunction<A, B> =>
  (source) =>
    new Observable<B>((subscriber) =>
      source.subscribe({
        next: (value) => {
          let outputs: Iterable<B>
          try {
            outputs = project(value)
          } catch (error) {
            subscriber.error(error)
            return
          }
          for (const output of outputs) {
            if (subscriber.closed) return
            subscriber.next(output)
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    )
