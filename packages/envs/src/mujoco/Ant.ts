/**
 * `Ant-v5` (Gymnasium 1.x `mujoco/ant_v5.py`): a four-legged robot walks forward (+x) in 3-D.
 *
 * Model: a torso sphere (radius 0.25) on a free joint at z = 0.75 and four legs, each an upper segment fixed to the
 * torso, a hip hinge about z (±30°) and an ankle hinge (30°–70° in magnitude) with capsules of radius 0.08 (0.28 m
 * hip link, 0.28 m thigh, 0.57 m shin); density 5, friction 1 0.5 0.5, contact margin 0.01, joint armature 1 and
 * damping 1; motor gears 150, controls in [−1, 1]; RK4 with timestep 0.01, frame skip 5, so dt = 0.05.
 *
 * Observation (105, v5 default with contact forces): qpos without x, y (13), qvel (14), and clip(cfrc_ext, ±1) of every
 * body but the world (13 × 6 = 78), computed by `mj_rnePostConstraint` after the step (zero after a reset, as in
 * Gymnasium); `includeCfrcExtInObservation: false` gives 27, `excludeCurrentPositionsFromObservation: false` adds x, y.
 * Reward: Δx/dt of the torso's frame + 1 while healthy − 0.5·Σa² − 5e-4·Σ clip(cfrc_ext, ±1)². Healthy: the state is
 * finite and the torso height qpos[2] is in [0.2, 1] (inclusive); terminated when not healthy. Reset: qpos + U(±0.1)
 * (the quaternion too, unnormalised, as Gymnasium), qvel + 0.1·N(0, 1). `info`: `x_position`, `y_position`,
 * `distance_from_origin`, `x_velocity`, `y_velocity`, `reward_forward`, `reward_ctrl`, `reward_contact`,
 * `reward_survive`. The registry truncates at 1000 steps; solved at 6000.
 *
 * @module mujoco/Ant
 */
import {
  decodeOrThrow,
  FiniteNumber,
  NonNegativeInt,
  type PartialInputOf,
  strictObject,
  withDefaults,
} from '@polyak/core'
import * as t from 'io-ts'
import {
  clip,
  Interval,
  locomotionOptionCodecs,
  locomotionRewards,
  type MujocoEnv,
  makeMujocoEnv,
  noisyInitialState,
  positionsAndVelocities,
} from './MujocoEnv.js'

/** The id Gymnasium registers. */
export const ANT_ID = 'Ant-v5'

/**
 * One leg: a body at the torso's centre with the upper segment towards (dx, dy)·0.2, the hip body there with its
 * hinge about z, and the ankle body 0.2 further with its hinge about `ankleAxis`.
 */
const antLeg = (
  name: string,
  index: number,
  dx: number,
  dy: number,
  ankleAxis: string,
  ankleRange: string,
  geoms: readonly [string, string, string],
): string => {
  const p = (scale: number): string => `${dx * scale} ${dy * scale} 0`
  return `
      <body name="${name}" pos="0 0 0">
        <geom name="${geoms[0]}" type="capsule" fromto="0 0 0 ${p(0.2)}" size="0.08"/>
        <body name="aux_${index}" pos="${p(0.2)}">
          <joint name="hip_${index}" type="hinge" axis="0 0 1" pos="0 0 0" range="-30 30"/>
          <geom name="${geoms[1]}" type="capsule" fromto="0 0 0 ${p(0.2)}" size="0.08"/>
          <body pos="${p(0.2)}">
            <joint name="ankle_${index}" type="hinge" axis="${ankleAxis}" pos="0 0 0" range="${ankleRange}"/>
            <geom name="${geoms[2]}" type="capsule" fromto="0 0 0 ${p(0.4)}" size="0.08"/>
          </body>
        </body>
      </body>`
}

/**
 * The MJCF of Ant, written from Gymnasium's `ant.xml` model facts (visual assets left out).
 *
 * @example
 * ```ts
 * makeAnt({ xml: ANT_XML })
 * ```
 */
