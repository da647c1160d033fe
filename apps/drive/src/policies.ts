/**
 * The baseline policies of Table I and the safety driver of the test road.
 *
 * @module policies
 */
import { Rng } from '@polyak/core'
import { LANE_FOLLOWING_CONSTANTS, type LaneFollowingPose } from '@polyak/envs'

/**
 * A driving policy: a LaneFollowing-v0 observation (the 64 × 64 grey image, speed fraction, steering) to an action
 * `[steering, speed set-point]` in [−1, 1]. A policy may keep state (the random policy counts its draws), so make a
 * fresh one per evaluation.
 *
 * @example
 * ```ts
 * const policy: Policy = () => [0, 0]
 * ```
 */
export type Policy = (observation: Float32Array) => ArrayLike<number>

/**
 * The random policy: every step draws steering and speed set-point uniformly in [−1, 1] (draw i from
 * `Rng.foldIn(key, i)`, so the same key gives the same actions).
 *
 * @example
 * ```ts
 * const policy = randomPolicy(Rng.key(7))
 * policy(observation) // e.g. [0.31, −0.72]
 * ```
 */
export const randomPolicy = (key: Rng.Key): Policy => {
  let draws = 0
  return () => {
    const u = Rng.uniform(Rng.foldIn(key, draws++), 2)
    return [2 * (u[0] ?? 0.5) - 1, 2 * (u[1] ?? 0.5) - 1]
  }
}

/**
 * The speed set-point action of the zero policy and of the safety driver: 0, i.e. half of LaneFollowing-v0's
 * `maxSpeed` (5 km/h with the default 10 km/h).
 *
 * @example
 * ```ts
 * ZERO_POLICY_SPEED_ACTION // 0
 * ```
 */
export const ZERO_POLICY_SPEED_ACTION = 0

/**
 * The zero policy: steering 0 and a fixed moderate speed (set-point action {@link ZERO_POLICY_SPEED_ACTION}, 5 km/h,
 * half the speed limit): the car drives straight on until the road bends away from it.
 *
 * @example
 * ```ts
 * zeroPolicy(observation) // [0, 0]
 * ```
 */
export const zeroPolicy: Policy = () => [0, ZERO_POLICY_SPEED_ACTION]

/**
 * The safety driver's steering: a Stanley-style controller on the true pose (feed-forward of the lane's curvature,
 * minus the heading error, minus atan(1.5 · lateral offset / (speed + 0.5))), as a steering action in [−1, 1].
 *
 * @example
 * ```ts
 * const action = [safetyDriverSteering(env.pose()), 0]
 * ```
 */
export const safetyDriverSteering = (pose: LaneFollowingPose): number => {
  const { wheelbase, maxSteering } = LANE_FOLLOWING_CONSTANTS
  const delta =
    Math.atan(wheelbase * pose.laneCurvature) -
    pose.headingError -
    Math.atan((1.5 * pose.lateralOffset) / (pose.speed + 0.5))
  return Math.max(-1, Math.min(1, delta / maxSteering))
}
