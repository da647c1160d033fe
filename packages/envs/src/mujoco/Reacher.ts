/**
 * `Reacher-v5` (Gymnasium 1.x `mujoco/reacher_v5.py`): a two-link arm in the plane moves its fingertip to a random
 * target.
 *
 * Model (seen from above, gravity along −z so it plays no part): two 0.1 m links (capsules, radius 0.01) on hinges
 * about z, the first unlimited, the second limited to ±3 rad, armature 1, damping 1, a fingertip at 0.11 m on the
 * second link; the target is a small sphere on two slide joints (x, y) limited to ±0.27 m; no contacts; motor gears
 * 200, controls in [−1, 1]; RK4 with timestep 0.01, frame skip 2, so dt = 0.02.
 *
 * Observation (10, v5): [cos θ₁, cos θ₂, sin θ₁, sin θ₂, target x, target y, θ̇₁, θ̇₂, (fingertip − target) x, y].
 * Reward, on the state after the step (v5; v4 used the state before): −`rewardDistWeight`·‖fingertip − target‖ −
 * `rewardControlWeight`·Σa², weights 1 and 1 (the weight of 0.1 in Gymnasium's docstring is not its code's default). Never terminates. Reset: arm angles U(±0.1), arm velocities
 * U(±0.005); the target uniform in the disc of radius 0.2 (rejection sampling in [−0.2, 0.2]²) with zero velocity.
 * `info`: `reward_dist`, `reward_ctrl`. Gymnasium registers it with a 50-step limit (kept here) and a threshold of
 * −3.75.
 *
 * @module mujoco/Reacher
 */
import {
  decodeOrThrow,
  FiniteNumber,
  type PartialInputOf,
  PositiveInt,
  Rng,
  strictObject,
  withDefaults,
} from '@polyak/core'
import * as t from 'io-ts'
import { type MujocoEnv, makeMujocoEnv, plus, sumOfSquares, uniformNoise } from './MujocoEnv.js'

/** The id Gymnasium registers. */
export const REACHER_ID = 'Reacher-v5'

/**
 * The MJCF of Reacher, written from Gymnasium's `reacher.xml` model facts.
 *
 * @example
 * ```ts
 * makeReacher({ xml: REACHER_XML })
 * ```
 */
export const REACHER_XML = `<mujoco model="reacher">
  <compiler angle="radian" inertiafromgeom="true"/>
  <option gravity="0 0 -9.81" integrator="RK4" timestep="0.01"/>
  <size memory="256K"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom contype="0" friction="1 0.1 0.1" rgba="0.7 0.7 0 1"/>
  </default>
  <worldbody>
    <geom name="ground" type="plane" conaffinity="0" contype="0" pos="0 0 0" size="1 1 10" rgba="0.9 0.9 0.9 1"/>
    <geom name="sideS" type="capsule" conaffinity="0" fromto="-0.3 -0.3 0.01 0.3 -0.3 0.01" size="0.02" rgba="0.9 0.4 0.6 1"/>
    <geom name="sideE" type="capsule" conaffinity="0" fromto="0.3 -0.3 0.01 0.3 0.3 0.01" size="0.02" rgba="0.9 0.4 0.6 1"/>
    <geom name="sideN" type="capsule" conaffinity="0" fromto="-0.3 0.3 0.01 0.3 0.3 0.01" size="0.02" rgba="0.9 0.4 0.6 1"/>
    <geom name="sideW" type="capsule" conaffinity="0" fromto="-0.3 -0.3 0.01 -0.3 0.3 0.01" size="0.02" rgba="0.9 0.4 0.6 1"/>
    <geom name="root" type="cylinder" conaffinity="0" contype="0" fromto="0 0 0 0 0 0.02" size="0.011" rgba="0.9 0.4 0.6 1"/>
    <body name="body0" pos="0 0 0.01">
      <geom name="link0" type="capsule" fromto="0 0 0 0.1 0 0" size="0.01" rgba="0.0 0.4 0.6 1"/>
      <joint name="joint0" type="hinge" axis="0 0 1" pos="0 0 0" limited="false"/>
      <body name="body1" pos="0.1 0 0">
        <joint name="joint1" type="hinge" axis="0 0 1" pos="0 0 0" limited="true" range="-3.0 3.0"/>
        <geom name="link1" type="capsule" fromto="0 0 0 0.1 0 0" size="0.01" rgba="0.0 0.4 0.6 1"/>
        <body name="fingertip" pos="0.11 0 0">
          <geom name="fingertip" type="sphere" contype="0" pos="0 0 0" size="0.01" rgba="0.0 0.8 0.6 1"/>
        </body>
      </body>
    </body>
    <body name="target" pos="0.1 -0.1 0.01">
      <joint name="target_x" type="slide" axis="1 0 0" pos="0 0 0" range="-0.27 0.27" ref="0.1" armature="0" damping="0" stiffness="0" limited="true"/>
      <joint name="target_y" type="slide" axis="0 1 0" pos="0 0 0" range="-0.27 0.27" ref="-0.1" armature="0" damping="0" stiffness="0" limited="true"/>
      <geom name="target" type="sphere" conaffinity="0" contype="0" pos="0 0 0" size="0.009" rgba="0.9 0.2 0.2 1"/>
    </body>
  </worldbody>
  <actuator>
    <motor joint="joint0" gear="200" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="joint1" gear="200" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`