export const ANT_XML = `<mujoco model="ant">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.01"/>
  <size memory="2M"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom conaffinity="0" condim="3" density="5.0" friction="1 0.5 0.5" margin="0.01" rgba="0.8 0.6 0.4 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" conaffinity="1" condim="3" pos="0 0 0" size="40 40 40" rgba="0.8 0.9 0.8 1"/>
    <body name="torso" pos="0 0 0.75">
      <geom name="torso_geom" type="sphere" pos="0 0 0" size="0.25"/>
      <joint name="root" type="free" pos="0 0 0" armature="0" damping="0" limited="false" margin="0.01"/>${antLeg('front_left_leg', 1, 1, 1, '-1 1 0', '30 70', ['aux_1_geom', 'left_leg_geom', 'left_ankle_geom'])}${antLeg('front_right_leg', 2, -1, 1, '1 1 0', '-70 -30', ['aux_2_geom', 'right_leg_geom', 'right_ankle_geom'])}${antLeg('back_leg', 3, -1, -1, '-1 1 0', '-70 -30', ['aux_3_geom', 'back_leg_geom', 'third_ankle_geom'])}${antLeg('right_back_leg', 4, 1, -1, '1 1 0', '30 70', ['aux_4_geom', 'rightback_leg_geom', 'fourth_ankle_geom'])}
    </body>
  </worldbody>
  <actuator>
    <motor joint="hip_4" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_4" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="hip_1" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_1" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="hip_2" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_2" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="hip_3" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_3" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`

/**
 * The options of `makeAnt` (Gymnasium's v5 arguments in camelCase), with their defaults: `xml` ({@link ANT_XML}),
 * `frameSkip` 5, `forwardRewardWeight` 1, `ctrlCostWeight` 0.5, `contactCostWeight` 5e-4, `healthyReward` 1,
 * `mainBody` 1 (the torso; a body index or name), `terminateWhenUnhealthy` true, `healthyZRange` [0.2, 1],
 * `contactForceRange` [−1, 1], `resetNoiseScale` 0.1, `excludeCurrentPositionsFromObservation` true,
 * `includeCfrcExtInObservation` true.
 *
 * @example
 * ```ts
 * decodeOrThrow(AntOptionsCodec, { includeCfrcExtInObservation: false }).ctrlCostWeight // 0.5
 * ```
 */
export const AntOptionsCodec = withDefaults(
  strictObject(`${ANT_ID} options`, {
    ...locomotionOptionCodecs,
    contactCostWeight: FiniteNumber,
    healthyReward: FiniteNumber,
    mainBody: t.union([NonNegativeInt, t.string]),
    terminateWhenUnhealthy: t.boolean,
    healthyZRange: Interval,
    contactForceRange: Interval,
    excludeCurrentPositionsFromObservation: t.boolean,
    includeCfrcExtInObservation: t.boolean,
  }),
  {
    xml: ANT_XML,
    frameSkip: 5,
    forwardRewardWeight: 1,
    ctrlCostWeight: 0.5,
    contactCostWeight: 5e-4,
    healthyReward: 1,
    mainBody: 1,
    terminateWhenUnhealthy: true,
    healthyZRange: [0.2, 1],
    contactForceRange: [-1, 1],
    resetNoiseScale: 0.1,
    excludeCurrentPositionsFromObservation: true,
    includeCfrcExtInObservation: true,
  },
)

/**
 * The decoded options of Ant-v5.
 *
 * @example
 * ```ts
 * const options: AntOptions = decodeOrThrow(AntOptionsCodec, {})
 * ```
 */
export type AntOptions = t.TypeOf<typeof AntOptionsCodec>

/**
 * Makes an Ant-v5 env without a time limit (`makeEnv('Ant-v5')` adds Gymnasium's 1000 steps). Needs
 * `await loadMujoco()` first. Observation Box(−∞, ∞, (105,)), action Box(−1, 1, (8,)).
 *
 * @throws Error when MuJoCo is not loaded or `mainBody` names no body; ConfigError for an invalid option; MjcfError
 *   for an MJCF that does not load
 *
 * @example
 * ```ts
 * await loadMujoco()
 * const env = makeAnt()
 * env.reset({ seed: 0 })
 * const { info } = env.step(new Float32Array(8)) // info.reward_contact <= 0
 * ```
 */
