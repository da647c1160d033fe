/**
 * `Pendulum-v1`, exactly as Gymnasium 1.4 `classic_control/pendulum.py`: swing a frictionless pendulum up and keep
 * it upright with a torque in [−2, 2].
 *
 * Step (from the state (θ, θ̇) before the step, u = clip(a, −2, 2)):
 * - cost = norm(θ)² + 0.1·θ̇² + 0.001·u², with norm(x) = ((x + π) mod 2π) − π (floor-mod, as Python's `%`);
 * - θ̇' = clip(θ̇ + (3g/(2l)·sin θ + 3/(m l²)·u)·dt, −8, 8); θ' = θ + θ̇'·dt (θ is not wrapped);
 * - reward = −cost ∈ [−16.2736044, 0]; never terminates (the registry's TimeLimit truncates at 200 steps).
 *
 * The observation is float32 [cos θ, sin θ, θ̇]. A reset draws θ ~ U[−x_init, x_init] (default π) and
 * θ̇ ~ U[−y_init, y_init] (default 1).
 *
 * Roundings: the state is float64, as Gymnasium's. Under NumPy 2 a float32 action keeps the torque u float32, so
 * Gymnasium computes 0.001·u² and 3/(m l²)·u in float32; the transition does the same for a `Float32Array` action
 * and computes in float64 for any other array, so a trajectory from the same state and actions equals Gymnasium's
 * (the tests check 200 steps of each, to 1e-12: `sin` and `cos` may differ from NumPy's in the last bit).
 *
 * @module Pendulum
 */
import {
  Box,
  decodeOrThrow,
  FiniteNumber,
  NonNegativeNumber,
  optional,
  type PartialInputOf,
  Rng,
  strictObject,
  withDefaults,
} from '@polyak/core'
import type * as t from 'io-ts'
import type { Env } from './Env.js'
import { drawSegment, type Frame, fillCircle, makeFrame } from './Frame.js'
import { decodeResetOptions, makeEnvFromStateMachine, type StateTransition } from './makeEnvFromStateMachine.js'
import { actionKind, multiply } from './numpyScalars.js'

/**
 * The id Gymnasium registers.
 *
 * @example
 * ```ts
 * const env = makeEnv(PENDULUM_ID) // 'Pendulum-v1'
 * ```
 */
export const PENDULUM_ID = 'Pendulum-v1'

/**
 * Pendulum-v1's fixed constants (Gymnasium's `max_speed`, `max_torque`, `dt`, `m`, `l`).
 *
 * @example
 * ```ts
 * PENDULUM_CONSTANTS.maxSpeed // 8
 * ```
 */
export const PENDULUM_CONSTANTS = Object.freeze({ maxSpeed: 8, maxTorque: 2, dt: 0.05, m: 1, l: 1 })

/**
 * The physical state: angle θ (0 is upright, counter-clockwise positive, never wrapped) and angular velocity θ̇.
 *
 * @example
 * ```ts
 * const hanging: PendulumState = { theta: Math.PI, thetaDot: 0 }
 * ```
 */
export interface PendulumState {
  /** Angle in radians from upright. */
  readonly theta: number
  /** Angular velocity in radians per second, in [−8, 8] after a step. */
  readonly thetaDot: number
}

/**
 * The options of `makePendulum` and of `makeEnv('Pendulum-v1', options)`: gravity `g` (default 10, Gymnasium's
 * `g=10.0`). Unknown keys are errors.
 *
 * @example
 * ```ts
 * decodeOrThrow(PendulumOptionsCodec, { g: 9.81 }) // { g: 9.81 }
 * decodeOrThrow(PendulumOptionsCodec, {}) // { g: 10 }
 * ```
 */
export const PendulumOptionsCodec = withDefaults(strictObject('Pendulum-v1 options', { g: FiniteNumber }), { g: 10 })

/**
 * The decoded options of Pendulum-v1.
 *
 * @example
 * ```ts
 * const options: PendulumOptions = decodeOrThrow(PendulumOptionsCodec, {})
 * ```
 */
export type PendulumOptions = t.TypeOf<typeof PendulumOptionsCodec>

/** Reset options: half-widths of the uniform start ranges of θ and θ̇ (Gymnasium's names). */
const PendulumResetOptions = strictObject('Pendulum-v1 reset options', {
  x_init: optional(NonNegativeNumber),
  y_init: optional(NonNegativeNumber),
})

const TWO_PI = 2 * Math.PI

/** x², as one correctly rounded product (Python's `x ** 2` on floats). */
const square = (x: number): number => x * x

/** Python's float `%` for a positive divisor: the remainder takes the sign of the divisor. */
const floorMod = (x: number, divisor: number): number => {
  const remainder = x % divisor
  return remainder < 0 ? remainder + divisor : remainder + 0
}

/**
 * Gymnasium's `angle_normalize`: ((x + π) mod 2π) − π with a floor-mod (JS `%` truncates towards zero, which would
 * leave negative angles unwrapped). The result lies in [−π, π].
 *
 * @example
 * ```ts
 * angleNormalize(-4) // 2π − 4 ≈ 2.2832
 * angleNormalize(7) // 7 − 2π ≈ 0.7168
 * ```
 */
export const angleNormalize = (x: number): number => floorMod(x + Math.PI, TWO_PI) - Math.PI

