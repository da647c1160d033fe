import type { Transition } from '@polyak/core'
import { defer, mergeMap, type OperatorFunction } from 'rxjs'
import { makeNStepAccumulators, type NStepOptions } from './nStep.js'
import type { NStepTransition } from './ReplayStorage.js'

/**
 * A transition tagged with the index of the environment (of a vectorised set) that produced it; untagged transitions
 * count as environment 0.
 *
 * @example
 * ```ts
 * const tagged: EnvTransition = { ...transition, envIndex: 3 }
 * ```
 */
export type EnvTransition = Transition & { readonly envIndex?: number }

/**
 * n-step returns as an RxJS operator: turns a stream of 1-step transitions into n-step transitions
 * (`reward = Σ_{k<m} γᵏ r_{t+k+1}`, `discount = γᵐ`), ready for {@link remember}.
 *
 * @remarks
 * One window per `envIndex`, so vectorised environments never mix; a window is emitted once it holds n transitions,
 * and every pending (shorter) window of an environment is flushed when its episode terminates or is truncated, so
 * windows never cross episodes (see {@link nStepStep}). Windows still open when the source completes are dropped
 * (their episodes had not ended). Cold: each subscription has its own windows. D4PG (Barth-Maron et al., 2018).
 *
 * @throws RangeError (synchronously) when `n` is not an integer >= 1 or `gamma` is outside [0, 1].
 *
 * @example
 * ```ts
 * steps$.pipe(accumulateNSteps({ n: 5, gamma: 0.99 }), remember(config))
 * ```
 */
export const accumulateNSteps = (options: NStepOptions): OperatorFunction<EnvTransition, NStepTransition> => {
  makeNStepAccumulators(options) // validates the options now, not at subscription
  return (source) =>
    defer(() => {
      const accumulators = makeNStepAccumulators(options)
      return source.pipe(
        mergeMap(({ envIndex, ...transition }: EnvTransition) => accumulators.push(envIndex ?? 0, transition)),
      )
    })
}
