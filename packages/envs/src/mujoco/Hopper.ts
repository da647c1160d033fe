/**
 * `Hopper-v5` (Gymnasium 1.x `mujoco/hopper_v5.py`): a one-legged planar robot hops forward.
 *
 * Model: torso (capsule 0.4 m, radius 0.05) at z = 1.25, thigh (0.45 m, r 0.05), leg (0.5 m, r 0.04) and foot
 * (0.39 m, r 0.06, friction 2) on three hinges limited to [−150°, 0], [−150°, 0] and ±45°, armature 1, damping 1;
 * root slide x, slide z (`ref` 1.25, so qpos[1] is the torso height) and hinge pitch without armature or damping;
 * density 1000, torso/thigh/leg friction 0.9, contact margin 0.001, solref 0.02 1, solimp 0.8 0.8 0.01; motor gears
 * 200, controls in [−1, 1]; RK4 with timestep 0.002, frame skip 4, so dt = 0.008.
 *
 * Observation (11): qpos without x (5) and clip(qvel, ±10) (6). Reward: Δx/dt + 1 while healthy − 0.001·Σa²; v5 pays
 * the healthy reward **only while healthy** (so nothing on the terminal step). Healthy: every value of
 * (qpos, qvel)[2:] in (−100, 100), z = qpos[1] in (0.7, ∞) and angle = qpos[2] in (−0.2, 0.2), all strict;
 * terminated when not healthy. Reset: qpos and qvel + U(±0.005) around [0, 1.25, 0, 0, 0, 0] and 0. `info`:
 * `x_position`, `z_distance_from_origin`, `x_velocity`, `reward_forward`, `reward_ctrl`, `reward_survive`. The registry
 * truncates at 1000 steps; solved at 3800.
 *
 * @module mujoco/Hopper
 */
import { decodeOrThrow, type PartialInputOf, strictObject, withDefaults } from '@polyak/core'
import * as t from 'io-ts'
import { Interval, type MujocoEnv } from './MujocoEnv.js'
import { makePlanarLocomotionEnv, planarLocomotionOptionCodecs, strictlyWithin } from './planarLocomotion.js'

/** The id Gymnasium registers. */
export const HOPPER_ID = 'Hopper-v5'

/**
 * The MJCF of Hopper, written from Gymnasium's `hopper.xml` model facts (the v5 asset's body frames, each body's frame
 * at the middle of its capsule; visual assets left out).
 *
 * @example
 * ```ts
 * makeHopper({ xml: HOPPER_XML })
 * ```
 */
export const HOPPER_XML = `<mujoco model="hopper">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.002"/>
  <size memory="1M"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom conaffinity="1" condim="1" contype="1" margin="0.001" solimp="0.8 0.8 0.01" solref="0.02 1" rgba="0.8 0.6 0.4 1"/>
    <motor ctrllimited="true" ctrlrange="-0.4 0.4"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" conaffinity="1" condim="3" pos="0 0 0" size="20 20 0.125" rgba="0.8 0.9 0.8 1"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 -1.25" armature="0" damping="0" stiffness="0" limited="false"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 -1.25" ref="1.25" armature="0" damping="0" stiffness="0" limited="false"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" armature="0" damping="0" stiffness="0" limited="false"/>
      <geom name="torso_geom" type="capsule" size="0.05 0.2" friction="0.9"/>
      <body name="thigh" pos="0 0 -0.2">
        <joint name="thigh_joint" type="hinge" axis="0 -1 0" pos="0 0 0" range="-150 0"/>
        <geom name="thigh_geom" type="capsule" pos="0 0 -0.225" size="0.05 0.225" friction="0.9"/>
        <body name="leg" pos="0 0 -0.7">
          <joint name="leg_joint" type="hinge" axis="0 -1 0" pos="0 0 0.25" range="-150 0"/>
          <geom name="leg_geom" type="capsule" size="0.04 0.25" friction="0.9"/>
          <body name="foot" pos="0.13 0 -0.35">
            <joint name="foot_joint" type="hinge" axis="0 -1 0" pos="-0.13 0 0.1" range="-45 45"/>
            <geom name="foot_geom" type="capsule" pos="-0.065 0 0.1" quat="0.7071067811865476 0 -0.7071067811865475 0" size="0.06 0.195" friction="2.0"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor joint="thigh_joint" gear="200" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="leg_joint" gear="200" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="foot_joint" gear="200" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`

