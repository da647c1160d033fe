/**
 * A batch of random transitions for learner tests: 2-value observations, 1-value actions, all drawn from one key.
 */
import { type Batch, fromTransitions, makeTransition, Rng } from '@polyak/core'

/**
 * `size` transitions with observations, actions, rewards and next observations uniform in [−1, 1], drawn from
 * `Rng.key(seed)`; every `terminatedEvery`-th transition (from the first) is terminal when given.
 *
 * @example
 * ```ts
 * const batch = randomBatch(3, 16, { terminatedEvery: 5 }) // transitions 0, 5, 10, 15 terminated
 * ```
 */
export const randomBatch = (seed: number, size: number, options: { readonly terminatedEvery?: number } = {}): Batch => {
  const u = Rng.uniform(Rng.key(seed), size * 6, -1, 1)
  return fromTransitions(
    Array.from({ length: size }, (_, i) =>
      makeTransition({
        observation: u.subarray(6 * i, 6 * i + 2),
        action: [u[6 * i + 2] as number],
        reward: u[6 * i + 3] as number,
        nextObservation: u.subarray(6 * i + 4, 6 * i + 6),
        terminated: options.terminatedEvery !== undefined && i % options.terminatedEvery === 0,
        truncated: false,
      }),
    ),
  )
}
