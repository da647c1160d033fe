/**
 * The shared layer of the MuJoCo envs, Gymnasium's `MujocoEnv` in this package's style: a {@link MujocoTask} (the
 * observation, reward, termination and reset distribution of one Gymnasium env) on a {@link Simulation} becomes an
 * {@link Env} with Box spaces, seeded resets, action checks, `render()` and `close()`.
 *
 * - Action space: the actuators' `ctrlrange`. Actions are written to `ctrl` as given; MuJoCo clamps them to the range
 *   (as in Gymnasium, where the reward's control cost sees the unclipped action).
 * - `dt = frameSkip × timestep`; a step runs `mj_step` `frameSkip` times.
 * - Reset, as Gymnasium's: `mj_resetData`, then the task's `qpos`/`qvel` (initial state plus noise) written with
 *   `mj_forward`. The noise comes from `Rng` keys: `reset({ seed })` restarts the stream at `Rng.key(seed)`, each
 *   reset splits off its own key, a reset without a seed continues the stream (an env never seeded starts at seed 0).
 * - Observations are float32 (Gymnasium's MuJoCo envs return float64); the reward and `info` are float64.
 * - `close()` frees the model and the data (WebAssembly memory is not garbage-collected).
 *
 * @module mujoco/MujocoEnv
 */
import { Box, type BoxSpec, FiniteNumber, NonNegativeNumber, PositiveInt, Rng, strictObject } from '@polyak/core'
import * as t from 'io-ts'
import { checkAction, type Env, type ResetOptions, type ResetResult, type StepInfo, type StepResult } from '../Env.js'
import type { Frame } from '../Frame.js'
import { decodeResetOptions } from '../makeEnvFromStateMachine.js'
import { checkSeed, makeResetKeyStream } from '../resetKeys.js'
import { type MujocoCamera, renderSimulation } from './render.js'
import { mujocoRuntime } from './runtime.js'
import { loadSimulation, type Simulation } from './simulation.js'

/** What a task's step returns: the reward, whether the episode terminated, and the step's `info`. */
export interface MujocoStepOutcome {
  readonly reward: number
  readonly terminated: boolean
  readonly info: StepInfo
}

/**
 * One Gymnasium MuJoCo env's rules on a loaded simulation.
 *
 * @example
 * ```ts
 * const task: MujocoTask = {
 *   observationSize: 4,
 *   observe: (sim) => Float32Array.from([...sim.qpos(), ...sim.qvel()]),
 *   initialState: (sim, key) => ({ qpos: sim.qpos0, qvel: new Float64Array(sim.nv) }),
 *   resetInfo: () => ({}),
 *   step: (sim, action) => {
 *     sim.doSimulation(action, 2)
 *     return { reward: 1, terminated: false, info: {} }
 *   },
 *   camera: { plane: 'xz', pixelsPerMetre: 100, centre: [0, 0] },
 * }
 * ```
 */
export interface MujocoTask {
  /** The length of an observation. */
  readonly observationSize: number
  /** The observation of the current state, as a fresh float32 array. */
  readonly observe: (simulation: Simulation) => Float32Array
  /** The state a reset starts from (Gymnasium's `reset_model` before `set_state`), drawn from `key`. */
  readonly initialState: (
    simulation: Simulation,
    key: Rng.Key,
  ) => { readonly qpos: ArrayLike<number>; readonly qvel: ArrayLike<number> }
  /** The `info` of a reset (Gymnasium's `_get_reset_info`). */
  readonly resetInfo: (simulation: Simulation) => StepInfo
  /** Runs one env step (the frame-skipped simulation and the reward around it) for a checked action. */
  readonly step: (simulation: Simulation, action: ArrayLike<number>) => MujocoStepOutcome
  /** The camera of `render()`. */
  readonly camera: MujocoCamera
}

