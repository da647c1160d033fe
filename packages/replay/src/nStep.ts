import type { Transition } from '@polyak/core'
import type { NStepTransition } from './ReplayStorage.js'

/**
 * Folds a window of consecutive transitions of one episode, starting at time t, into one n-step transition.
 *
 * @remarks
 * With m the window length (cut at the first `terminated`/`truncated` transition):
 * reward R = Σ_{k<m} γᵏ r_{t+k+1}, discount γᵐ (bootstrap multiplier), nextObservation s_{t+m}; `terminated` and
 * `truncated` come from the last transition kept (a terminated target does not bootstrap; a truncated one bootstraps
 * from the true final observation). Sutton & Barto (2018, §7.1); D4PG (Barth-Maron et al., 2018).
 *
 * @throws RangeError on an empty window.
 *
 * @example
 * ```ts
 * const t = nStepReturns([t0, t1, t2], 0.99)
 * // t.reward = r1 + 0.99 r2 + 0.99² r3, t.discount = 0.99³, t.nextObservation = t2.nextObservation
 * ```
 */
export const nStepReturns = (window: readonly Transition[], gamma: number): NStepTransition => {
  const first = window[0]
  if (first === undefined) throw new RangeError('nStepReturns: empty window')
  let reward = 0
  let discount = 1
  let last = first
  for (const transition of window) {
    reward += discount * transition.reward
    discount *= gamma
    last = transition
    if (transition.terminated || transition.truncated) break
  }
  return {
    observation: first.observation,
    action: first.action,
    reward,
    nextObservation: last.nextObservation,
    terminated: last.terminated,
    truncated: last.truncated,
    discount,
  }
}

/**
 * Options of {@link makeNStepAccumulator}.
 *
 * @example
 * ```ts
 * const options: NStepOptions = { n: 3, gamma: 0.99 }
 * ```
 */
export interface NStepOptions {
  readonly n: number
  readonly gamma: number
}

/**
 * A streaming n-step accumulator for one environment.
 *
 * @example
 * ```ts
 * const acc = makeNStepAccumulator({ n: 3, gamma: 0.99 })
 * const ready: readonly NStepTransition[] = acc.push(transition)
 * ```
 */
export interface NStepAccumulator {
  readonly push: (transition: Transition) => readonly NStepTransition[]
}

/**
 * The pure step behind {@link makeNStepAccumulator}: given the pending window and a new transition, returns the new
 * pending window and the n-step transitions that are complete.
 *
 * @remarks
 * A full window of n emits one transition and slides by one. When the new transition ends the episode (terminated or
 * truncated) every pending start is flushed with its shorter window and the pending window is emptied, so windows
 * never cross episodes.
 *
 * @example
 * ```ts
 * const { pending, emitted } = nStepStep({ n: 3, gamma: 0.99 })([], transition)
 * ```
 */
export const nStepStep =
  (options: NStepOptions) =>
  (
    pending: readonly Transition[],
    transition: Transition,
  ): { readonly pending: readonly Transition[]; readonly emitted: readonly NStepTransition[] } => {
    const window = [...pending, transition]
    if (transition.terminated || transition.truncated) {
      return { pending: [], emitted: window.map((_, i) => nStepReturns(window.slice(i), options.gamma)) }
    }
    if (window.length >= options.n) {
      return { pending: window.slice(1), emitted: [nStepReturns(window, options.gamma)] }
    }
    return { pending: window, emitted: [] }
  }

const checkOptions = (options: NStepOptions, what: string): void => {
  if (!Number.isSafeInteger(options.n) || options.n < 1) {
    throw new RangeError(`${what}: n must be an integer >= 1, got ${options.n}`)
  }
  if (!(options.gamma >= 0 && options.gamma <= 1)) {
    throw new RangeError(`${what}: gamma must be in [0, 1], got ${options.gamma}`)
  }
}

/**
 * Makes a streaming n-step accumulator for a single environment (its pending window is private to the closure).
 *
 * @remarks
 * Each `push` returns the transitions that became complete: one per step once n are pending, and all pending
 * (shorter) windows when the episode ends. With `n = 1` every push returns the transition itself with discount γ.
 *
 * @example
 * ```ts
 * const acc = makeNStepAccumulator({ n: 3, gamma: 0.99 })
 * transitions$.pipe(mergeMap((t: Transition) => acc.push(t)))
 * ```
 */
export const makeNStepAccumulator = (options: NStepOptions): NStepAccumulator => {
  checkOptions(options, 'makeNStepAccumulator')
  const step = nStepStep(options)
  let pending: readonly Transition[] = []
  return {
    push: (transition) => {
      const next = step(pending, transition)
      pending = next.pending
      return next.emitted
    },
  }
}

/**
 * n-step accumulators for vectorised environments, one per `envIndex` (created on first use).
 *
 * @example
 * ```ts
 * const accs = makeNStepAccumulators({ n: 3, gamma: 0.99 })
 * accs.push(envIndex, transition)
 * ```
 */
export interface NStepAccumulators {
  readonly push: (envIndex: number, transition: Transition) => readonly NStepTransition[]
}

/**
 * Makes one independent n-step accumulator per environment index, so windows never mix environments.
 *
 * @example
 * ```ts
 * const accs = makeNStepAccumulators({ n: 3, gamma: 0.99 })
 * const ready = steps.flatMap(({ envIndex, transition }) => accs.push(envIndex, transition))
 * ```
 */
export const makeNStepAccumulators = (options: NStepOptions): NStepAccumulators => {
  checkOptions(options, 'makeNStepAccumulators')
  const byEnv = new Map<number, NStepAccumulator>()
  return {
    push: (envIndex, transition) => {
      const existing = byEnv.get(envIndex)
      const acc = existing ?? makeNStepAccumulator(options)
      if (existing === undefined) byEnv.set(envIndex, acc)
      return acc.push(transition)
    },
  }
}
