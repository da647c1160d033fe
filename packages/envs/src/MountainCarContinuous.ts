/**
 * `MountainCarContinuous-v0`, exactly as Gymnasium 1.4 `classic_control/continuous_mountain_car.py`: drive an
 * underpowered car out of a valley (the curve y = 0.45·sin(3x) + 0.55) to the flag at x = 0.45.
 *
 * Step (force = clip(a, −1, 1)):
 * - v ← clip(v + 0.0015·force − 0.0025·cos(3x), −0.07, 0.07); x ← clip(x + v, −1.2, 0.6);
 * - at the left wall (x = −1.2) a negative v becomes 0;
 * - terminated = x ≥ 0.45 and v ≥ goalVelocity (default 0);
 * - reward = 100·terminated − 0.1·a², with the **unclipped** action a;
 * - the state is stored as float32 after every step (the reset state is float64, as Gymnasium's).
 *
 * The observation is float32 [x, v]. A reset draws x ~ U[low, high] (default [−0.6, −0.4]) and sets v = 0. The
 * registry's TimeLimit truncates at 999 steps; the task counts as solved at an average return of 90.
 *
 * Roundings: Gymnasium's step mixes Python floats with NumPy float32 and float64 scalars, and under NumPy 2 the mix
 * decides which operations round to float32 (e.g. `3 * position` is a float32 product once the state is float32,
 * and a float32 action inside [−1, 1] makes the velocity update float32, a clipped one does not). The transition
 * reproduces those roundings, taking a `Float32Array` action as NumPy float32 and any other array as float64, so a
 * trajectory from the same state and actions equals Gymnasium's bit for bit (the tests check 300 steps of each).
 *
 * @module MountainCarContinuous
 */
import {
  Box,
  ConfigError,
  decodeOrThrow,
  FiniteNumber,
  optional,
  type PartialInputOf,
  Rng,
  strictObject,
  withDefaults,
} from '@polyak/core'
import type * as t from 'io-ts'
import type { Env } from './Env.js'
import { type Color, drawSegment, type Frame, fillCircle, makeFrame } from './Frame.js'
import { decodeResetOptions, makeEnvFromStateMachine, type StateTransition } from './makeEnvFromStateMachine.js'
import { actionKind, add, FLOAT32, FLOAT64, inKind, multiply, PYTHON, promote, subtract } from './numpyScalars.js'

/**
 * The id Gymnasium registers.
 *
 * @example
 * ```ts
 * const env = makeEnv(MOUNTAIN_CAR_CONTINUOUS_ID) // 'MountainCarContinuous-v0'
 * ```
 */
export const MOUNTAIN_CAR_CONTINUOUS_ID = 'MountainCarContinuous-v0'

/**
 * MountainCarContinuous-v0's fixed constants (Gymnasium's names in camelCase).
 *
 * @example
 * ```ts
 * MOUNTAIN_CAR_CONSTANTS.goalPosition // 0.45
 * ```
 */
export const MOUNTAIN_CAR_CONSTANTS = Object.freeze({
  minAction: -1,
  maxAction: 1,
  minPosition: -1.2,
  maxPosition: 0.6,
  maxSpeed: 0.07,
  goalPosition: 0.45,
  power: 0.0015,
})

/**
 * The state: the car's position x and velocity v.
 *
 * @example
 * ```ts
 * const atRest: MountainCarState = { position: -0.5, velocity: 0 }
 * ```
 */
export interface MountainCarState {
  /** Position in [−1.2, 0.6] (as float32 after a step). */
  readonly position: number
  /** Velocity in [−0.07, 0.07] (as float32 after a step). */
  readonly velocity: number
  /**
   * Whether the state is Gymnasium's float32 array (after a step) rather than the float64 array of a reset; then
   * Gymnasium's `3 * position` is a float32 product, and so it is here. Left out: `false`.
   */
  readonly storedAsFloat32?: boolean
}

/**
 * The options of `makeMountainCarContinuous` and of `makeEnv('MountainCarContinuous-v0', options)`: the velocity the
 * car needs at the goal, `goalVelocity` (default 0, Gymnasium's `goal_velocity`). Unknown keys are errors.
 *
 * @example
 * ```ts
 * decodeOrThrow(MountainCarOptionsCodec, {}) // { goalVelocity: 0 }
 * ```
 */