/**
 * A MuJoCo env: an {@link Env} with Gymnasium's `dt`, `frameSkip`, `state()` / `setState()` (Gymnasium's
 * `set_state`: writes qpos and qvel and runs `mj_forward`), and two probes for leak tests.
 *
 * @example
 * ```ts
 * await loadMujoco()
 * const env = makeHopper()
 * env.reset({ seed: 0 })
 * env.dt // 0.008
 * env.setState([0, 0.5, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]) // torso down at z = 0.5: the next step terminates
 * ```
 */
export interface MujocoEnv extends Env {
  /** Seconds of simulated time per step: `frameSkip × timestep`. */
  readonly dt: number
  /** `mj_step` calls per env step. */
  readonly frameSkip: number
  /** The MuJoCo version of the runtime, e.g. `'3.14.0'`. */
  readonly mujocoVersion: string
  /** Copies of the current `qpos` and `qvel`. */
  readonly state: () => { readonly qpos: Float64Array; readonly qvel: Float64Array }
  /** Sets the state (Gymnasium's `set_state`) and returns the observation of it; `step` may follow without a reset. */
  readonly setState: (qpos: ArrayLike<number>, qvel: ArrayLike<number>) => Float32Array
  /** The byte length of the MuJoCo runtime's WebAssembly memory (shared by all MuJoCo envs of the process). */
  readonly wasmMemoryBytes: () => number
  /** Whether `close()` has freed the env's model and data. */
  readonly isReleased: () => boolean
  /** The simulation, for tests and tools; invalid after `close()`. */
  readonly simulation: Simulation
}

/** Gymnasium's reset ignores options; here any key is an error (no silent typos). */
const NoResetOptions = strictObject('MuJoCo env reset options', {})

/**
 * Loads the model, builds the task and wraps both as a {@link MujocoEnv}.
 *
 * @throws Error asking for `await loadMujoco()` when the runtime is not loaded; MjcfError when the MJCF does not load
 *
 * @example
 * ```ts
 * const env = makeMujocoEnv({ id: 'Cart-v0', xml, frameSkip: 2, makeTask: (sim) => task })
 * ```
 */
export const makeMujocoEnv = (definition: {
  readonly id: string
  readonly xml: string
  readonly frameSkip: number
  readonly makeTask: (simulation: Simulation, dt: number) => MujocoTask
}): MujocoEnv => {
  const { id, frameSkip } = definition
  const runtime = mujocoRuntime(id)
  const simulation = loadSimulation(runtime, definition.xml, id)
  const dt = simulation.timestep * frameSkip
  let task: MujocoTask
  try {
    task = definition.makeTask(simulation, dt)
  } catch (error) {
    simulation.dispose()
    throw error
  }
  const observationSpace: BoxSpec = Box.box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [task.observationSize])
  const actionSpace: BoxSpec = Box.box(
    simulation.ctrlRange.map(([low]) => low),
    simulation.ctrlRange.map(([, high]) => high),
    [simulation.nu],
  )
  const keys = makeResetKeyStream()
  let started = false
  let closed = false

  const ready = (method: string): Simulation => {
    if (closed) throw new Error(`${id}: ${method}() called after close()`)
    if (!started) throw new Error(`${id}: call reset() before ${method}()`)
    return simulation
  }
  const open = (method: string): Simulation => {
    if (closed) throw new Error(`${id}: ${method}() called after close()`)
    return simulation
  }

  const reset = (resetOptions: ResetOptions = {}): ResetResult => {
    open('reset')
    checkSeed(id, resetOptions.seed)
    decodeResetOptions(id, NoResetOptions, resetOptions.options)
    const resetKey = keys.next(resetOptions.seed)
    simulation.resetData()
    const { qpos, qvel } = task.initialState(simulation, resetKey)
    simulation.setState(qpos, qvel)
    started = true
    return { observation: task.observe(simulation), info: task.resetInfo(simulation) }
  }

  const step = (action: ArrayLike<number>): StepResult => {
    const current = ready('step')
    checkAction(id, actionSpace, action)
    const { reward, terminated, info } = task.step(current, action)
    return { observation: task.observe(current), reward, terminated, truncated: false, info }
  }

  return {
    id,
    spec: undefined,
    observationSpace,
    actionSpace,
    reset,
    step,
    render: (): Frame => renderSimulation(ready('render'), task.camera),
    close: () => {
      closed = true
      simulation.dispose()
    },
    dt,
    frameSkip,
    mujocoVersion: runtime.version,
    state: () => {
      const current = open('state')
      return { qpos: Float64Array.from(current.qpos()), qvel: Float64Array.from(current.qvel()) }
    },
    setState: (qpos, qvel) => {
      const current = open('setState')
      current.setState(qpos, qvel)
      started = true
      return task.observe(current)
    },
    wasmMemoryBytes: () => open('wasmMemoryBytes').memoryBytes(),
    isReleased: () => simulation.isDisposed(),
    simulation,
  }
}