/**
 * The options of `makeHopper` (Gymnasium's v5 arguments in camelCase), with their defaults: `xml` ({@link HOPPER_XML}),
 * `frameSkip` 4, `forwardRewardWeight` 1, `ctrlCostWeight` 0.001, `healthyReward` 1, `terminateWhenUnhealthy` true,
 * `healthyStateRange` [−100, 100], `healthyZRange` [0.7, ∞], `healthyAngleRange` [−0.2, 0.2], `resetNoiseScale`
 * 0.005, `excludeCurrentPositionsFromObservation` true.
 *
 * @example
 * ```ts
 * decodeOrThrow(HopperOptionsCodec, { terminateWhenUnhealthy: false }).healthyZRange // [0.7, Infinity]
 * ```
 */
export const HopperOptionsCodec = withDefaults(
  strictObject(`${HOPPER_ID} options`, {
    ...planarLocomotionOptionCodecs,
    healthyStateRange: Interval,
    healthyZRange: Interval,
    healthyAngleRange: Interval,
    excludeCurrentPositionsFromObservation: t.boolean,
  }),
  {
    xml: HOPPER_XML,
    frameSkip: 4,
    forwardRewardWeight: 1,
    ctrlCostWeight: 1e-3,
    healthyReward: 1,
    terminateWhenUnhealthy: true,
    healthyStateRange: [-100, 100],
    healthyZRange: [0.7, Number.POSITIVE_INFINITY],
    healthyAngleRange: [-0.2, 0.2],
    resetNoiseScale: 5e-3,
    excludeCurrentPositionsFromObservation: true,
  },
)

/**
 * The decoded options of Hopper-v5.
 *
 * @example
 * ```ts
 * const options: HopperOptions = decodeOrThrow(HopperOptionsCodec, {})
 * ```
 */
export type HopperOptions = t.TypeOf<typeof HopperOptionsCodec>

/**
 * Hopper-v5's health rule: (qpos, qvel)[2:] strictly inside `healthyStateRange`, z = qpos[1] strictly inside
 * `healthyZRange`, angle = qpos[2] strictly inside `healthyAngleRange`.
 *
 * @example
 * ```ts
 * hopperIsHealthy(decodeOrThrow(HopperOptionsCodec, {}), [0, 1.25, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]) // true
 * ```
 */
export const hopperIsHealthy = (
  options: Pick<HopperOptions, 'healthyStateRange' | 'healthyZRange' | 'healthyAngleRange'>,
  qpos: ArrayLike<number>,
  qvel: ArrayLike<number>,
): boolean => {
  for (let i = 2; i < qpos.length; i++)
    if (!strictlyWithin(qpos[i] ?? Number.NaN, options.healthyStateRange)) return false
  for (let i = 0; i < qvel.length; i++)
    if (!strictlyWithin(qvel[i] ?? Number.NaN, options.healthyStateRange)) return false
  return (
    strictlyWithin(qpos[1] ?? Number.NaN, options.healthyZRange) &&
    strictlyWithin(qpos[2] ?? Number.NaN, options.healthyAngleRange)
  )
}

/**
 * Makes a Hopper-v5 env without a time limit (`makeEnv('Hopper-v5')` adds Gymnasium's 1000 steps). Needs
 * `await loadMujoco()` first. Observation Box(−∞, ∞, (11,)), action Box(−1, 1, (3,)).
 *
 * @throws Error when MuJoCo is not loaded; ConfigError for an invalid option; MjcfError for an MJCF that does not load
 *
 * @example
 * ```ts
 * await loadMujoco()
 * const env = makeHopper()
 * env.reset({ seed: 0 })
 * const { info } = env.step([0, 0, 0]) // info.reward_survive === 1 while healthy
 * ```
 */
export const makeHopper = (options: PartialInputOf<typeof HopperOptionsCodec> = {}): MujocoEnv => {
  const decoded = decodeOrThrow(HopperOptionsCodec, options, `options of ${HOPPER_ID}`)
  return makePlanarLocomotionEnv(HOPPER_ID, decoded, (qpos, qvel) => hopperIsHealthy(decoded, qpos, qvel))
}