/**
 * The pure Pendulum-v1 step for gravity `g`: from the state before the step and an action `[a]` to the next state and
 * the reward −cost (cost on the pre-step state and the clipped torque). Never terminal.
 *
 * @example
 * ```ts
 * const step = pendulumTransition(10)
 * step({ theta: 0, thetaDot: 0 }, [3])
 * // torque clipped to 2: { state: { theta: 0.015, thetaDot: 0.3 }, reward: -0.004, terminated: false }
 * ```
 */
export const pendulumTransition =
  (g = 10) =>
  (state: PendulumState, action: ArrayLike<number>): StateTransition<PendulumState> => {
    const { maxSpeed, maxTorque, dt, m, l } = PENDULUM_CONSTANTS
    const { theta, thetaDot } = state
    const torqueKind = actionKind(action) // np.clip keeps the action's dtype
    const torque = Math.min(Math.max(action[0] ?? Number.NaN, -maxTorque), maxTorque)
    const torqueCost = multiply(torqueKind, 0.001, multiply(torqueKind, torque, torque))
    const cost = square(angleNormalize(theta)) + 0.1 * square(thetaDot) + torqueCost
    const acceleration = ((3 * g) / (2 * l)) * Math.sin(theta) + multiply(torqueKind, 3 / (m * square(l)), torque)
    const nextThetaDot = Math.min(Math.max(thetaDot + acceleration * dt, -maxSpeed), maxSpeed)
    const nextTheta = theta + nextThetaDot * dt
    return { state: { theta: nextTheta, thetaDot: nextThetaDot }, reward: -cost, terminated: false }
  }

/**
 * The observation of a state: float32 [cos θ, sin θ, θ̇], a fresh array.
 *
 * @example
 * ```ts
 * pendulumObservation({ theta: 0, thetaDot: 1 }) // Float32Array [1, 0, 1]
 * ```
 */
export const pendulumObservation = (state: PendulumState): Float32Array =>
  Float32Array.of(Math.cos(state.theta), Math.sin(state.theta), state.thetaDot)

/**
 * A start state: θ ~ U[−x_init, x_init], θ̇ ~ U[−y_init, y_init] from one key (NumPy's `low + (high − low)·u`).
 *
 * @throws ConfigError when the options have an unknown key or a negative or non-finite half-width
 *
 * @example
 * ```ts
 * pendulumInitialState(Rng.key(0), { x_init: 0, y_init: 0 }) // { theta: 0, thetaDot: 0 }
 * ```
 */
export const pendulumInitialState = (key: Rng.Key, options?: Readonly<Record<string, unknown>>): PendulumState => {
  const { x_init: x = Math.PI, y_init: y = 1 } = decodeResetOptions(PENDULUM_ID, PendulumResetOptions, options)
  const u = Rng.uniform(key, 2)
  return { theta: -x + 2 * x * (u[0] ?? 0), thetaDot: -y + 2 * y * (u[1] ?? 0) }
}

const SCREEN = 500
const ROD_COLOR = [204, 77, 77] as const

/**
 * Draws the pendulum as Gymnasium does: a 500 × 500 white frame, a red rod of length 1 from the centre (2.2 world
 * units from the centre to an edge), θ = 0 pointing up, and a black axle.
 *
 * @example
 * ```ts
 * const frame = renderPendulum({ theta: Math.PI, thetaDot: 0 }) // rod hanging down
 * ```
 */
export const renderPendulum = (state: PendulumState): Frame => {
  const frame = makeFrame(SCREEN, SCREEN)
  const scale = SCREEN / 4.4
  const centre = SCREEN / 2
  const endX = centre - scale * Math.sin(state.theta)
  const endY = centre - scale * Math.cos(state.theta)
  drawSegment(frame, centre, centre, endX, endY, 0.2 * scale, ROD_COLOR)
  fillCircle(frame, centre, centre, 0.05 * scale, [0, 0, 0])
  return frame
}

/**
 * Makes a Pendulum-v1 env without a time limit (use `makeEnv('Pendulum-v1')` for Gymnasium's 200-step limit).
 * Observation space Box([−1, −1, −8], [1, 1, 8]), action space Box(−2, 2, (1,)).
 *
 * @throws ConfigError when an option is invalid, naming it (`g: expected a finite number, got "x"`)
 *
 * @example
 * ```ts
 * const env = makePendulum({ g: 9.81 })
 * const { observation } = env.reset({ seed: 0, options: { x_init: 0.1 } })
 * const { reward } = env.step([1])
 * ```
 */
export const makePendulum = (options: PartialInputOf<typeof PendulumOptionsCodec> = {}): Env => {
  const { g } = decodeOrThrow(PendulumOptionsCodec, options, `options of ${PENDULUM_ID}`)
  const { maxSpeed, maxTorque } = PENDULUM_CONSTANTS
  return makeEnvFromStateMachine<PendulumState>({
    id: PENDULUM_ID,
    observationSpace: Box.box([-1, -1, -maxSpeed], [1, 1, maxSpeed]),
    actionSpace: Box.box(-maxTorque, maxTorque),
    initial: pendulumInitialState,
    transition: pendulumTransition(g),
    observe: pendulumObservation,
    render: renderPendulum,
  })
}
