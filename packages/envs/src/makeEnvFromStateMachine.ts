import { type BoxSpec, decodeOrThrow, Rng } from '@polyak/core'
import type * as t from 'io-ts'
import { checkAction, type Env, type ResetOptions, type ResetResult, type StepResult } from './Env.js'
import type { Frame } from './Frame.js'
import { checkSeed } from './resetKeys.js'

/**
 * The result of one transition of an {@link EnvStateMachine}: the next state, the reward and whether the next state
 * is terminal.
 *
 * @example
 * ```ts
 * const next: StateTransition<number> = { state: 1, reward: -0.5, terminated: false }
 * ```
 */
export interface StateTransition<State> {
  /** The state after the step. */
  readonly state: State
  /** The reward of the step. */
  readonly reward: number
  /** Whether the state after the step is terminal. */
  readonly terminated: boolean
}

/**
 * An environment as pure functions over an immutable state: how an episode starts from a random key, how a
 * (validated) action moves the state, what the agent observes and how the state looks.
 * {@link makeEnvFromStateMachine} turns it into an {@link Env}.
 *
 * @example
 * ```ts
 * const counter: EnvStateMachine<number> = {
 *   id: 'Counter',
 *   observationSpace: box(-Infinity, Infinity, [1]),
 *   actionSpace: box(-1, 1),
 *   initial: () => 0,
 *   transition: (state, action) => ({ state: state + (action[0] ?? 0), reward: 1, terminated: state > 10 }),
 *   observe: (state) => Float32Array.of(state),
 *   render: () => makeFrame(1, 1),
 * }
 * ```
 */
export interface EnvStateMachine<State> {
  /** The env's id, used in error messages. */
  readonly id: string
  /** The Box of observations. */
  readonly observationSpace: BoxSpec
  /** The Box of actions. */
  readonly actionSpace: BoxSpec
  /**
   * The first state of an episode, from a key used for this reset only and the reset's `options` (left out when
   * the caller gave none). Throws on invalid options (see {@link decodeResetOptions}).
   */
  readonly initial: (key: Rng.Key, options: Readonly<Record<string, unknown>> | undefined) => State
  /** One step from a state and an action that has passed {@link checkAction}. Must not mutate `state`. */
  readonly transition: (state: State, action: ArrayLike<number>) => StateTransition<State>
  /** The observation of a state, as a fresh float32 array. */
  readonly observe: (state: State) => Float32Array
  /** The state drawn as an RGB frame. */
  readonly render: (state: State) => Frame
}

/**
 * Validates the `options` of a reset with an io-ts codec (usually a `strictObject` whose props accept `undefined`);
 * no options decode as `{}`.
 *
 * @throws ConfigError `Invalid reset options of <id>:` followed by one dotted-path line per problem
 *
 * @example
 * ```ts
 * const Bounds = strictObject('reset options', { low: t.union([FiniteNumber, t.undefined]) })
 * decodeResetOptions('MountainCarContinuous-v0', Bounds, { low: -0.5 }) // { low: -0.5 }
 * ```
 */
export const decodeResetOptions = <A>(
  envId: string,
  codec: t.Type<A, unknown, unknown>,
  options: Readonly<Record<string, unknown>> | undefined,
): A => decodeOrThrow(codec, options ?? {}, `reset options of ${envId}`)

/**
 * Runs an {@link EnvStateMachine} as a Gymnasium-shaped {@link Env}. The env holds the current state and its key
 * stream: `reset({ seed })` starts the stream at `Rng.key(seed)`, and every reset splits the stream's key into the
 * key of this reset and the stream's next key, so a reset without a seed continues deterministically. An env never
 * seeded starts from seed 0. `step` checks the action (length, finite values) and throws before `reset` or after
 * `close`. `truncated` is always `false`: time limits are wrappers.
 *
 * @example
 * ```ts
 * const env = makeEnvFromStateMachine(counter)
 * env.reset({ seed: 1 })
 * env.step([0.5]) // { observation: Float32Array [0.5], reward: 1, terminated: false, truncated: false, info: {} }
 * ```
 */
export const makeEnvFromStateMachine = <State>(machine: EnvStateMachine<State>): Env => {
  const { id } = machine
  let key = Rng.key(0)
  let state: State | undefined
  let closed = false

  const currentState = (method: string): State => {
    if (closed) throw new Error(`${id}: ${method}() called after close()`)
    if (state === undefined) throw new Error(`${id}: call reset() before ${method}()`)
    return state
  }

  const reset = (resetOptions: ResetOptions = {}): ResetResult => {
    if (closed) throw new Error(`${id}: reset() called after close()`)
    checkSeed(id, resetOptions.seed)
    if (resetOptions.seed !== undefined) key = Rng.key(resetOptions.seed)
    const [resetKey, nextKey] = Rng.split(key)
    state = machine.initial(resetKey, resetOptions.options)
    key = nextKey
    return { observation: machine.observe(state), info: {} }
  }

  const step = (action: ArrayLike<number>): StepResult => {
    const current = currentState('step')
    checkAction(id, machine.actionSpace, action)
    const next = machine.transition(current, action)
    state = next.state
    return {
      observation: machine.observe(next.state),
      reward: next.reward,
      terminated: next.terminated,
      truncated: false,
      info: {},
    }
  }

  return {
    id,
    spec: undefined,
    observationSpace: machine.observationSpace,
    actionSpace: machine.actionSpace,
    reset,
    step,
    render: () => machine.render(currentState('render')),
    close: () => {
      closed = true
    },
  }
}