// ---------------------------------------------------------------------------------------------------------------
// shared pieces of the tasks

/**
 * `n` draws of U[−scale, scale] (Gymnasium's `np_random.uniform(low=-scale, high=scale, size=n)`).
 *
 * @example
 * ```ts
 * uniformNoise(Rng.key(0), 3, 0.1) // three values in [−0.1, 0.1)
 * ```
 */
export const uniformNoise = (key: Rng.Key, n: number, scale: number): Float64Array => Rng.uniform(key, n, -scale, scale)

/**
 * `n` draws of scale·N(0, 1) (Gymnasium's `scale * np_random.standard_normal(n)`).
 *
 * @example
 * ```ts
 * normalNoise(Rng.key(0), 9, 0.1)
 * ```
 */
export const normalNoise = (key: Rng.Key, n: number, scale: number): Float64Array => Rng.normal(key, n, 0, scale)

/** `base + noise`, elementwise, into a new array (Gymnasium's `init_qpos + noise`; 0 + −0 is 0). */
export const plus = (base: ArrayLike<number>, noise: ArrayLike<number>): Float64Array =>
  Float64Array.from({ length: base.length }, (_, i) => (base[i] ?? 0) + (noise[i] ?? 0))

/** Σ a². */
export const sumOfSquares = (values: ArrayLike<number>): number => {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += (values[i] ?? 0) ** 2
  return sum
}

/** x clipped to [low, high]. */
export const clip = (x: number, low: number, high: number): number => Math.min(Math.max(x, low), high)

/**
 * The state a reset starts from, as most Gymnasium MuJoCo envs draw it: `qpos0` + U(±scale) from the first half of
 * `key`, and zero velocities + noise of `scale` from the second half, uniform U(±scale) or normal scale·N(0, 1) as
 * `velocityNoise` says.
 *
 * @example
 * ```ts
 * initialState: (simulation, key) => noisyInitialState(simulation, key, 0.1, 'normal')
 * ```
 */
export const noisyInitialState = (
  simulation: Pick<Simulation, 'nq' | 'nv' | 'qpos0'>,
  key: Rng.Key,
  scale: number,
  velocityNoise: 'uniform' | 'normal',
): { readonly qpos: Float64Array; readonly qvel: Float64Array } => {
  const { nq, nv } = simulation
  const [qposKey, qvelKey] = Rng.split(key)
  const noise = velocityNoise === 'uniform' ? uniformNoise : normalNoise
  return {
    qpos: plus(simulation.qpos0, uniformNoise(qposKey, nq, scale)),
    qvel: plus(new Float64Array(nv), noise(qvelKey, nv, scale)),
  }
}

/**
 * A fresh float32 observation of `size` values that starts with `qpos` without its first `skip` values, followed by
 * `qvel` (each clipped to ±`velocityLimit` when one is given); values past those are left at 0 for the caller.
 *
 * @example
 * ```ts
 * observe: () => positionsAndVelocities(simulation, 1, simulation.nq - 1 + simulation.nv, 10)
 * ```
 */
