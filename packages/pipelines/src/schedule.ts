/**
 * Work scheduled at episode ends by absolute step counts (evaluations, checkpoints).
 *
 * @module schedule
 */
import { defer, filter, type OperatorFunction } from 'rxjs'
import type { EnvStep } from './EnvStep.js'
import { emitEach } from './emitEach.js'

/**
 * The first multiple of `every` strictly after `t` (`Infinity` for `every = 0`: never).
 *
 * @example
 * ```ts
 * nextMultiple(2_000, 3_000) // 3000
 * nextMultiple(3_000, 3_000) // 6000
 * ```
 */
export const nextMultiple = (t: number, every: number): number =>
  every > 0 ? (Math.floor(t / every) + 1) * every : Number.POSITIVE_INFINITY

/**
 * A task of {@link schedule}: every `every` steps, the events `run` makes at the episode end where that many steps
 * are reached (`at` is the number of steps done, `s.t + 1`).
 *
 * @example
 * ```ts
 * const evaluation: ScheduledTask<string> = { every: 5_000, run: (step, at) => [`evaluate at ${at}`] }
 * ```
 */
export interface ScheduledTask<E> {
  /** Steps between two runs (0: never). */
  readonly every: number
  readonly run: (step: EnvStep, at: number) => readonly E[]
}

/**
 * Runs each task at the first episode end at or after every multiple of its `every` (in env steps, counted from
 * the run's step 0, not from `start`), in the order given. Because the schedule is absolute, a run resumed at step
 * `start` (an episode end) makes exactly the events the uninterrupted run makes after `start`. Each subscription
 * keeps its own schedule.
 *
 * @example
 * ```ts
 * steps$.pipe(
 *   schedule(resumeAt, [
 *     { every: config.evalEvery, run: (_, at) => [evaluation(at)] },
 *     { every: config.checkpointEvery, run: (s, at) => [snapshotEventAt(s, at)] },
 *   ]),
 * )
 * ```
 */
export const schedule =
  <E>(start: number, tasks: readonly ScheduledTask<E>[]): OperatorFunction<EnvStep, E> =>
  (steps$) =>
    defer(() => {
      const next = tasks.map((task) => nextMultiple(start, task.every))
      return steps$.pipe(
        filter((step) => step.episodeEnd !== undefined), // no inner subscription for the other steps
        emitEach((step): E[] => {
          const at = step.t + 1
          return tasks.flatMap((task, i) => {
            if (at < (next[i] as number)) return []
            next[i] = nextMultiple(at, task.every)
            return task.run(step, at)
          })
        }),
      )
    })
