/**
 * The clock of a run.
 *
 * @module timeSlicedTicks
 */
import { Observable } from 'rxjs'

/** The next macrotask after pending I/O: `setImmediate` in Node, `setTimeout(0)` elsewhere. */
const later = (callback: () => void): (() => void) => {
  if (typeof globalThis.setImmediate === 'function') {
    const handle = globalThis.setImmediate(callback)
    return () => globalThis.clearImmediate(handle)
  }
  const handle = setTimeout(callback, 0)
  return () => clearTimeout(handle)
}

/**
 * Emits `start, start + 1, …, end − 1` synchronously in time slices of about `sliceMs` milliseconds, yielding to the
 * event loop (one macrotask, after pending I/O) between slices. A long synchronous run thus never starves the event
 * loop: file writes of checkpoints, Ctrl-C handlers and timers run every slice, however slow a step is, and an
 * unsubscribe takes effect at the next step. The values do not depend on the timing, only their grouping does.
 *
 * @example
 * ```ts
 * timeSlicedTicks(0, 10_000).pipe(rollout(options)).subscribe()
 * ```
 */
export const timeSlicedTicks = (start: number, end: number, sliceMs = 20): Observable<number> =>
  new Observable<number>((subscriber) => {
    let t = start
    let cancel: (() => void) | undefined
    const slice = (): void => {
      cancel = undefined
      const deadline = performance.now() + sliceMs
      while (t < end && !subscriber.closed) {
        subscriber.next(t)
        t += 1
        if (performance.now() >= deadline) break
      }
      if (subscriber.closed) return
      if (t >= end) subscriber.complete()
      else cancel = later(slice)
    }
    cancel = later(slice)
    return () => cancel?.()
  })