export const MountainCarOptionsCodec = withDefaults(
  strictObject('MountainCarContinuous-v0 options', { goalVelocity: FiniteNumber }),
  { goalVelocity: 0 },
)

/**
 * The decoded options of MountainCarContinuous-v0.
 *
 * @example
 * ```ts
 * const options: MountainCarOptions = decodeOrThrow(MountainCarOptionsCodec, { goalVelocity: 0.01 })
 * ```
 */
export type MountainCarOptions = t.TypeOf<typeof MountainCarOptionsCodec>

/** Reset options: the bounds of the uniform start position (Gymnasium's `maybe_parse_reset_bounds`). */
const MountainCarResetOptions = strictObject('MountainCarContinuous-v0 reset options', {
  low: optional(FiniteNumber),
  high: optional(FiniteNumber),
})

const clamp = (x: number, low: number, high: number): number => Math.min(Math.max(x, low), high)

/**
 * The pure MountainCarContinuous-v0 step for a goal velocity: from a state and an action `[a]` to the next state
 * (rounded to float32), the reward and whether the car reached the goal. It follows Gymnasium's code under NumPy 2
 * to the bit, roundings included (see the module notes): the action's container sets its dtype.
 *
 * @example
 * ```ts
 * const step = mountainCarTransition(0)
 * step({ position: -1.19, velocity: -0.05 }, [-1]) // the left wall: position fround(-1.2), velocity 0, reward -0.1
 * ```
 */
export const mountainCarTransition =
  (goalVelocity = 0) =>
  (state: MountainCarState, action: ArrayLike<number>): StateTransition<MountainCarState> => {
    const { minAction, maxAction, minPosition, maxPosition, maxSpeed, goalPosition, power } = MOUNTAIN_CAR_CONSTANTS
    const a = action[0] ?? Number.NaN
    const stateKind = state.storedAsFloat32 === true ? FLOAT32 : FLOAT64
    // force = min(max(a, −1.0), 1.0): Python's min and max return the Python bound when a is outside it
    const forceKind = a < minAction || a > maxAction ? PYTHON : actionKind(action)
    const push = multiply(forceKind, clamp(a, minAction, maxAction), power)
    const acceleration = subtract(forceKind, push, 0.0025 * Math.cos(inKind(stateKind, 3 * state.position)))
    let velocityKind = promote(stateKind, forceKind)
    let velocity = add(velocityKind, state.velocity, acceleration)
    if (velocity > inKind(velocityKind, maxSpeed) || velocity < inKind(velocityKind, -maxSpeed)) {
      velocity = clamp(velocity, -maxSpeed, maxSpeed)
      velocityKind = PYTHON
    }
    let positionKind = promote(stateKind, velocityKind)
    let position = add(positionKind, state.position, velocity)
    if (position > inKind(positionKind, maxPosition) || position < inKind(positionKind, minPosition)) {
      position = clamp(position, minPosition, maxPosition)
      positionKind = PYTHON
    }
    if (position === inKind(positionKind, minPosition) && velocity < 0) {
      velocity = 0
      velocityKind = PYTHON
    }
    const terminated = position >= inKind(positionKind, goalPosition) && velocity >= inKind(velocityKind, goalVelocity)
    const reward = (terminated ? 100 : 0) - a * a * 0.1
    const next = { position: Math.fround(position), velocity: Math.fround(velocity), storedAsFloat32: true }
    return { state: next, reward, terminated }
  }

/**
 * The observation of a state: float32 [x, v], a fresh array.
 *
 * @example
 * ```ts
 * mountainCarObservation({ position: -0.5, velocity: 0 }) // Float32Array [-0.5, 0]
 * ```
 */
export const mountainCarObservation = (state: MountainCarState): Float32Array =>
  Float32Array.of(state.position, state.velocity)

/**
 * A start state: x ~ U[low, high] (default [−0.6, −0.4]) from one key, v = 0, x kept as float64.
 *
 * @throws ConfigError when the options have an unknown key, a non-finite bound or `low > high`
 *
 * @example
 * ```ts
 * mountainCarInitialState(Rng.key(0), { low: -0.5, high: -0.5 }) // { position: -0.5, velocity: 0 }
 * ```
 */
