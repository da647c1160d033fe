/**
 * `HalfCheetah-v5` (Gymnasium 1.x `mujoco/half_cheetah_v5.py`): a planar two-legged "cheetah" runs forward.
 *
 * Model: a torso capsule (1 m, radius 0.046) with a head, and back and front legs of thigh, shin and foot capsules on
 * six hinges with springs (stiffness 240/180/120 and 180/120/60), damping (6/4.5/3 and 4.5/3/1.5) and armature 0.1;
 * the root is free in x, z and pitch (slide, slide, hinge; no armature, damping or stiffness); total mass 14 kg
 * (`settotalmass`); friction 0.4; motor gears 120/90/60/120/60/30, controls in [−1, 1]; Euler with timestep 0.01,
 * frame skip 5, so dt = 0.05.
 *
 * Observation (17): qpos without the root x (8) and qvel (9); `excludeCurrentPositionsFromObservation: false` keeps x
 * (18). Reward: `forwardRewardWeight`·Δx/dt − `ctrlCostWeight`·Σa² (1 and 0.1), never terminates. Reset: qpos +
 * U(±0.1), qvel + 0.1·N(0, 1). `info`: `x_position`, `x_velocity`, `reward_forward`, `reward_ctrl` (the negative
 * cost); the reset's info has `x_position`. The registry truncates at 1000 steps; solved at 4800.
 *
 * @module mujoco/HalfCheetah
 */
import { decodeOrThrow, type PartialInputOf, strictObject, withDefaults } from '@polyak/core'
import * as t from 'io-ts'
import {
  locomotionOptionCodecs,
  locomotionRewards,
  type MujocoEnv,
  makeMujocoEnv,
  noisyInitialState,
  positionsAndVelocities,
} from './MujocoEnv.js'

/** The id Gymnasium registers. */
export const HALF_CHEETAH_ID = 'HalfCheetah-v5'

/**
 * The MJCF of HalfCheetah, written from Gymnasium's `half_cheetah.xml` model facts (visual assets left out).
 *
 * @example
 * ```ts
 * makeHalfCheetah({ xml: HALF_CHEETAH_XML })
 * ```
 */
export const HALF_CHEETAH_XML = `<mujoco model="half_cheetah">
  <compiler angle="radian" inertiafromgeom="true" settotalmass="14"/>
  <option gravity="0 0 -9.81" timestep="0.01"/>
  <size memory="1M"/>
  <default>
    <joint armature="0.1" damping="0.01" limited="true" solimplimit="0 0.8 0.03" solreflimit="0.02 1" stiffness="8"/>
    <geom conaffinity="0" condim="3" contype="1" friction="0.4 0.1 0.1" rgba="0.8 0.6 0.4 1" solimp="0.0 0.8 0.01" solref="0.02 1"/>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" conaffinity="1" condim="3" pos="0 0 0" size="40 40 40" rgba="0.8 0.9 0.8 1"/>
    <body name="torso" pos="0 0 0.7">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 0" armature="0" damping="0" stiffness="0" limited="false"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 0" armature="0" damping="0" stiffness="0" limited="false"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" armature="0" damping="0" stiffness="0" limited="false"/>
      <geom name="torso" type="capsule" fromto="-0.5 0 0 0.5 0 0" size="0.046"/>
      <geom name="head" type="capsule" pos="0.6 0 0.1" axisangle="0 1 0 0.87" size="0.046 0.15"/>
      <body name="bthigh" pos="-0.5 0 0">
        <joint name="bthigh" type="hinge" axis="0 1 0" pos="0 0 0" range="-0.52 1.05" stiffness="240" damping="6"/>
        <geom name="bthigh" type="capsule" pos="0.1 0 -0.13" axisangle="0 1 0 -3.8" size="0.046 0.145"/>
        <body name="bshin" pos="0.16 0 -0.25">
          <joint name="bshin" type="hinge" axis="0 1 0" pos="0 0 0" range="-0.785 0.785" stiffness="180" damping="4.5"/>
          <geom name="bshin" type="capsule" pos="-0.14 0 -0.07" axisangle="0 1 0 -2.03" size="0.046 0.15" rgba="0.9 0.6 0.6 1"/>
          <body name="bfoot" pos="-0.28 0 -0.14">
            <joint name="bfoot" type="hinge" axis="0 1 0" pos="0 0 0" range="-0.4 0.785" stiffness="120" damping="3"/>
            <geom name="bfoot" type="capsule" pos="0.03 0 -0.097" axisangle="0 1 0 -0.27" size="0.046 0.094" rgba="0.9 0.6 0.6 1"/>
          </body>
        </body>
      </body>
      <body name="fthigh" pos="0.5 0 0">
        <joint name="fthigh" type="hinge" axis="0 1 0" pos="0 0 0" range="-1 0.7" stiffness="180" damping="4.5"/>
        <geom name="fthigh" type="capsule" pos="-0.07 0 -0.12" axisangle="0 1 0 0.52" size="0.046 0.133"/>
        <body name="fshin" pos="-0.14 0 -0.24">
          <joint name="fshin" type="hinge" axis="0 1 0" pos="0 0 0" range="-1.2 0.87" stiffness="120" damping="3"/>
          <geom name="fshin" type="capsule" pos="0.065 0 -0.09" axisangle="0 1 0 -0.6" size="0.046 0.106" rgba="0.9 0.6 0.6 1"/>
          <body name="ffoot" pos="0.13 0 -0.18">
            <joint name="ffoot" type="hinge" axis="0 1 0" pos="0 0 0" range="-0.5 0.5" stiffness="60" damping="1.5"/>
            <geom name="ffoot" type="capsule" pos="0.045 0 -0.07" axisangle="0 1 0 -0.6" size="0.046 0.07" rgba="0.9 0.6 0.6 1"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="bthigh" joint="bthigh" gear="120"/>
    <motor name="bshin" joint="bshin" gear="90"/>
    <motor name="bfoot" joint="bfoot" gear="60"/>
    <motor name="fthigh" joint="fthigh" gear="120"/>
    <motor name="fshin" joint="fshin" gear="60"/>
    <motor name="ffoot" joint="ffoot" gear="30"/>
  </actuator>
</mujoco>
`

