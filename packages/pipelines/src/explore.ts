/**
 * Exploration: uniform random actions during warm-up, then a noise process.
 *
 * @module explore
 */
import { Rng } from '@polyak/core'
import { type ActionEvent, addNoise, type NoiseProcess, type NoisyActionEvent } from '@polyak/noise'
import { connect, filter, map, merge, type OperatorFunction } from 'rxjs'

/**
 * Options of {@link explore}.
 *
 * @example
 * ```ts
 * const options: ExploreOptions<GaussianState> = {
 *   process: gaussianProcess(0.2), key: Rng.key(1), warmupSteps: 1000, low: [-2], high: [2],
 * }
 * ```
 */
export interface ExploreOptions<S> {
  /** The noise added after warm-up (DDPG: OU; TD3: Gaussian). */
  readonly process: NoiseProcess<S>
  readonly key: Rng.Key
  /** Events with `t < warmupSteps` get a uniformly random action instead (CleanRL's `learning_starts`). */
  readonly warmupSteps: number
  /** Action bounds: random actions are drawn in them and noisy actions clipped to them. */
  readonly low: readonly number[]
  readonly high: readonly number[]
}

/**
 * Exploration on a stream of proposed actions (events must carry their global step `t`): for `t < warmupSteps` the
 * action is drawn uniformly in `[low, high]` with `Rng.foldIn(key₁, t)`; afterwards {@link addNoise} adds the process's
 * noise (drawn with `Rng.foldIn(key₂, t)`, one state per environment, reset at episode start) and clips to the bounds.
 * Every event is answered synchronously and in order; warm-up answers carry zero `noise`.
 *
 * @example
 * ```ts
 * proposals$.pipe(explore({ process: gaussianProcess(0.2), key, warmupSteps: 1000, low: [-2], high: [2] }))
 * ```
 */
export const explore = <S>(options: ExploreOptions<S>): OperatorFunction<ActionEvent, NoisyActionEvent> => {
  const { process, warmupSteps, low, high } = options
  const [warmupKey, noiseKey] = Rng.split(options.key, 2)
  const warming = (event: ActionEvent): boolean => (event.t ?? 0) < warmupSteps
  const random = (event: ActionEvent): NoisyActionEvent => {
    const u = Rng.uniform(Rng.foldIn(warmupKey, event.t ?? 0), low.length)
    const action = Float32Array.from(u, (x, i) => (low[i] as number) + x * ((high[i] as number) - (low[i] as number)))
    return { ...event, action, noise: new Float32Array(action.length) }
  }
  return connect((events$) =>
    merge(
      events$.pipe(filter(warming), map(random)),
      events$.pipe(
        filter((event) => !warming(event)),
        addNoise(process, noiseKey, { low, high }),
      ),
    ),
  )
}