/**
 * The options of `makeReacher` (Gymnasium's v5 arguments in camelCase), with their defaults: `xml`
 * ({@link REACHER_XML}), `frameSkip` 2, `rewardDistWeight` 1, `rewardControlWeight` 1. (Gymnasium's Reacher has no
 * reset noise argument.)
 *
 * @example
 * ```ts
 * decodeOrThrow(ReacherOptionsCodec, {}).rewardControlWeight // 1
 * ```
 */
export const ReacherOptionsCodec = withDefaults(
  strictObject(`${REACHER_ID} options`, {
    xml: t.string,
    frameSkip: PositiveInt,
    rewardDistWeight: FiniteNumber,
    rewardControlWeight: FiniteNumber,
  }),
  { xml: REACHER_XML, frameSkip: 2, rewardDistWeight: 1, rewardControlWeight: 1 },
)

/**
 * The decoded options of Reacher-v5.
 *
 * @example
 * ```ts
 * const options: ReacherOptions = decodeOrThrow(ReacherOptionsCodec, {})
 * ```
 */
export type ReacherOptions = t.TypeOf<typeof ReacherOptionsCodec>

/** The target's draw: the first point of U[−0.2, 0.2]² inside the disc of radius 0.2 (attempt n uses foldIn(key, n)). */
const drawGoal = (key: Rng.Key): readonly [number, number] => {
  for (let attempt = 0; ; attempt++) {
    const [x = 0, y = 0] = Rng.uniform(Rng.foldIn(key, attempt), 2, -0.2, 0.2)
    if (Math.hypot(x, y) < 0.2) return [x, y]
  }
}

/**
 * Makes a Reacher-v5 env without a time limit (`makeEnv('Reacher-v5')` adds Gymnasium's 50 steps). Needs
 * `await loadMujoco()` first. Observation Box(−∞, ∞, (10,)), action Box(−1, 1, (2,)).
 *
 * @throws Error when MuJoCo is not loaded; ConfigError for an invalid option; MjcfError for an MJCF that does not load
 *   or lacks the bodies `fingertip` and `target`
 *
 * @example
 * ```ts
 * await loadMujoco()
 * const env = makeReacher()
 * env.reset({ seed: 0 })
 * const { reward, info } = env.step([0.1, -0.1]) // reward === info.reward_dist + info.reward_ctrl
 * ```
 */
export const makeReacher = (options: PartialInputOf<typeof ReacherOptionsCodec> = {}): MujocoEnv => {
  const decoded = decodeOrThrow(ReacherOptionsCodec, options, `options of ${REACHER_ID}`)
  return makeMujocoEnv({
    id: REACHER_ID,
    xml: decoded.xml,
    frameSkip: decoded.frameSkip,
    makeTask: (simulation) => {
      const { nq, nv } = simulation
      const fingertip = simulation.bodyId('fingertip')
      const target = simulation.bodyId('target')
      if (fingertip < 0 || target < 0) {
        throw new Error(`${REACHER_ID}: the MJCF model needs bodies named 'fingertip' and 'target'`)
      }
      /** fingertip − target, from the bodies' frames (Gymnasium's `get_body_com` reads `xpos`). */
      const offset = (): readonly [number, number, number] => {
        const xpos = simulation.xpos()
        return [
          (xpos[3 * fingertip] ?? 0) - (xpos[3 * target] ?? 0),
          (xpos[3 * fingertip + 1] ?? 0) - (xpos[3 * target + 1] ?? 0),
          (xpos[3 * fingertip + 2] ?? 0) - (xpos[3 * target + 2] ?? 0),
        ]
      }
      const size = 4 + (nq - 2) + 2 + 2
      return {
        observationSize: size,
        observe: () => {
          const qpos = simulation.qpos()
          const qvel = simulation.qvel()
          const observation = new Float32Array(size)
          observation[0] = Math.cos(qpos[0] ?? 0)
          observation[1] = Math.cos(qpos[1] ?? 0)
          observation[2] = Math.sin(qpos[0] ?? 0)
          observation[3] = Math.sin(qpos[1] ?? 0)
          observation.set(qpos.subarray(2), 4)
          observation[nq + 2] = qvel[0] ?? 0
          observation[nq + 3] = qvel[1] ?? 0
          const [dx, dy] = offset()
          observation[nq + 4] = dx
          observation[nq + 5] = dy
          return observation
        },
        initialState: (_, key) => {
          const [qposKey, goalKey, qvelKey] = Rng.split(key, 3)
          const qpos = uniformNoise(qposKey, nq, 0.1).map((noise, i) => noise + (simulation.qpos0[i] ?? 0))
          const [goalX, goalY] = drawGoal(goalKey)
          qpos[nq - 2] = goalX
          qpos[nq - 1] = goalY
          const qvel = plus(new Float64Array(nv), uniformNoise(qvelKey, nv, 0.005))
          qvel[nv - 2] = 0
          qvel[nv - 1] = 0
          return { qpos, qvel }
        },
        resetInfo: () => ({}),
        step: (_, action) => {
          simulation.doSimulation(action, decoded.frameSkip)
          const rewardDist = -Math.hypot(...offset()) * decoded.rewardDistWeight
          const rewardCtrl = -sumOfSquares(action) * decoded.rewardControlWeight
          return {
            reward: rewardDist + rewardCtrl,
            terminated: false,
            info: { reward_dist: rewardDist, reward_ctrl: rewardCtrl },
          }
        },
        camera: { plane: 'xy', pixelsPerMetre: 700, centre: [0, 0] },
      }
    },
  })
}
