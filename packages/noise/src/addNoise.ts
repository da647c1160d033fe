/**
 * The RxJS operator that adds exploration noise to a stream of actions.
 *
 * @module addNoise
 */
import { Rng } from '@polyak/core'
import { defer, map, type OperatorFunction, scan } from 'rxjs'
import type { ActionEvent, NoisyActionEvent } from './ActionEvent.js'
import type { NoiseProcess } from './NoiseProcess.js'
import type { Bound } from './smoothTargetActions.js'

/**
 * Options of {@link addNoise}: optional bounds the noisy action is clipped to (none: unbounded).
 *
 * @example
 * ```ts
 * const options: AddNoiseOptions = { low: -1, high: [1, 0.5] }
 * ```
 */
export interface AddNoiseOptions {
  /** Lower action bound(s): the noisy action is clipped to it. */
  readonly low?: Bound
  /** Upper action bound(s): the noisy action is clipped to it. */
  readonly high?: Bound
}

interface Acc<S> {
  readonly t: number
  readonly states: ReadonlyMap<number, S>
  readonly out: NoisyActionEvent | undefined
}

const boundAt = (bound: Bound | undefined, i: number, fallback: number): number => {
  if (bound === undefined) return fallback
  if (typeof bound === 'number') return bound
  const value = bound[i]
  if (value === undefined) throw new RangeError(`addNoise: bound has ${bound.length} entries, action dimension ${i}`)
  return value
}

/**
 * Adds noise from a {@link NoiseProcess} to every action. One process state is kept per `envIndex` (created on first
 * sight, reset when an event has `episodeStart`), an event draws with `Rng.foldIn(key, t)` where t is the event's own
 * `t` (a global step) or else its position (from 0) in the subscription, and the noisy action is clipped to the optional `low`/`high` bounds. The output carries the
 * noise too.
 *
 * Cold: each subscription starts with t = 0 and no states, so resubscribing replays the same noise.
 *
 * @example
 * ```ts
 * import { Rng } from '@polyak/core'
 *
 * actions$.pipe(addNoise(ouProcess(DDPG_OU_PARAMS), Rng.key(1), { low: -1, high: 1 }))
 * ```
 */
export const addNoise =
  <S>(
    process: NoiseProcess<S>,
    key: Rng.Key,
    options: AddNoiseOptions = {},
  ): OperatorFunction<ActionEvent, NoisyActionEvent> =>
  (source) =>
    defer(() =>
      source.pipe(
        scan(
          (acc: Acc<S>, event: ActionEvent): Acc<S> => {
            const previous = acc.states.get(event.envIndex)
            const current =
              previous === undefined
                ? process.init(event.action.length)
                : event.episodeStart
                  ? process.reset(previous)
                  : previous
            const { noise, state } = process.sample(Rng.foldIn(key, event.t ?? acc.t), current)
            const action = event.action.map((a, i) =>
              Math.min(
                boundAt(options.high, i, Number.POSITIVE_INFINITY),
                Math.max(boundAt(options.low, i, Number.NEGATIVE_INFINITY), a + (noise[i] ?? 0)),
              ),
            )
            const states = new Map(acc.states)
            states.set(event.envIndex, state)
            return { t: acc.t + 1, states, out: { ...event, action, noise } }
          },
          { t: 0, states: new Map<number, S>(), out: undefined },
        ),
        map((acc) => acc.out as NoisyActionEvent),
      ),
    )
