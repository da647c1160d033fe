/**
 * The test of Table I: a policy drives a fixed road (a seeded LaneFollowing-v0 road) for a fixed distance, and a
 * safety driver takes over at every disengagement, brings the car back to the lane centre and hands back.
 *
 * @module testRoad
 */
import { LANE_FOLLOWING_CONSTANTS, type LaneFollowingEnv, makeLaneFollowing } from '@polyak/envs'
import { type Policy, safetyDriverSteering, ZERO_POLICY_SPEED_ACTION } from './policies.js'

/**
 * The test road: `seed` (the reset seed of LaneFollowing-v0 that draws the road, its width and shades and the start
 * pose; the app's default is 20180701, never an episode seed of training, which are 32-bit hashes of the run seed),
 * `routeLength` (metres of road from the start point, 250 like the paper's route) and `maxPolicySteps` (policy steps
 * before the test stops whether the route is done or not, e.g. 3000 = 300 s of driving, so that a policy that stops
 * cannot hang the test). The app validates them (`DriveConfigCodec`: `testSeed`, `testRoute`, `testSteps`).
 *
 * @example
 * ```ts
 * const road: TestRoadConfig = { seed: 20180701, routeLength: 250, maxPolicySteps: 3000 }
 * ```
 */
export interface TestRoadConfig {
  readonly seed: number
  readonly routeLength: number
  readonly maxPolicySteps: number
}

/**
 * What a test drive measured. `metres` are driven under the policy's control (progress along the centre line while
 * engaged), `disengagements` count the times the car left the lane (or fell 2 m back) while engaged,
 * `metresPerDisengagement` is `metres / disengagements` (`null` with none: the paper's "–"); `completed` says
 * whether the car reached the end of the route within `maxPolicySteps`; `covered` is how far along the route the car
 * got (both drivers); `disengagedAt` lists the route positions (m from the start) of the disengagements.
 *
 * @example
 * ```ts
 * const { metres, disengagements } = driveTestRoad(zeroPolicy, config)
 * ```
 */
export interface TestDrive {
  readonly metres: number
  readonly disengagements: number
  readonly metresPerDisengagement: number | null
  readonly completed: boolean
  readonly covered: number
  readonly policySteps: number
  readonly safetyDriverSteps: number
  readonly disengagedAt: readonly number[]
  readonly seconds: number
}

/** Recovery criteria of the safety driver: back near the centre and aligned with the lane. */
const HAND_BACK_OFFSET = 0.25
const HAND_BACK_HEADING = 0.05
/** Longest takeover on the spot before the safety driver restarts from the start point instead. */
const MAX_RECOVERY_STEPS = 300
/** The safety driver's speed set-point while re-driving from the start point: the speed limit. */
const TRANSIT_SPEED_ACTION = 1
/** It slows to the hand-back speed this many metres before the point it returns to. */
const SLOW_DOWN = 8

/**
 * Drives the test road with a policy, as a safety driver would supervise it:
 *
 * 1. `reset({ seed })`: the fixed road, the car at rest 10 m along it (start pose drawn from the same seed).
 * 2. The policy drives. Each step under its control counts towards `maxPolicySteps`; the progress it makes while
 *    engaged counts as its `metres`.
 * 3. When the env reports a disengagement (`terminated`, `info.disengagement`: the car's centre left the lane, or it
 *    fell 2 m behind its furthest progress), the count goes up and the safety driver takes the wheel **where the car
 *    is**: it keeps stepping the same env with a lane-keeping controller on the true pose (`safetyDriverSteering`)
 *    at 5 km/h (set-point 0) until the car is within 0.25 m of the centre line and 0.05 rad of its heading, then
 *    hands back to the policy. If that takes more than 300 steps or the car points backwards (|heading error| >
 *    π/2), it restarts instead: `reset({ seed })` again (same road, same start pose), drives along the lane at up to
 *    10 km/h to the furthest point reached, slowing to 5 km/h over the last 8 m, and hands back there.
 * 4. The test ends when the car is `routeLength` metres past the start point (whoever drives) or after
 *    `maxPolicySteps` policy steps.
 *
 * The env is `makeLaneFollowing` with its default options (those of training) and `roadLength` = 10 m +
 * `routeLength` + 5 m, without a time limit. Deterministic for a deterministic policy.
 *
 * @example
 * ```ts
 * const drive = driveTestRoad(zeroPolicy, { seed: 20180701, routeLength: 250, maxPolicySteps: 3000 })
 * console.log(drive.metresPerDisengagement, drive.disengagements)
 * ```
 */
export const driveTestRoad = (policy: Policy, config: TestRoadConfig): TestDrive => {
  const started = Date.now()
  const env: LaneFollowingEnv = makeLaneFollowing({
    roadLength: LANE_FOLLOWING_CONSTANTS.startProgress + config.routeLength + 5,
  })
  try {
    let observation = env.reset({ seed: config.seed }).observation
    const start = env.pose().progress
    const end = start + config.routeLength
    let metres = 0
    let disengagements = 0
    let policySteps = 0
    let safetyDriverSteps = 0
    const disengagedAt: number[] = []
    let engagedAt = start
    let engagedFurthest = start // furthest progress of the current engagement
    let furthest = start
    const driverStep = (speedAction: number): boolean => {
      const result = env.step([safetyDriverSteering(env.pose()), speedAction])
      observation = result.observation
      safetyDriverSteps++
      furthest = Math.max(furthest, env.pose().progress)
      return env.pose().progress >= end
    }
    /** The safety driver's takeover; true when the route ended during it. */
    const takeOver = (): boolean => {
      for (let i = 0; i < MAX_RECOVERY_STEPS; i++) {
        const pose = env.pose()
        if (Math.abs(pose.headingError) > Math.PI / 2) break
        if (Math.abs(pose.lateralOffset) < HAND_BACK_OFFSET && Math.abs(pose.headingError) < HAND_BACK_HEADING) {
          return false
        }
        if (driverStep(ZERO_POLICY_SPEED_ACTION)) return true
      }
      // restart from the start point and drive to the furthest point reached
      const target = furthest
      observation = env.reset({ seed: config.seed }).observation
      while (env.pose().progress < target) {
        const near = env.pose().progress >= target - SLOW_DOWN
        if (driverStep(near ? ZERO_POLICY_SPEED_ACTION : TRANSIT_SPEED_ACTION)) return true
      }
      return false
    }
    let completed = false
    while (policySteps < config.maxPolicySteps) {
      const result = env.step(policy(observation))
      observation = result.observation
      policySteps++
      const progress = env.pose().progress
      furthest = Math.max(furthest, progress)
      engagedFurthest = Math.max(engagedFurthest, progress)
      if (progress >= end) {
        metres += progress - engagedAt
        completed = true
        break
      }
      if (result.terminated) {
        metres += engagedFurthest - engagedAt
        disengagements++
        disengagedAt.push(Number((progress - start).toFixed(2)))
        if (takeOver()) {
          completed = true
          break
        }
        engagedAt = env.pose().progress
        engagedFurthest = engagedAt
        continue
      }
      if (policySteps === config.maxPolicySteps) metres += engagedFurthest - engagedAt
    }
    return {
      metres,
      disengagements,
      metresPerDisengagement: disengagements > 0 ? metres / disengagements : null,
      completed,
      covered: Math.min(config.routeLength, furthest - start),
      policySteps,
      safetyDriverSteps,
      disengagedAt,
      seconds: (Date.now() - started) / 1000,
    }
  } finally {
    env.close()
  }
}
