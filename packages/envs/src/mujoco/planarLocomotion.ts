/**
 * What Hopper-v5 and Walker2d-v5 share: a planar body (root slide x, slide z, hinge pitch) that earns
 * `forwardRewardWeight`·Δx/dt plus `healthyReward` **while healthy** (v5: nothing on the step that makes it
 * unhealthy), pays `ctrlCostWeight`·Σa², observes qpos without x and qvel clipped to ±10, and terminates when unhealthy
 * (unless `terminateWhenUnhealthy` is false). Reset: qpos and qvel + U(±resetNoiseScale).
 *
 * @module mujoco/planarLocomotion
 */
import { FiniteNumber } from '@polyak/core'
import * as t from 'io-ts'
import {
  locomotionOptionCodecs,
  locomotionRewards,
  type MujocoEnv,
  makeMujocoEnv,
  noisyInitialState,
  positionsAndVelocities,
} from './MujocoEnv.js'
import type { Simulation } from './simulation.js'

/**
 * The codecs of the options Hopper-v5 and Walker2d-v5 share, in their order: the locomotion options, then
 * `healthyReward` and `terminateWhenUnhealthy`.
 *
 * @example
 * ```ts
 * strictObject('Hopper-v5 options', { ...planarLocomotionOptionCodecs, healthyZRange: Interval })
 * ```
 */
export const planarLocomotionOptionCodecs = {
  ...locomotionOptionCodecs,
  /** The reward of every step that ends healthy. */
  healthyReward: FiniteNumber,
  /** Whether an unhealthy state terminates the episode. */
  terminateWhenUnhealthy: t.boolean,
}

/** The options the two envs share (decoded). */
export interface PlanarLocomotionOptions {
  readonly xml: string
  readonly frameSkip: number
  readonly forwardRewardWeight: number
  readonly ctrlCostWeight: number
  readonly healthyReward: number
  readonly terminateWhenUnhealthy: boolean
  readonly resetNoiseScale: number
  readonly excludeCurrentPositionsFromObservation: boolean
}

/**
 * Makes Hopper-v5 or Walker2d-v5 from the decoded options and the env's health rule (on the current qpos and qvel).
 *
 * @example
 * ```ts
 * const env = makePlanarLocomotionEnv('Hopper-v5', options, (qpos) => (qpos[1] ?? 0) > 0.7)
 * ```
 */
export const makePlanarLocomotionEnv = (
  id: string,
  options: PlanarLocomotionOptions,
  isHealthy: (qpos: Float64Array, qvel: Float64Array) => boolean,
): MujocoEnv =>
  makeMujocoEnv({
    id,
    xml: options.xml,
    frameSkip: options.frameSkip,
    makeTask: (simulation: Simulation, dt) => {
      const { nq, nv } = simulation
      const skip = options.excludeCurrentPositionsFromObservation ? 1 : 0
      const initialZ = simulation.qpos0[1] ?? 0
      return {
        observationSize: nq - skip + nv,
        observe: () => positionsAndVelocities(simulation, skip, nq - skip + nv, 10),
        initialState: (_, key) => noisyInitialState(simulation, key, options.resetNoiseScale, 'uniform'),
        resetInfo: () => {
          const qpos = simulation.qpos()
          return { x_position: qpos[0] ?? 0, z_distance_from_origin: (qpos[1] ?? 0) - initialZ }
        },
        step: (_, action) => {
          const xBefore = simulation.qpos()[0] ?? 0
          simulation.doSimulation(action, options.frameSkip)
          const qpos = simulation.qpos()
          const xAfter = qpos[0] ?? 0
          const xVelocity = (xAfter - xBefore) / dt
          const healthy = isHealthy(qpos, simulation.qvel())
          const { forwardReward, ctrlCost } = locomotionRewards(options, xVelocity, action)
          const healthyReward = healthy ? options.healthyReward : 0
          return {
            reward: forwardReward + healthyReward - ctrlCost,
            terminated: !healthy && options.terminateWhenUnhealthy,
            info: {
              x_position: xAfter,
              z_distance_from_origin: (qpos[1] ?? 0) - initialZ,
              x_velocity: xVelocity,
              reward_forward: forwardReward,
              reward_ctrl: -ctrlCost,
              reward_survive: healthyReward,
            },
          }
        },
        camera: { plane: 'xz', pixelsPerMetre: 120, centre: [0, 0.8], trackBody: 1 },
      }
    },
  })

/** Whether `low < x < high` (Gymnasium's strict health bounds). */
export const strictlyWithin = (x: number, [low, high]: readonly [number, number]): boolean => low < x && x < high
