/**
 * `InvertedDoublePendulum-v5` (Gymnasium 1.x `mujoco/inverted_double_pendulum_v5.py`): balance two poles, one on top
 * of the other, on a cart.
 *
 * Model: a cart (capsule, radius 0.1) on a slider limited to [−1, 1] m (limit margin 0.01), two 0.6 m poles (capsules,
 * radius 0.045) on unlimited hinges, joint damping 0.05, density 1000, a site `tip` at the top of the second pole;
 * gravity (1e-5, 0, −9.81); motor gear 500, control in [−1, 1]; RK4 with timestep 0.01, frame skip 5, so dt = 0.05.
 * No contacts.
 *
 * Observation (9, v5): [x, sin θ₁, sin θ₂, cos θ₁, cos θ₂, clip(qvel, ±10) (3), clip(qfrc_constraint[0], ±10)].
 * Reward: `healthyReward` (10) unless terminated, minus the distance penalty 0.01·x_tip² + (y_tip − 2)² and the
 * velocity penalty 0.001·θ̇₁² + 0.005·θ̇₂², where (x_tip, y_tip) is the (x, z) of the model's first site, the tip. Terminated when
 * y_tip ≤ 1. Reset: qpos + U(±0.1), qvel + 0.1·N(0, 1). `info`: `reward_survive`, `distance_penalty` and
 * `velocity_penalty` (both negative). The registry truncates at 1000 steps; solved at 9100.
 *
 * @module mujoco/InvertedDoublePendulum
 */
import { decodeOrThrow, FiniteNumber, type PartialInputOf, strictObject, withDefaults } from '@polyak/core'
import type * as t from 'io-ts'
import { clip, commonOptionCodecs, type MujocoEnv, makeMujocoEnv, noisyInitialState } from './MujocoEnv.js'

/** The id Gymnasium registers. */
export const INVERTED_DOUBLE_PENDULUM_ID = 'InvertedDoublePendulum-v5'

/**
 * The MJCF of InvertedDoublePendulum, written from Gymnasium's `inverted_double_pendulum.xml` model facts.
 *
 * @example
 * ```ts
 * makeInvertedDoublePendulum({ xml: INVERTED_DOUBLE_PENDULUM_XML })
 * ```
 */
export const INVERTED_DOUBLE_PENDULUM_XML = `<mujoco model="inverted_double_pendulum">
  <compiler inertiafromgeom="true"/>
  <option gravity="1e-5 0 -9.81" integrator="RK4" timestep="0.01"/>
  <size memory="256K"/>
  <default>
    <joint damping="0.05"/>
    <geom contype="0" friction="1 0.1 0.1" rgba="0.7 0.7 0 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 -3.0" size="40 40 40" rgba="0.8 0.9 0.8 1"/>
    <geom name="rail" type="capsule" pos="0 0 0" quat="0.707 0 0.707 0" size="0.02 1" rgba="0.3 0.3 0.7 1"/>
    <body name="cart" pos="0 0 0">
      <joint name="slider" type="slide" axis="1 0 0" pos="0 0 0" limited="true" margin="0.01" range="-1 1"/>
      <geom name="cart" type="capsule" pos="0 0 0" quat="0.707 0 0.707 0" size="0.1 0.1"/>
      <body name="pole" pos="0 0 0">
        <joint name="hinge" type="hinge" axis="0 1 0" pos="0 0 0"/>
        <geom name="cpole" type="capsule" fromto="0 0 0 0 0 0.6" size="0.045 0.3" rgba="0 0.7 0.7 1"/>
        <body name="pole2" pos="0 0 0.6">
          <joint name="hinge2" type="hinge" axis="0 1 0" pos="0 0 0"/>
          <geom name="cpole2" type="capsule" fromto="0 0 0 0 0 0.6" size="0.045 0.3" rgba="0 0.7 0.7 1"/>
          <site name="tip" pos="0 0 0.6" size="0.01 0.01"/>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="slide" joint="slider" gear="500" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`

/**
 * The options of `makeInvertedDoublePendulum` (Gymnasium's v5 arguments in camelCase), with their defaults: `xml`
 * ({@link INVERTED_DOUBLE_PENDULUM_XML}), `frameSkip` 5, `healthyReward` 10, `resetNoiseScale` 0.1.
 *
 * @example
 * ```ts
 * decodeOrThrow(InvertedDoublePendulumOptionsCodec, {}).healthyReward // 10
 * ```
 */
