/**
 * One environment step as stored in replay: `(s, a, r, s', terminated, truncated)`.
 *
 * `terminated` (the MDP ended: no bootstrap) and `truncated` (a time limit cut the episode: bootstrap from
 * `nextObservation`, which is the true final observation) are kept apart, as in Gymnasium; merging them into one
 * `done` flag biases the critic on time-limited tasks such as Pendulum.
 *
 * Arrays are typed (float32) and never mutated after construction.
 *
 * @module Transition
 */

/**
 * A single transition. Typed arrays are owned by the transition and never written after it is made.
 *
 * @example
 * ```ts
 * const t: Transition = makeTransition({ observation: [0, 1], action: [0.5], reward: -1, nextObservation: [0, 0.9],
 *   terminated: false, truncated: true }) // cut by a time limit: the target still bootstraps
 * ```
 */
export interface Transition {
  /** Observation `s_t`. */
  readonly observation: Float32Array
  /** Action `a_t` actually sent to the environment (after noise and clipping). */
  readonly action: Float32Array
  /** Reward `r_{t+1}`. */
  readonly reward: number
  /** Observation `s_{t+1}`; for a truncated episode the true final observation, never a reset observation. */
  readonly nextObservation: Float32Array
  /** The episode ended in a terminal state: the target does not bootstrap from `nextObservation`. */
  readonly terminated: boolean
  /** The episode was cut by a time limit: the target still bootstraps. */
  readonly truncated: boolean
}

const toF32 = (values: ArrayLike<number>): Float32Array => Float32Array.from(values)

/**
 * Builds a transition, copying the arrays into fresh float32 storage and checking sizes and values.
 *
 * @throws when observations differ in size, or a value is not finite
 *
 * @example
 * ```ts
 * const t = makeTransition({ observation: [0, 1], action: [0.5], reward: -1, nextObservation: [0, 0.9],
 *   terminated: false, truncated: false })
 * ```
 */
export const makeTransition = (fields: {
  readonly observation: ArrayLike<number>
  readonly action: ArrayLike<number>
  readonly reward: number
  readonly nextObservation: ArrayLike<number>
  readonly terminated: boolean
  readonly truncated: boolean
}): Transition => {
  const transition: Transition = {
    observation: toF32(fields.observation),
    action: toF32(fields.action),
    reward: fields.reward,
    nextObservation: toF32(fields.nextObservation),
    terminated: fields.terminated,
    truncated: fields.truncated,
  }
  if (transition.observation.length !== transition.nextObservation.length) {
    throw new RangeError(
      `Transition: observation has ${transition.observation.length} values but nextObservation has ${transition.nextObservation.length}`,
    )
  }
  if (!Number.isFinite(transition.reward))
    throw new RangeError(`Transition: reward must be finite, got ${fields.reward}`)
  for (const key of ['observation', 'action', 'nextObservation'] as const) {
    const index = transition[key].findIndex((v) => !Number.isFinite(v))
    if (index >= 0) throw new RangeError(`Transition: ${key}[${index}] must be finite, got ${transition[key][index]}`)
  }
  return transition
}
