/**
 * A run's events as CleanRL-style metric records.
 *
 * @module logMetrics
 */
import type { LearnerMetrics } from '@polyak/agents'
import { Observable, type OperatorFunction } from 'rxjs'
import type { ExperimentEvent } from './events.js'

/**
 * One metrics record (one line of a `metrics.jsonl`): the environment step and namespaced values.
 *
 * @example
 * ```ts
 * const record: MetricsRecord = { step: 200, 'charts/episodic_return': -1234.5, 'charts/episodic_length': 200 }
 * ```
 */
export interface MetricsRecord {
  readonly step: number
  readonly [key: string]: unknown
}

/**
 * Averages learner metrics over blocks of learner steps: `add` returns a record with the means once the learner step
 * is a multiple of `every`; `flush` returns (and resets) what is pending.
 *
 * @example
 * ```ts
 * const losses = averageLosses(100)
 * const record = losses.add(t + 1, learnerStep, metrics) // every 100th learner step: the means of the last 100
 * ```
 */
export const averageLosses = (every: number) => {
  let sums: Record<string, { sum: number; count: number }> = {}
  let updates = 0
  let last = { step: 0, learnerStep: 0 }
  const flush = (): MetricsRecord | undefined => {
    if (updates === 0) return undefined
    const means = Object.fromEntries(Object.entries(sums).map(([key, { sum, count }]) => [key, sum / count]))
    const record: MetricsRecord = { step: last.step, learner_step: last.learnerStep, updates, ...means }
    sums = {}
    updates = 0
    return record
  }
  return {
    add: (step: number, learnerStep: number, metrics: LearnerMetrics): MetricsRecord | undefined => {
      for (const [key, value] of Object.entries(metrics)) {
        if (typeof value !== 'number') continue
        const entry = sums[key] ?? { sum: 0, count: 0 }
        entry.sum += value
        entry.count += 1
        sums[key] = entry
      }
      updates += 1
      last = { step, learnerStep }
      return learnerStep % every === 0 ? flush() : undefined
    },
    flush,
  }
}

/**
 * Writes a record for what happens in a run and passes every event on unchanged: `charts/episodic_return` and
 * `charts/episodic_length` per episode (at step t + 1), the means of the learner's `losses/*` and `values/*` over
 * every `lossEvery` learner steps (and what is pending at each checkpoint and at the end, so a resumed run cuts its
 * loss lines at the same steps), and `eval/mean_return` (with `eval/returns`) per evaluation (once per step: the
 * periodic evaluation at the last step and the final one are the same). Metric names follow
 * CleanRL's namespaces.
 *
 * @example
 * ```ts
 * runExperiment(config).pipe(logMetrics((record) => appendFileSync('metrics.jsonl', `${JSON.stringify(record)}\n`)))
 * ```
 */
export const logMetrics =
  <E extends { readonly type: string }>(
    write: (record: MetricsRecord) => void,
    options: { readonly lossEvery?: number } = {},
  ): OperatorFunction<E, E> =>
  (events$) =>
    new Observable<E>((subscriber) => {
      const losses = averageLosses(options.lossEvery ?? 100)
      let lastEvaluation: number | undefined
      const flush = () => {
        const record = losses.flush()
        if (record !== undefined) write(record)
      }
      return events$.subscribe({
        next: (value) => {
          const event = value as unknown as ExperimentEvent
          if (event.type === 'episode') {
            write({
              step: event.t + 1,
              episode: event.episode,
              'charts/episodic_return': event.return,
              'charts/episodic_length': event.length,
            })
          } else if (event.type === 'update') {
            const record = losses.add(event.t + 1, event.learnerStep, event.metrics)
            if (record !== undefined) write(record)
          } else if (event.type === 'evaluation' && event.t !== lastEvaluation) {
            // a periodic evaluation at the last step and the final one evaluate the same actor: one record
            write({ step: event.t, 'eval/mean_return': event.meanReturn, 'eval/returns': event.returns })
            lastEvaluation = event.t
          } else if (event.type === 'checkpoint' || event.type === 'final') {
            flush()
          }
          subscriber.next(value)
        },
        error: (error: unknown) => {
          flush()
          subscriber.error(error)
        },
        complete: () => {
          flush()
          subscriber.complete()
        },
      })
    })