export const makeAnt = (options: PartialInputOf<typeof AntOptionsCodec> = {}): MujocoEnv => {
  const decoded = decodeOrThrow(AntOptionsCodec, options, `options of ${ANT_ID}`)
  return makeMujocoEnv({
    id: ANT_ID,
    xml: decoded.xml,
    frameSkip: decoded.frameSkip,
    makeTask: (simulation, dt) => {
      const { nq, nv, nbody } = simulation
      const mainBody = typeof decoded.mainBody === 'number' ? decoded.mainBody : simulation.bodyId(decoded.mainBody)
      if (mainBody < 0 || mainBody >= nbody) {
        throw new Error(`${ANT_ID}: mainBody ${JSON.stringify(decoded.mainBody)} is not a body of the model`)
      }
      const [forceLow, forceHigh] = decoded.contactForceRange
      const skip = decoded.excludeCurrentPositionsFromObservation ? 2 : 0
      const forces = decoded.includeCfrcExtInObservation ? (nbody - 1) * 6 : 0
      const size = nq - skip + nv + forces
      /** Σ clip(cfrc_ext, range)² over every body (the world's row is zero). */
      const contactCost = (): number => {
        const cfrc = simulation.cfrcExt()
        let sum = 0
        for (let i = 0; i < cfrc.length; i++) sum += clip(cfrc[i] ?? 0, forceLow, forceHigh) ** 2
        return decoded.contactCostWeight * sum
      }
      const isHealthy = (): boolean => {
        const qpos = simulation.qpos()
        const z = qpos[2] ?? Number.NaN
        return (
          qpos.every(Number.isFinite) &&
          simulation.qvel().every(Number.isFinite) &&
          decoded.healthyZRange[0] <= z &&
          z <= decoded.healthyZRange[1]
        )
      }
      const positionInfo = () => {
        const qpos = simulation.qpos()
        const x = qpos[0] ?? 0
        const y = qpos[1] ?? 0
        return {
          x_position: x,
          y_position: y,
          distance_from_origin: Math.hypot(x, y),
        }
      }
      return {
        observationSize: size,
        observe: () => {
          const observation = positionsAndVelocities(simulation, skip, size)
          if (forces > 0) {
            const cfrc = simulation.cfrcExt()
            for (let i = 0; i < forces; i++)
              observation[nq - skip + nv + i] = clip(cfrc[6 + i] ?? 0, forceLow, forceHigh)
          }
          return observation
        },
        initialState: (_, key) => noisyInitialState(simulation, key, decoded.resetNoiseScale, 'normal'),
        resetInfo: positionInfo,
        step: (_, action) => {
          const before = simulation.xpos()
          const xBefore = before[3 * mainBody] ?? 0
          const yBefore = before[3 * mainBody + 1] ?? 0
          simulation.doSimulation(action, decoded.frameSkip)
          simulation.rnePostConstraint()
          const after = simulation.xpos()
          const xVelocity = ((after[3 * mainBody] ?? 0) - xBefore) / dt
          const yVelocity = ((after[3 * mainBody + 1] ?? 0) - yBefore) / dt
          const healthy = isHealthy()
          const { forwardReward, ctrlCost } = locomotionRewards(decoded, xVelocity, action)
          const healthyReward = healthy ? decoded.healthyReward : 0
          const contact = contactCost()
          return {
            reward: forwardReward + healthyReward - ctrlCost - contact,
            terminated: !healthy && decoded.terminateWhenUnhealthy,
            info: {
              ...positionInfo(),
              x_velocity: xVelocity,
              y_velocity: yVelocity,
              reward_forward: forwardReward,
              reward_ctrl: -ctrlCost,
              reward_contact: -contact,
              reward_survive: healthyReward,
            },
          }
        },
        camera: { plane: 'xz', pixelsPerMetre: 80, centre: [0, 1], trackBody: 1 },
      }
    },
  })
}
