/**
 * Runs a policy on an env step by step and keeps the numbers the page shows: the step count, the current episode's
 * return and the returns of the finished episodes. Episodes reset on `terminated` or `truncated`; the first reset
 * uses the seed and later ones continue the env's key stream (Gymnasium's convention).
 *
 * @module runner
 */
import type { Env } from '@polyak/envs'

/** A policy: observation to action. */
export type Policy = (observation: Float32Array) => Float32Array

/** What the page shows after each step. */
export interface RunnerState {
  /** Steps taken in all. */
  readonly step: number
  /** Steps taken in the current episode. */
  readonly episodeStep: number
  /** Sum of the current episode's rewards (float64). */
  readonly episodeReturn: number
  /** Returns of the finished episodes, oldest first. */
  readonly finishedReturns: readonly number[]
  /** Whether `steps` steps have been taken. */
  readonly done: boolean
}

/** A stepper over one env and policy. */
export interface Runner {
  /** Takes one step (nothing once done) and returns the new state. */
  readonly step: () => RunnerState
  /** The current state. */
  readonly state: () => RunnerState
}

/**
 * A runner that resets `env` with `seed` and then steps `policy` on it for `steps` steps.
 *
 * @example
 * ```ts
 * const runner = makeRunner(makeEnv('Pendulum-v1'), () => Float32Array.of(0), { seed: 0, steps: 200 })
 * while (!runner.step().done) {}
 * runner.state().finishedReturns // [the episode's return]
 * ```
 */
export const makeRunner = (
  env: Env,
  policy: Policy,
  { seed, steps }: { readonly seed: number; readonly steps: number },
): Runner => {
  let observation = env.reset({ seed }).observation
  let current: RunnerState = { step: 0, episodeStep: 0, episodeReturn: 0, finishedReturns: [], done: steps <= 0 }
  const step = (): RunnerState => {
    if (current.done) return current
    const result = env.step(policy(observation))
    const episodeReturn = current.episodeReturn + result.reward
    const stepCount = current.step + 1
    const done = stepCount >= steps
    if (result.terminated || result.truncated) {
      current = {
        step: stepCount,
        episodeStep: 0,
        episodeReturn: 0,
        finishedReturns: [...current.finishedReturns, episodeReturn],
        done,
      }
      if (!done) observation = env.reset().observation
    } else {
      observation = result.observation
      current = { ...current, step: stepCount, episodeStep: current.episodeStep + 1, episodeReturn, done }
    }
    return current
  }
  return { step, state: () => current }
}

/**
 * The return to show: the last finished episode's once the run has stopped on an episode end, else the current
 * episode's so far.
 *
 * @example
 * ```ts
 * shownReturn({ step: 200, episodeStep: 0, episodeReturn: 0, finishedReturns: [-150], done: true }) // -150
 * ```
 */
export const shownReturn = (state: RunnerState): number =>
  state.episodeStep === 0 && state.finishedReturns.length > 0
    ? (state.finishedReturns[state.finishedReturns.length - 1] ?? 0)
    : state.episodeReturn