/**
 * The options of `makeHalfCheetah` (Gymnasium's v5 arguments in camelCase), with their defaults: `xml`
 * ({@link HALF_CHEETAH_XML}), `frameSkip` 5, `forwardRewardWeight` 1, `ctrlCostWeight` 0.1, `resetNoiseScale` 0.1,
 * `excludeCurrentPositionsFromObservation` true.
 *
 * @example
 * ```ts
 * decodeOrThrow(HalfCheetahOptionsCodec, { ctrlCostWeight: 0 }).forwardRewardWeight // 1
 * ```
 */
export const HalfCheetahOptionsCodec = withDefaults(
  strictObject(`${HALF_CHEETAH_ID} options`, {
    ...locomotionOptionCodecs,
    excludeCurrentPositionsFromObservation: t.boolean,
  }),
  {
    xml: HALF_CHEETAH_XML,
    frameSkip: 5,
    forwardRewardWeight: 1,
    ctrlCostWeight: 0.1,
    resetNoiseScale: 0.1,
    excludeCurrentPositionsFromObservation: true,
  },
)

/**
 * The decoded options of HalfCheetah-v5.
 *
 * @example
 * ```ts
 * const options: HalfCheetahOptions = decodeOrThrow(HalfCheetahOptionsCodec, {})
 * ```
 */
export type HalfCheetahOptions = t.TypeOf<typeof HalfCheetahOptionsCodec>

/**
 * Makes a HalfCheetah-v5 env without a time limit (`makeEnv('HalfCheetah-v5')` adds Gymnasium's 1000 steps). Needs
 * `await loadMujoco()` first. Observation Box(−∞, ∞, (17,)), action Box(−1, 1, (6,)).
 *
 * @throws Error when MuJoCo is not loaded; ConfigError for an invalid option; MjcfError for an MJCF that does not load
 *
 * @example
 * ```ts
 * await loadMujoco()
 * const env = makeHalfCheetah()
 * env.reset({ seed: 0 })
 * const { reward, info } = env.step([0, 0, 0, 0, 0, 0]) // reward === info.reward_forward
 * ```
 */
export const makeHalfCheetah = (options: PartialInputOf<typeof HalfCheetahOptionsCodec> = {}): MujocoEnv => {
  const decoded = decodeOrThrow(HalfCheetahOptionsCodec, options, `options of ${HALF_CHEETAH_ID}`)
  return makeMujocoEnv({
    id: HALF_CHEETAH_ID,
    xml: decoded.xml,
    frameSkip: decoded.frameSkip,
    makeTask: (simulation, dt) => {
      const { nq, nv } = simulation
      const skip = decoded.excludeCurrentPositionsFromObservation ? 1 : 0
      return {
        observationSize: nq - skip + nv,
        observe: () => positionsAndVelocities(simulation, skip, nq - skip + nv),
        initialState: (_, key) => noisyInitialState(simulation, key, decoded.resetNoiseScale, 'normal'),
        resetInfo: () => ({ x_position: simulation.qpos()[0] ?? 0 }),
        step: (_, action) => {
          const xBefore = simulation.qpos()[0] ?? 0
          simulation.doSimulation(action, decoded.frameSkip)
          const xAfter = simulation.qpos()[0] ?? 0
          const xVelocity = (xAfter - xBefore) / dt
          const { forwardReward, ctrlCost } = locomotionRewards(decoded, xVelocity, action)
          return {
            reward: forwardReward - ctrlCost,
            terminated: false,
            info: {
              x_position: xAfter,
              x_velocity: xVelocity,
              reward_forward: forwardReward,
              reward_ctrl: -ctrlCost,
            },
          }
        },
        camera: { plane: 'xz', pixelsPerMetre: 120, centre: [0, 0.6], trackBody: 1 },
      }
    },
  })
}
