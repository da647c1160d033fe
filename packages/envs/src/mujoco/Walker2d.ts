/**
 * `Walker2d-v5` (Gymnasium 1.x `mujoco/walker2d_v5.py` with `walker2d_v5.xml`): a planar two-legged robot walks
 * forward.
 *
 * Model: torso (capsule 0.4 m, radius 0.05) at z = 1.25 and two identical legs of thigh (0.45 m, r 0.05), leg (0.5 m,
 * r 0.04) and foot (0.2 m forward, r 0.06) on hinges limited to [−150°, 0], [−150°, 0] and ±45°, armature 0.01,
 * damping 0.1; root slide x, slide z (`ref` 1.25) and hinge pitch; density 1000, friction 0.9, but 1.9 on both feet
 * (v5; v4 had 0.9 on the right foot), condim 3; motor gears 100, controls in [−1, 1]; RK4 with timestep 0.002,
 * frame skip 4, so dt = 0.008.
 *
 * Observation (17): qpos without x (8) and clip(qvel, ±10) (9). Reward: Δx/dt + 1 while healthy − 0.001·Σa² (the
 * healthy reward only while healthy, v5). Healthy: z = qpos[1] in (0.8, 2) and angle = qpos[2] in (−1, 1), strict;
 * terminated when not healthy. Reset: qpos and qvel + U(±0.005). `info` as Hopper's. The registry truncates at 1000
 * steps; Gymnasium has no reward threshold for it.
 *
 * @module mujoco/Walker2d
 */
import { decodeOrThrow, type PartialInputOf, strictObject, withDefaults } from '@polyak/core'
import * as t from 'io-ts'
import { Interval, type MujocoEnv } from './MujocoEnv.js'
import { makePlanarLocomotionEnv, planarLocomotionOptionCodecs, strictlyWithin } from './planarLocomotion.js'

/** The id Gymnasium registers. */
export const WALKER2D_ID = 'Walker2d-v5'

/** One leg: thigh, leg and foot bodies with their hinges, under the torso; `suffix` tells the two apart. */
const walkerLeg = (suffix: string, rgba: string): string => `
      <body name="thigh${suffix}" pos="0 0 -0.2">
        <joint name="thigh${suffix}_joint" type="hinge" axis="0 -1 0" pos="0 0 0" range="-150 0"/>
        <geom name="thigh${suffix}_geom" type="capsule" pos="0 0 -0.225" size="0.05 0.225" friction="0.9"${rgba}/>
        <body name="leg${suffix}" pos="0 0 -0.7">
          <joint name="leg${suffix}_joint" type="hinge" axis="0 -1 0" pos="0 0 0.25" range="-150 0"/>
          <geom name="leg${suffix}_geom" type="capsule" size="0.04 0.25" friction="0.9"${rgba}/>
          <body name="foot${suffix}" pos="0.2 0 -0.35">
            <joint name="foot${suffix}_joint" type="hinge" axis="0 -1 0" pos="-0.2 0 0.1" range="-45 45"/>
            <geom name="foot${suffix}_geom" type="capsule" pos="-0.1 0 0.1" quat="0.7071067811865476 0 -0.7071067811865475 0" size="0.06 0.1" friction="1.9"${rgba}/>
          </body>
        </body>
      </body>`

/**
 * The MJCF of Walker2d v5, written from Gymnasium's `walker2d_v5.xml` model facts (its body frames; visual assets left
 * out).
 *
 * @example
 * ```ts
 * makeWalker2d({ xml: WALKER2D_XML })
 * ```
 */
export const WALKER2D_XML = `<mujoco model="walker2d">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.002"/>
  <size memory="1M"/>
  <default>
    <joint armature="0.01" damping="0.1" limited="true"/>
    <geom conaffinity="0" condim="3" contype="1" density="1000" friction="0.7 0.1 0.1" rgba="0.8 0.6 0.4 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" conaffinity="1" condim="3" pos="0 0 0" size="40 40 40" rgba="0.8 0.9 0.8 1"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 -1.25" armature="0" damping="0" stiffness="0" limited="false"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 -1.25" ref="1.25" armature="0" damping="0" stiffness="0" limited="false"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" armature="0" damping="0" stiffness="0" limited="false"/>
      <geom name="torso_geom" type="capsule" size="0.05 0.2" friction="0.9"/>${walkerLeg('', '')}${walkerLeg('_left', ' rgba="0.7 0.3 0.6 1"')}
    </body>
  </worldbody>
  <actuator>
    <motor joint="thigh_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="leg_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="foot_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="thigh_left_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="leg_left_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="foot_left_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`

/**
 * The options of `makeWalker2d` (Gymnasium's v5 arguments in camelCase), with their defaults: `xml`
 * ({@link WALKER2D_XML}), `frameSkip` 4, `forwardRewardWeight` 1, `ctrlCostWeight` 0.001, `healthyReward` 1,
 * `terminateWhenUnhealthy` true, `healthyZRange` [0.8, 2], `healthyAngleRange` [−1, 1], `resetNoiseScale` 0.005,
 * `excludeCurrentPositionsFromObservation` true.
 *
 * @example
 * ```ts
 * decodeOrThrow(Walker2dOptionsCodec, {}).healthyZRange // [0.8, 2]
 * ```
 */
export const Walker2dOptionsCodec = withDefaults(
  strictObject(`${WALKER2D_ID} options`, {
    ...planarLocomotionOptionCodecs,
    healthyZRange: Interval,
    healthyAngleRange: Interval,
    excludeCurrentPositionsFromObservation: t.boolean,
  }),
  {
    xml: WALKER2D_XML,
    frameSkip: 4,
    forwardRewardWeight: 1,
    ctrlCostWeight: 1e-3,
    healthyReward: 1,
    terminateWhenUnhealthy: true,
    healthyZRange: [0.8, 2],
    healthyAngleRange: [-1, 1],
    resetNoiseScale: 5e-3,
    excludeCurrentPositionsFromObservation: true,
  },
)

/**
 * The decoded options of Walker2d-v5.
 *
 * @example
 * ```ts
 * const options: Walker2dOptions = decodeOrThrow(Walker2dOptionsCodec, {})
 * ```
 */
export type Walker2dOptions = t.TypeOf<typeof Walker2dOptionsCodec>

/**
 * Makes a Walker2d-v5 env without a time limit (`makeEnv('Walker2d-v5')` adds Gymnasium's 1000 steps). Needs
 * `await loadMujoco()` first. Observation Box(−∞, ∞, (17,)), action Box(−1, 1, (6,)).
 *
 * @throws Error when MuJoCo is not loaded; ConfigError for an invalid option; MjcfError for an MJCF that does not load
 *
 * @example
 * ```ts
 * await loadMujoco()
 * const env = makeWalker2d()
 * env.reset({ seed: 0 })
 * env.step([0, 0, 0, 0, 0, 0])
 * ```
 */
export const makeWalker2d = (options: PartialInputOf<typeof Walker2dOptionsCodec> = {}): MujocoEnv => {
  const decoded = decodeOrThrow(Walker2dOptionsCodec, options, `options of ${WALKER2D_ID}`)
  return makePlanarLocomotionEnv(
    WALKER2D_ID,
    decoded,
    (qpos) =>
      strictlyWithin(qpos[1] ?? Number.NaN, decoded.healthyZRange) &&
      strictlyWithin(qpos[2] ?? Number.NaN, decoded.healthyAngleRange),
  )
}
