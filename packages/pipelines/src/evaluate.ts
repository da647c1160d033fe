/**
 * Evaluation as an operator.
 *
 * @module evaluate
 */
import type { Env } from '@polyak/envs'
import { map, type OperatorFunction } from 'rxjs'
import { type Evaluation, evaluatePolicy } from './evaluatePolicy.js'

/**
 * Evaluates the current deterministic policy on every value that comes in (a trigger: compose with `everyN`, or a
 * filter on episode ends): `episodes` whole episodes on a fresh env, no exploration noise, start states from
 * `episodeSeed(seed, e)` so every evaluation sees the same ones. `policy` is read at each evaluation, so it acts
 * with the latest parameters. Synchronous: the evaluation runs inside the trigger's emission.
 *
 * @example
 * ```ts
 * learner$.pipe(everyN(5_000), evaluate({ makeEnv: () => makeEnv('Pendulum-v1'), policy, episodes: 10, seed: 7 }))
 * ```
 */
export const evaluate = <T>(options: {
  readonly makeEnv: () => Env
  readonly policy: (observation: Float32Array) => ArrayLike<number>
  readonly episodes: number
  readonly seed: number
}): OperatorFunction<T, Evaluation> => map(() => evaluatePolicy(options))
