/**
 * What a training run emits.
 *
 * @module events
 */
import type { LearnerMetrics } from '@polyak/agents'
import type { ExperimentSnapshot } from './ExperimentSnapshot.js'

/**
 * What a run emits. Metric keys follow CleanRL's namespaces. `checkpoint` and `final` events hand over a snapshot
 * that the receiver owns (save it, then `disposeExperimentSnapshot`).
 *
 * @example
 * ```ts
 * runExperiment(config).subscribe((event) => {
 *   if (event.type === 'episode') console.log(event.t, event.return)
 * })
 * ```
 */
export type ExperimentEvent =
  | {
      readonly type: 'episode'
      readonly t: number
      readonly episode: number
      readonly return: number
      readonly length: number
    }
  | { readonly type: 'update'; readonly t: number; readonly learnerStep: number; readonly metrics: LearnerMetrics }
  | {
      readonly type: 'evaluation'
      readonly t: number
      readonly meanReturn: number
      readonly returns: readonly number[]
    }
  | { readonly type: 'checkpoint'; readonly t: number; readonly snapshot: ExperimentSnapshot }
  | { readonly type: 'final'; readonly t: number; readonly snapshot: ExperimentSnapshot }
