/**
 * `InvertedPendulum-v5` (Gymnasium 1.x `mujoco/inverted_pendulum_v5.py`): keep a pole upright on a cart that slides
 * on a rail, pushing the cart with one motor.
 *
 * Model: a cart (capsule, radius 0.1) on a slider limited to [−1, 1] m, a 0.6 m pole (capsule, radius 0.049) on a
 * hinge limited to ±90°, joint damping 1, densities of 1000 (masses from the geoms); motor gear 100, control range
 * [−3, 3]; RK4 with timestep 0.02, frame skip 2, so dt = 0.04. No contacts.
 *
 * Observation (4): [cart x, pole angle, cart velocity, pole angular velocity] = concat(qpos, qvel).
 * Reward: 1 per step while the pole is up, **0 on the terminal step** (v5). Terminated when |angle| > 0.2 rad or the
 * observation is not finite. Reset: qpos and qvel each + U(±0.01). `info.reward_survive` is the reward.
 * The registry truncates at 1000 steps; solved at 950.
 *
 * @module mujoco/InvertedPendulum
 */
import { decodeOrThrow, type PartialInputOf, strictObject, withDefaults } from '@polyak/core'
import type * as t from 'io-ts'
import {
  commonOptionCodecs,
  type MujocoEnv,
  makeMujocoEnv,
  noisyInitialState,
  positionsAndVelocities,
} from './MujocoEnv.js'

/** The id Gymnasium registers. */
export const INVERTED_PENDULUM_ID = 'InvertedPendulum-v5'

/**
 * The MJCF of InvertedPendulum, written from Gymnasium's `inverted_pendulum.xml` model facts.
 *
 * @example
 * ```ts
 * makeInvertedPendulum({ xml: INVERTED_PENDULUM_XML.replace('gear="100"', 'gear="50"') })
 * ```
 */
export const INVERTED_PENDULUM_XML = `<mujoco model="inverted_pendulum">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option gravity="0 0 -9.81" integrator="RK4" timestep="0.02"/>
  <size memory="256K"/>
  <default>
    <joint armature="0" damping="1" limited="true"/>
    <geom contype="0" friction="1 0.1 0.1" rgba="0.7 0.7 0 1"/>
  </default>
  <worldbody>
    <geom name="rail" type="capsule" pos="0 0 0" quat="0.707 0 0.707 0" size="0.02 1" rgba="0.3 0.3 0.7 1"/>
    <body name="cart" pos="0 0 0">
      <joint name="slider" type="slide" axis="1 0 0" pos="0 0 0" range="-1 1"/>
      <geom name="cart" type="capsule" pos="0 0 0" quat="0.707 0 0.707 0" size="0.1 0.1"/>
      <body name="pole" pos="0 0 0">
        <joint name="hinge" type="hinge" axis="0 1 0" pos="0 0 0" range="-90 90"/>
        <geom name="cpole" type="capsule" fromto="0 0 0 0.001 0 0.6" size="0.049 0.3" rgba="0 0.7 0.7 1"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="slide" joint="slider" gear="100" ctrllimited="true" ctrlrange="-3 3"/>
  </actuator>
</mujoco>
`

/**
 * The options of `makeInvertedPendulum` (Gymnasium's v5 arguments in camelCase): `xml` (the MJCF string, default
 * {@link INVERTED_PENDULUM_XML}), `frameSkip` (2) and `resetNoiseScale` (0.01).
 *
 * @example
 * ```ts
 * decodeOrThrow(InvertedPendulumOptionsCodec, { resetNoiseScale: 0 }).frameSkip // 2
 * ```
 */
export const InvertedPendulumOptionsCodec = withDefaults(
  strictObject(`${INVERTED_PENDULUM_ID} options`, commonOptionCodecs),
  { xml: INVERTED_PENDULUM_XML, frameSkip: 2, resetNoiseScale: 0.01 },
)

/**
 * The decoded options of InvertedPendulum-v5.
 *
 * @example
 * ```ts
 * const options: InvertedPendulumOptions = decodeOrThrow(InvertedPendulumOptionsCodec, {})
 * ```
 */
export type InvertedPendulumOptions = t.TypeOf<typeof InvertedPendulumOptionsCodec>

/**
 * Makes an InvertedPendulum-v5 env without a time limit (`makeEnv('InvertedPendulum-v5')` adds Gymnasium's 1000
 * steps). Needs `await loadMujoco()` first. Observation Box(−∞, ∞, (4,)), action Box(−3, 3, (1,)).
 *
 * @throws Error when MuJoCo is not loaded; ConfigError for an invalid option; MjcfError for an MJCF that does not load
 *
 * @example
 * ```ts
 * await loadMujoco()
 * const env = makeInvertedPendulum()
 * env.reset({ seed: 0 })
 * const { reward, terminated, info } = env.step([0.1]) // 1, false, { reward_survive: 1 }
 * ```
 */
export const makeInvertedPendulum = (options: PartialInputOf<typeof InvertedPendulumOptionsCodec> = {}): MujocoEnv => {
  const decoded = decodeOrThrow(InvertedPendulumOptionsCodec, options, `options of ${INVERTED_PENDULUM_ID}`)
  return makeMujocoEnv({
    id: INVERTED_PENDULUM_ID,
    xml: decoded.xml,
    frameSkip: decoded.frameSkip,
    makeTask: (simulation) => {
      const { nq, nv } = simulation
      return {
        observationSize: nq + nv,
        observe: () => positionsAndVelocities(simulation, 0, nq + nv),
        initialState: (_, key) => noisyInitialState(simulation, key, decoded.resetNoiseScale, 'uniform'),
        resetInfo: () => ({}),
        step: (_, action) => {
          simulation.doSimulation(action, decoded.frameSkip)
          const qpos = simulation.qpos()
          const qvel = simulation.qvel()
          const finite = qpos.every(Number.isFinite) && qvel.every(Number.isFinite)
          const terminated = !finite || Math.abs(qpos[1] ?? 0) > 0.2
          const reward = terminated ? 0 : 1
          return { reward, terminated, info: { reward_survive: reward } }
        },
        camera: { plane: 'xz', pixelsPerMetre: 200, centre: [0, 0.25] },
      }
    },
  })
}
