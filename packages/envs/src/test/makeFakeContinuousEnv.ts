import {
  Box,
  decodeOrThrow,
  FiniteNumber,
  type PartialInputOf,
  PositiveInt,
  Rng,
  strictObject,
  withDefaults,
} from '@polyak/core'
import * as t from 'io-ts'
import type { Env } from '../Env.js'
import { makeFrame } from '../Frame.js'
import { makeEnvFromStateMachine } from '../makeEnvFromStateMachine.js'
import { timeLimit } from '../timeLimit.js'
import { wrapEnv } from '../wrapEnv.js'

/**
 * The options of {@link makeFakeContinuousEnv}, with their defaults: 3 observation values, 1 action value,
 * episodes of 10 steps that end `truncated`, and a best action of 0.5 in every element.
 *
 * @example
 * ```ts
 * decodeOrThrow(FakeContinuousEnvOptionsCodec, { actionSize: 2 })
 * // { observationSize: 3, actionSize: 2, episodeLength: 10, ending: 'truncated', target: 0.5 }
 * ```
 */
export const FakeContinuousEnvOptionsCodec = withDefaults(
  strictObject('FakeContinuousEnv options', {
    observationSize: PositiveInt,
    actionSize: PositiveInt,
    episodeLength: PositiveInt,
    ending: t.union([t.literal('terminated'), t.literal('truncated')]),
    target: FiniteNumber,
  }),
  { observationSize: 3, actionSize: 1, episodeLength: 10, ending: 'truncated', target: 0.5 },
)

/**
 * A fake env with call counters, for tests.
 *
 * @example
 * ```ts
 * const env: FakeContinuousEnv = makeFakeContinuousEnv()
 * env.counts() // { resets: 0, steps: 0 }
 * ```
 */
export interface FakeContinuousEnv extends Env {
  /** How many times `reset` and `step` were called (successfully). */
  readonly counts: () => { readonly resets: number; readonly steps: number }
}

interface FakeState {
  readonly time: number
  readonly context: Float32Array
}

/**
 * A tiny deterministic continuous-control env for other packages' tests (Acme's `fakes.ContinuousEnvironment`):
 * learning on it takes a few hundred updates.
 *
 * - Action space Box(−1, 1, (actionSize,)); observation space Box(−1, 1, (observationSize,)).
 * - Observation: element 0 is the episode's progress t / episodeLength; the other elements are drawn U[−1, 1] at
 *   reset from the env's key (so seeds matter) and stay fixed for the episode.
 * - Reward: −mean((aᵢ − target)²), the same at every step; the best action is `target` in every element, with
 *   reward 0. It does not depend on the observation, so a critic can learn it from actions alone.
 * - After `episodeLength` steps the episode ends, `terminated` or `truncated` as `ending` says.
 *
 * @throws ConfigError naming the option when one is invalid
 *
 * @example
 * ```ts
 * import { makeFakeContinuousEnv } from '@polyak/envs/test'
 *
 * const env = makeFakeContinuousEnv({ observationSize: 2, actionSize: 2, episodeLength: 5 })
 * env.reset({ seed: 0 })
 * env.step([0.5, 0.5]).reward // 0
 * env.step([-0.5, 0.5]).reward // −0.5
 * ```
 */
export const makeFakeContinuousEnv = (
  options: PartialInputOf<typeof FakeContinuousEnvOptionsCodec> = {},
): FakeContinuousEnv => {
  const { observationSize, actionSize, episodeLength, ending, target } = decodeOrThrow(
    FakeContinuousEnvOptionsCodec,
    options,
    'FakeContinuousEnv options',
  )
  const inner = makeEnvFromStateMachine<FakeState>({
    id: 'FakeContinuous',
    observationSpace: Box.box(-1, 1, [observationSize]),
    actionSpace: Box.box(-1, 1, [actionSize]),
    initial: (key) => ({ time: 0, context: Rng.uniformF32(key, observationSize - 1, -1, 1) }),
    transition: (state, action) => {
      let squares = 0
      for (let i = 0; i < actionSize; i++) squares += ((action[i] ?? 0) - target) ** 2
      const time = state.time + 1
      return {
        state: { time, context: state.context },
        reward: 0 - squares / actionSize,
        terminated: ending === 'terminated' && time >= episodeLength,
      }
    },
    observe: (state) => Float32Array.of(state.time / episodeLength, ...state.context),
    render: () => makeFrame(1, 1),
  })
  const env = ending === 'truncated' ? timeLimit(episodeLength)(inner) : inner
  let resets = 0
  let steps = 0
  return {
    ...wrapEnv(env, {
      reset: (resetOptions) => {
        const result = env.reset(resetOptions)
        resets += 1
        return result
      },
      step: (action) => {
        const result = env.step(action)
        steps += 1
        return result
      },
    }),
    counts: () => ({ resets, steps }),
  }
}
