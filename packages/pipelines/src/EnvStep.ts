/**
 * What the `rollout` operator emits for every environment step.
 *
 * @module EnvStep
 */
import type { Transition } from '@polyak/core'
import type { EpisodeStatistics } from '@polyak/envs'

/**
 * One environment step: the global step `t`, which environment, the transition to remember (with the true final
 * observation as `nextObservation` when the episode was truncated), and, on the step that ended an episode, that
 * episode's statistics and index.
 *
 * @example
 * ```ts
 * const step: EnvStep = { t: 0, envIndex: 0, episode: 0, transition }
 * ```
 */
export interface EnvStep {
  readonly t: number
  readonly envIndex: number
  /** The index of the episode this step belongs to (counted from 0 over the whole run). */
  readonly episode: number
  readonly transition: Transition
  /** Set on the step that ended the episode (terminated or truncated). */
  readonly episodeEnd?: EpisodeStatistics
}
