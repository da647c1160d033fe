/**
 * Which actors (worker threads, child processes) are still alive: an explicit object a caller makes and passes to
 * `workerActors` / `redisActors` (option `live`), instead of a process-wide registry, so two runs in one process
 * never see each other's actors.
 *
 * @module actors/live
 */

/**
 * The actors started with this object that have not exited yet (a thread or process is counted until its `exit`
 * event).
 *
 * @example
 * ```ts
 * const live = liveActors()
 * const subscription = workerActors({ ...options, live }).subscribe()
 * subscription.unsubscribe() // a moment later: live.count() === 0
 * ```
 */
export interface LiveActors {
  /** How many started actors have not exited yet. */
  count(): number
  /** The process ids of those that are processes (Redis actors spawned here; worker threads have none). */
  pids(): number[]
  /** Records a started actor (`pid`: its process id, if it is a process); call the returned function on its exit. */
  started(pid?: number): () => void
}

/**
 * An empty {@link LiveActors}.
 *
 * @example
 * ```ts
 * const live = liveActors()
 * live.count() // 0
 * ```
 */
export const liveActors = (): LiveActors => {
  const alive = new Map<symbol, number | undefined>()
  return {
    count: () => alive.size,
    pids: () => [...alive.values()].flatMap((pid) => (pid === undefined ? [] : [pid])),
    started: (pid) => {
      const id = Symbol('actor')
      alive.set(id, pid)
      return () => {
        alive.delete(id)
      }
    },
  }
}