export const InvertedDoublePendulumOptionsCodec = withDefaults(
  strictObject(`${INVERTED_DOUBLE_PENDULUM_ID} options`, { ...commonOptionCodecs, healthyReward: FiniteNumber }),
  { xml: INVERTED_DOUBLE_PENDULUM_XML, frameSkip: 5, healthyReward: 10, resetNoiseScale: 0.1 },
)

/**
 * The decoded options of InvertedDoublePendulum-v5.
 *
 * @example
 * ```ts
 * const options: InvertedDoublePendulumOptions = decodeOrThrow(InvertedDoublePendulumOptionsCodec, {})
 * ```
 */
export type InvertedDoublePendulumOptions = t.TypeOf<typeof InvertedDoublePendulumOptionsCodec>

/**
 * Makes an InvertedDoublePendulum-v5 env without a time limit (`makeEnv('InvertedDoublePendulum-v5')` adds
 * Gymnasium's 1000 steps). Needs `await loadMujoco()` first. Observation Box(−∞, ∞, (9,)), action Box(−1, 1, (1,)).
 *
 * @throws Error when MuJoCo is not loaded; ConfigError for an invalid option; MjcfError for an MJCF that does not load
 *   or has no site
 *
 * @example
 * ```ts
 * await loadMujoco()
 * const env = makeInvertedDoublePendulum()
 * env.reset({ seed: 0 })
 * const { reward, info } = env.step([0]) // about 10 − info.distance_penalty …
 * ```
 */
export const makeInvertedDoublePendulum = (
  options: PartialInputOf<typeof InvertedDoublePendulumOptionsCodec> = {},
): MujocoEnv => {
  const decoded = decodeOrThrow(
    InvertedDoublePendulumOptionsCodec,
    options,
    `options of ${INVERTED_DOUBLE_PENDULUM_ID}`,
  )
  return makeMujocoEnv({
    id: INVERTED_DOUBLE_PENDULUM_ID,
    xml: decoded.xml,
    frameSkip: decoded.frameSkip,
    makeTask: (simulation) => {
      const { nq, nv } = simulation
      if (simulation.nsite < 1) throw new Error(`${INVERTED_DOUBLE_PENDULUM_ID}: the MJCF model needs a site (the tip)`)
      const size = 1 + 2 * (nq - 1) + nv + 1
      return {
        observationSize: size,
        observe: () => {
          const qpos = simulation.qpos()
          const qvel = simulation.qvel()
          const observation = new Float32Array(size)
          observation[0] = qpos[0] ?? 0
          for (let i = 1; i < nq; i++) {
            observation[i] = Math.sin(qpos[i] ?? 0)
            observation[nq - 1 + i] = Math.cos(qpos[i] ?? 0)
          }
          for (let i = 0; i < nv; i++) observation[2 * nq - 1 + i] = clip(qvel[i] ?? 0, -10, 10)
          observation[size - 1] = clip(simulation.qfrcConstraint()[0] ?? 0, -10, 10)
          return observation
        },
        initialState: (_, key) => noisyInitialState(simulation, key, decoded.resetNoiseScale, 'normal'),
        resetInfo: () => ({}),
        step: (_, action) => {
          simulation.doSimulation(action, decoded.frameSkip)
          const sites = simulation.siteXpos()
          const x = sites[0] ?? 0
          const y = sites[2] ?? 0
          const qvel = simulation.qvel()
          const terminated = y <= 1
          const distancePenalty = 0.01 * x ** 2 + (y - 2) ** 2
          const velocityPenalty = 1e-3 * (qvel[1] ?? 0) ** 2 + 5e-3 * (qvel[2] ?? 0) ** 2
          const aliveBonus = terminated ? 0 : decoded.healthyReward
          return {
            reward: aliveBonus - distancePenalty - velocityPenalty,
            terminated,
            info: {
              reward_survive: aliveBonus,
              distance_penalty: -distancePenalty,
              velocity_penalty: -velocityPenalty,
            },
          }
        },
        camera: { plane: 'xz', pixelsPerMetre: 150, centre: [0, 0.5] },
      }
    },
  })
}