export const mountainCarInitialState = (
  key: Rng.Key,
  options?: Readonly<Record<string, unknown>>,
): MountainCarState => {
  const { low = -0.6, high = -0.4 } = decodeResetOptions(MOUNTAIN_CAR_CONTINUOUS_ID, MountainCarResetOptions, options)
  if (low > high) {
    throw new ConfigError(
      [`low: expected <= high (${high}), got ${low}`],
      `reset options of ${MOUNTAIN_CAR_CONTINUOUS_ID}`,
    )
  }
  return { position: low + (high - low) * (Rng.uniform(key, 1)[0] ?? 0), velocity: 0 }
}

const WIDTH = 600
const HEIGHT = 400
const BLACK: Color = [0, 0, 0]

/** The height of the track at x. */
const trackHeight = (x: number): number => Math.sin(3 * x) * 0.45 + 0.55

/**
 * Draws the scene as Gymnasium does, on a 600 × 400 white frame: the track, the goal flag and the car tilted with
 * the slope.
 *
 * @example
 * ```ts
 * const frame = renderMountainCar({ position: -0.5, velocity: 0 })
 * ```
 */
export const renderMountainCar = (state: MountainCarState): Frame => {
  const { minPosition, maxPosition, goalPosition } = MOUNTAIN_CAR_CONSTANTS
  const frame = makeFrame(WIDTH, HEIGHT)
  const scale = WIDTH / (maxPosition - minPosition)
  const toScreen = (x: number, lift = 0): readonly [number, number] => [
    (x - minPosition) * scale,
    HEIGHT - 1 - (trackHeight(x) * scale + lift),
  ]
  for (let i = 0; i < 100; i++) {
    const [x0, y0] = toScreen(minPosition + ((maxPosition - minPosition) * i) / 100)
    const [x1, y1] = toScreen(minPosition + ((maxPosition - minPosition) * (i + 1)) / 100)
    drawSegment(frame, x0, y0, x1, y1, 2, BLACK)
  }
  const [flagX, flagY] = toScreen(goalPosition)
  drawSegment(frame, flagX, flagY, flagX, flagY - 50, 2, BLACK)
  drawSegment(frame, flagX, flagY - 45, flagX + 22, flagY - 45, 10, [204, 204, 0])
  const angle = Math.cos(3 * state.position)
  const [carX, carY] = toScreen(state.position, 10)
  const along = (d: number, up: number): readonly [number, number] => [
    carX + d * Math.cos(angle) - up * Math.sin(angle),
    carY - d * Math.sin(angle) - up * Math.cos(angle),
  ]
  const [rearX, rearY] = along(-12, 10)
  const [frontX, frontY] = along(12, 10)
  drawSegment(frame, rearX, rearY, frontX, frontY, 20, BLACK)
  for (const d of [-12, 12]) {
    const [wheelX, wheelY] = along(d, 0)
    fillCircle(frame, wheelX, wheelY, 5, [128, 128, 128])
  }
  return frame
}

/**
 * Makes a MountainCarContinuous-v0 env without a time limit (use `makeEnv('MountainCarContinuous-v0')` for
 * Gymnasium's 999-step limit). Observation space Box([−1.2, −0.07], [0.6, 0.07]), action space Box(−1, 1, (1,)).
 *
 * @throws ConfigError when an option is invalid, naming it
 *
 * @example
 * ```ts
 * const env = makeMountainCarContinuous()
 * env.reset({ seed: 0, options: { low: -0.5, high: -0.5 } })
 * const { reward } = env.step([2]) // force clipped to 1, penalty −0.1·2² = −0.4
 * ```
 */
export const makeMountainCarContinuous = (options: PartialInputOf<typeof MountainCarOptionsCodec> = {}): Env => {
  const { goalVelocity } = decodeOrThrow(MountainCarOptionsCodec, options, `options of ${MOUNTAIN_CAR_CONTINUOUS_ID}`)
  const { minAction, maxAction, minPosition, maxPosition, maxSpeed } = MOUNTAIN_CAR_CONSTANTS
  return makeEnvFromStateMachine<MountainCarState>({
    id: MOUNTAIN_CAR_CONTINUOUS_ID,
    observationSpace: Box.box([minPosition, -maxSpeed], [maxPosition, maxSpeed]),
    actionSpace: Box.box(minAction, maxAction),
    initial: mountainCarInitialState,
    transition: mountainCarTransition(goalVelocity),
    observe: mountainCarObservation,
    render: renderMountainCar,
  })
}
