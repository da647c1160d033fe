/**
 * The training curves of the live view, from the trainer's `metrics.jsonl` records (CleanRL's keys): the return of
 * each training episode, the mean return of each evaluation and the critic loss, each against the environment step.
 *
 * @module metrics
 */

/** A point of a curve: environment step and value. */
export type Point = readonly [step: number, value: number]

/** The curves the live view plots. */
export interface Curves {
  /** `charts/episodic_return` per training episode. */
  readonly episodeReturn: readonly Point[]
  /** `eval/mean_return` per evaluation. */
  readonly evalReturn: readonly Point[]
  /** `losses/critic` (the mean over 100 learner steps). */
  readonly criticLoss: readonly Point[]
}

/** No points yet. */
export const EMPTY_CURVES: Curves = { episodeReturn: [], evalReturn: [], criticLoss: [] }

const KEYS = [
  ['episodeReturn', 'charts/episodic_return'],
  ['evalReturn', 'eval/mean_return'],
  ['criticLoss', 'losses/critic'],
] as const

/**
 * The curves with one more `metrics.jsonl` line; a line that is not a JSON object with a finite `step` (a partial
 * line, a blank) leaves them as they are.
 *
 * @example
 * ```ts
 * addMetricsLine(EMPTY_CURVES, '{"step":200,"charts/episodic_return":-1200}').episodeReturn // [[200, -1200]]
 * ```
 */
export const addMetricsLine = (curves: Curves, line: string): Curves => {
  let record: unknown
  try {
    record = JSON.parse(line)
  } catch {
    return curves
  }
  if (typeof record !== 'object' || record === null) return curves
  const fields = record as Record<string, unknown>
  const step = fields.step
  if (typeof step !== 'number' || !Number.isFinite(step)) return curves
  let next = curves
  for (const [curve, key] of KEYS) {
    const value = fields[key]
    if (typeof value === 'number' && Number.isFinite(value))
      next = { ...next, [curve]: [...next[curve], [step, value]] }
  }
  return next
}
