/**
 * The typed-array columns a chunk of env steps travels in from an actor (a worker thread or a Redis actor process) to
 * the learner: {@link encodeSteps} writes them on the actor's side, {@link chunkTransition} reads one step back on
 * the learner's. Internal: both actor protocols embed {@link StepColumns}.
 *
 * @module actors/chunkCodec
 */
import type { Transition } from '@polyak/core'
import type { EnvStep } from '../EnvStep.js'

/**
 * `count` consecutive env steps as columns. `flags` bit 0 is `terminated`, bit 1 `truncated`; `episodes` is the
 * actor's own episode index of each step; `ends` lists the steps that ended an episode.
 *
 * @example
 * ```ts
 * const columns: StepColumns = encodeSteps(steps, 3, 1)
 * ```
 */
export interface StepColumns {
  readonly count: number
  readonly observations: Float32Array
  readonly actions: Float32Array
  readonly rewards: Float64Array
  readonly nextObservations: Float32Array
  readonly flags: Uint8Array
  readonly episodes: Int32Array
  readonly ends: readonly { readonly index: number; readonly return: number; readonly length: number }[]
}

/**
 * The steps of a chunk as fresh columns (each in its own buffer, so they can be transferred).
 *
 * @example
 * ```ts
 * const columns = encodeSteps(buffer, network.observationSize, network.actionSize)
 * ```
 */
export const encodeSteps = (steps: readonly EnvStep[], observationSize: number, actionSize: number): StepColumns => {
  const o = observationSize
  const count = steps.length
  const columns = {
    count,
    observations: new Float32Array(count * o),
    actions: new Float32Array(count * actionSize),
    rewards: new Float64Array(count),
    nextObservations: new Float32Array(count * o),
    flags: new Uint8Array(count),
    episodes: new Int32Array(count),
    ends: [] as { index: number; return: number; length: number }[],
  }
  steps.forEach((step, i) => {
    const { transition } = step
    columns.observations.set(transition.observation, i * o)
    columns.actions.set(transition.action, i * actionSize)
    columns.nextObservations.set(transition.nextObservation, i * o)
    columns.rewards[i] = transition.reward
    columns.flags[i] = (transition.terminated ? 1 : 0) | (transition.truncated ? 2 : 0)
    columns.episodes[i] = step.episode
    if (step.episodeEnd !== undefined) columns.ends.push({ index: i, ...step.episodeEnd })
  })
  return columns
}

/**
 * The buffers of a chunk's typed-array columns (a `postMessage` transfer list).
 *
 * @example
 * ```ts
 * port.postMessage(message, columnBuffers(message))
 * ```
 */
export const columnBuffers = (columns: StepColumns): ArrayBuffer[] => {
  const { observations, actions, rewards, nextObservations, flags, episodes } = columns
  return [observations, actions, rewards, nextObservations, flags, episodes].map(
    (column) => column.buffer as ArrayBuffer,
  )
}

/**
 * Step `i` of a chunk as a transition (views into the columns, not copies).
 *
 * @example
 * ```ts
 * const transition = chunkTransition(columns, 0, 3, 1)
 * ```
 */
export const chunkTransition = (
  columns: StepColumns,
  i: number,
  observationSize: number,
  actionSize: number,
): Transition => {
  const o = observationSize
  const a = actionSize
  const flags = columns.flags[i] as number
  return {
    observation: columns.observations.subarray(i * o, (i + 1) * o),
    action: columns.actions.subarray(i * a, (i + 1) * a),
    reward: columns.rewards[i] as number,
    nextObservation: columns.nextObservations.subarray(i * o, (i + 1) * o),
    terminated: (flags & 1) !== 0,
    truncated: (flags & 2) !== 0,
  }
}