export const positionsAndVelocities = (
  simulation: Pick<Simulation, 'nq' | 'nv' | 'qpos' | 'qvel'>,
  skip: number,
  size: number,
  velocityLimit?: number,
): Float32Array => {
  const { nq, nv } = simulation
  const observation = new Float32Array(size)
  observation.set(simulation.qpos().subarray(skip))
  if (velocityLimit === undefined) observation.set(simulation.qvel(), nq - skip)
  else {
    const qvel = simulation.qvel()
    for (let i = 0; i < nv; i++) observation[nq - skip + i] = clip(qvel[i] ?? 0, -velocityLimit, velocityLimit)
  }
  return observation
}

/**
 * The reward terms of the locomotion envs (HalfCheetah, Hopper, Walker2d, Ant): `forwardRewardWeight`·x velocity and
 * the control cost `ctrlCostWeight`·Σa² (a positive cost).
 *
 * @example
 * ```ts
 * const { forwardReward, ctrlCost } = locomotionRewards(decoded, xVelocity, action)
 * ```
 */
export const locomotionRewards = (
  weights: { readonly forwardRewardWeight: number; readonly ctrlCostWeight: number },
  xVelocity: number,
  action: ArrayLike<number>,
): { readonly forwardReward: number; readonly ctrlCost: number } => ({
  forwardReward: weights.forwardRewardWeight * xVelocity,
  ctrlCost: weights.ctrlCostWeight * sumOfSquares(action),
})

/** An interval [low, high] of an env option, as Gymnasium's `healthy_z_range`: two numbers (±Infinity allowed), low ≤ high. */
export interface IntervalBrand {
  readonly Interval: unique symbol
}

const isInterval = (u: unknown): u is readonly [number, number] =>
  Array.isArray(u) &&
  u.length === 2 &&
  typeof u[0] === 'number' &&
  typeof u[1] === 'number' &&
  !Number.isNaN(u[0]) &&
  !Number.isNaN(u[1]) &&
  u[0] <= u[1]

const describeInterval = (u: unknown): string =>
  Array.isArray(u) ? `[${u.map((v) => String(v)).join(', ')}]` : typeof u === 'string' ? `'${u}'` : String(u)

/**
 * The codec of an interval option: a pair `[low, high]` of numbers, not NaN (infinite bounds allowed), low ≤ high.
 *
 * @example
 * ```ts
 * Interval.is([0.7, Number.POSITIVE_INFINITY]) // true
 * ```
 */
export const Interval: t.Type<readonly [number, number], readonly [number, number], unknown> = new t.Type<
  readonly [number, number],
  readonly [number, number],
  unknown
>(
  'Interval',
  isInterval,
  (u, c) =>
    isInterval(u)
      ? t.success([u[0], u[1]] as const)
      : t.failure(u, c, `expected an interval [low, high] of two numbers with low <= high, got ${describeInterval(u)}`),
  (a) => a,
)

/** The codecs of the options every MuJoCo env takes: the MJCF string, the frame skip and the reset noise scale. */
export const commonOptionCodecs = {
  /** The MJCF model as a string (Gymnasium's `xml_file`, given as content, not as a path). */
  xml: t.string,
  /** `mj_step` calls per env step. */
  frameSkip: PositiveInt,
  /** The scale of the reset noise. */
  resetNoiseScale: NonNegativeNumber,
}

/** The codecs of the options every locomotion env (HalfCheetah, Hopper, Walker2d, Ant) takes: the common ones and the reward weights. */
export const locomotionOptionCodecs = {
  ...commonOptionCodecs,
  /** The weight of the forward velocity in the reward. */
  forwardRewardWeight: FiniteNumber,
  /** The weight of the control cost Σa². */
  ctrlCostWeight: FiniteNumber,
}
