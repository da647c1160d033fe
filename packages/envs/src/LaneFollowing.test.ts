import { Box, ConfigError, Rng } from '@polyak/core'
import { describe, expect, it } from 'vitest'
import { LANE_FOLLOWING_CONSTANTS, type LaneFollowingEnv, makeLaneFollowing } from './LaneFollowing.js'
import { envSpec, makeEnv } from './registry.js'

const STRAIGHT = { curvatureRange: [0, 0] as [number, number], laneWidthRange: [3.5, 3.5] as [number, number] }

/** Stanley-style controller on the true pose: feed-forward curvature, heading error and lateral offset. */
const followCentreLine = (env: LaneFollowingEnv, speedAction = 1): [number, number] => {
  const pose = env.pose()
  const { wheelbase, maxSteering } = LANE_FOLLOWING_CONSTANTS
  const delta =
    Math.atan(wheelbase * pose.laneCurvature) -
    pose.headingError -
    Math.atan((1.5 * pose.lateralOffset) / (pose.speed + 0.5))
  return [Math.max(-1, Math.min(1, delta / maxSteering)), speedAction]
}

describe('LaneFollowing-v0', () => {
  it('has the documented spaces and observation layout', () => {
    const env = makeLaneFollowing()
    expect(env.id).toBe('LaneFollowing-v0')
    expect(env.observationSpace.shape).toEqual([64 * 64 + 2])
    expect(env.actionSpace.shape).toEqual([2])
    expect([...env.actionSpace.low]).toEqual([-1, -1])
    expect([...env.actionSpace.high]).toEqual([1, 1])
    expect(env.observationSpace.low[0]).toBe(0)
    expect(env.observationSpace.low[64 * 64 + 1]).toBe(-1)
    const { observation } = env.reset({ seed: 0 })
    expect(observation).toBeInstanceOf(Float32Array)
    expect(observation.length).toBe(64 * 64 + 2)
    expect(Box.contains(env.observationSpace, observation)).toBe(true)
    expect(observation[64 * 64]).toBe(0) // at rest
    expect(observation[64 * 64 + 1]).toBe(0) // wheels straight
    const { observation: next } = env.step([0.5, 1])
    expect(next[64 * 64]).toBeCloseTo(1 - Math.exp(-0.1), 5) // speed fraction after one step towards max
    expect(next[64 * 64 + 1]).toBeCloseTo(0.5, 6)
    expect(next).not.toBe(observation)

    const rgb = makeLaneFollowing({ color: 'rgb', cameraWidth: 32, cameraHeight: 24 })
    expect(rgb.observationSpace.shape).toEqual([32 * 24 * 3 + 2])
    expect(rgb.reset({ seed: 0 }).observation.length).toBe(32 * 24 * 3 + 2)
  })

  it('is registered with a 1000-step limit and validates its options', () => {
    expect(envSpec('LaneFollowing-v0')).toEqual({
      id: 'LaneFollowing-v0',
      maxEpisodeSteps: 1000,
      rewardThreshold: undefined,
    })
    const env = makeEnv('LaneFollowing-v0', { cameraWidth: 16, cameraHeight: 16 })
    expect(env.observationSpace.shape).toEqual([16 * 16 + 2])
    expect(() => makeEnv('LaneFollowing-v0', { cameraWidht: 16 })).toThrow(/cameraWidht/)
    expect(() => makeLaneFollowing({ laneWidthRange: [4, 3] })).toThrow(ConfigError)
    expect(() => makeLaneFollowing({ laneWidthRange: [4, 3] })).toThrow(/laneWidthRange/)
    expect(() => makeLaneFollowing({ color: 'blue' as 'rgb' })).toThrow(/color/)
    expect(() => makeLaneFollowing().reset({ options: { x: 1 } })).toThrow(/LaneFollowing-v0/)
  })

  it('is deterministic per seed and draws different roads for different seeds', () => {
    const run = (seed: number): Float32Array[] => {
      const env = makeLaneFollowing()
      const observations = [env.reset({ seed }).observation]
      for (let t = 0; t < 30; t++) observations.push(env.step([0.1 * Math.sin(t), 0.5]).observation)
      return observations
    }
    expect(run(3)).toEqual(run(3))
    const [a, b] = [run(3), run(4)]
    expect(a.at(-1)).not.toEqual(b.at(-1))
    // Different roads: the lane width or the centre-line curvature differ.
    const env = makeLaneFollowing()
    const roads = [1, 2, 3, 4, 5].map((seed) => {
      env.reset({ seed })
      return env.pose().laneWidth
    })
    expect(new Set(roads).size).toBe(5)
  })

  it('a centre-line follower drives far without disengaging and earns reward equal to the distance', () => {
    const env = makeLaneFollowing()
    for (const seed of [0, 1, 2]) {
      env.reset({ seed })
      const start = env.pose().progress
      let total = 0
      let distance = 0
      let maxOffset = 0
      for (let t = 0; t < 1000; t++) {
        const before = env.pose()
        const result = env.step(followCentreLine(env))
        const after = env.pose()
        distance += Math.hypot(after.x - before.x, after.y - before.y)
        total += result.reward
        maxOffset = Math.max(maxOffset, Math.abs(after.lateralOffset))
        expect(result.terminated).toBe(false)
        if (result.truncated) break
      }
      expect(total).toBeGreaterThan(250) // 1000 steps at up to 10 km/h: about 270 m
      expect(total).toBeCloseTo(env.pose().progress - start, 6)
      expect(Math.abs(total - distance) / distance).toBeLessThan(0.02)
      expect(maxOffset).toBeLessThan(0.5)
    }
  })

  it('zero steering on a curved road leaves the lane and terminates with a disengagement', () => {
    const env = makeLaneFollowing({ curvatureRange: [0.02, 0.03] })
    env.reset({ seed: 0 })
    let ended: { terminated: boolean; truncated: boolean; info: Record<string, unknown> } | undefined
    for (let t = 0; t < 1000 && ended === undefined; t++) {
      const result = env.step([0, 1])
      if (result.terminated || result.truncated) ended = result
    }
    expect(ended?.terminated).toBe(true)
    expect(ended?.truncated).toBe(false)
    expect(ended?.info.disengagement).toBe(true)
    const pose = env.pose()
    expect(Math.abs(pose.lateralOffset)).toBeGreaterThan(pose.laneWidth / 2)
  })

  it('on a straight road, driving straight keeps the lane centred in the camera image', () => {
    const env = makeLaneFollowing(STRAIGHT)
    env.reset({ seed: 0 })
    // Put the car on the centre line, heading along it: steer it there with the follower, then check symmetry.
    for (let t = 0; t < 200; t++) env.step(followCentreLine(env, 0))
    for (let t = 0; t < 100; t++) env.step(followCentreLine(env, 1))
    const pose = env.pose()
    expect(Math.abs(pose.lateralOffset)).toBeLessThan(0.01)
    expect(Math.abs(pose.headingError)).toBeLessThan(0.001)
    const { observation } = env.step([0, 1])
    const w = 64
    let left = 0
    let right = 0
    let maxRowAsymmetry = 0
    for (let row = 32; row < 64; row++) {
      let rowLeft = 0
      let rowRight = 0
      for (let col = 0; col < w / 2; col++) {
        rowLeft += observation[row * w + col] ?? 0
        rowRight += observation[row * w + (w - 1 - col)] ?? 0
      }
      left += rowLeft
      right += rowRight
      maxRowAsymmetry = Math.max(maxRowAsymmetry, Math.abs(rowLeft - rowRight) / (rowLeft + rowRight))
    }
    expect(Math.abs(left - right) / (left + right)).toBeLessThan(0.03)
    expect(maxRowAsymmetry).toBeLessThan(0.08)
    // A row 5–10 m ahead: grass at both sides, two white edge lines at mirrored columns, road between.
    const row = observation.subarray(40 * w, 41 * w)
    expect(Math.abs((row[0] ?? 0) - (row[63] ?? 0))).toBeLessThan(0.05)
    const brightColumns = [...row.keys()].filter((col) => (row[col] ?? 0) > 0.7)
    const leftEdge = Math.min(...brightColumns)
    const rightEdge = Math.max(...brightColumns)
    expect(leftEdge).toBeGreaterThan(0)
    expect(Math.abs(leftEdge - (w - 1 - rightEdge))).toBeLessThanOrEqual(1)
    expect(row[32] ?? 0).toBeGreaterThan((row[0] ?? 0) + 0.05) // road brighter than grass
    // Steering off to the left moves the road to the right of the image.
    const offset = makeLaneFollowing(STRAIGHT)
    offset.reset({ seed: 0 })
    for (let t = 0; t < 20; t++) offset.step([0.4, 0])
    for (let t = 0; t < 5; t++) offset.step([0.4, 1])
    const turned = offset.step([0, 1]).observation
    expect(offset.pose().headingError).toBeGreaterThan(0.05) // the car points left of the road
    // So the road lies to the right: far more grass (the darkest shade) in the left half of the ground rows.
    const grassBelow = Math.min(...turned.subarray(40 * w, 41 * w)) + 0.03
    let grassLeft = 0
    let grassRight = 0
    for (let row = 28; row < 64; row++) {
      for (let col = 0; col < w / 2; col++) {
        if ((turned[row * w + col] ?? 1) < grassBelow) grassLeft++
        if ((turned[row * w + w - 1 - col] ?? 1) < grassBelow) grassRight++
      }
    }
    expect(grassLeft).toBeGreaterThan(2 * grassRight + 50)
  })

  it('rewards the progress along the centre line (hand-checked on a straight road)', () => {
    const env = makeLaneFollowing(STRAIGHT)
    env.reset({ seed: 5 })
    const { dt, wheelbase, maxSteering } = LANE_FOLLOWING_CONSTANTS
    for (let t = 0; t < 30; t++) {
      const before = env.pose()
      const action = [0.2 * Math.sin(t / 3), 0.6]
      const { reward } = env.step(action)
      // The road runs along +x: the progress is the change of x, computed from the bicycle model by hand.
      const speed = before.speed + ((10 / 3.6) * 0.8 - before.speed) * (1 - Math.exp(-dt))
      expect(reward).toBeCloseTo(speed * Math.cos(before.heading) * dt, 9)
      const pose = env.pose()
      expect(pose.heading).toBeCloseTo(
        before.heading + ((speed * Math.tan(maxSteering * (action[0] ?? 0))) / wheelbase) * dt,
        12,
      )
      expect(pose.progress).toBeCloseTo(pose.x, 9)
      expect(pose.lateralOffset).toBeCloseTo(pose.y, 9)
    }
    // Driving across the road earns (almost) nothing; turned round, driving costs.
    const across = makeLaneFollowing({ ...STRAIGHT, laneWidthRange: [20, 20] })
    across.reset({ seed: 5 })
    while (across.pose().headingError < Math.PI / 2 - 0.05) across.step([1, -0.6]) // a tight left turn, slowly
    const sideways = across.step([0, -0.6]).reward
    expect(Math.abs(sideways)).toBeLessThan(0.1 * across.pose().speed * dt)
    while (across.pose().headingError < 2.5) across.step([1, -0.6])
    const result = across.step([0, -0.6])
    expect(result.reward).toBeLessThan(-0.5 * across.pose().speed * dt)
    expect(result.terminated).toBe(false) // not yet 2 m behind the furthest progress
  })

  it('throws naming the env for invalid actions, before reset and after close', () => {
    const env = makeLaneFollowing()
    expect(() => env.step([0, 0])).toThrow(/LaneFollowing-v0: call reset\(\)/)
    env.reset({ seed: 0 })
    expect(() => env.step([0])).toThrow(/LaneFollowing-v0: invalid action/)
    expect(() => env.step([0, Number.NaN])).toThrow(/LaneFollowing-v0: invalid action/)
    expect(() => env.step([0, 0, 0])).toThrow(RangeError)
    expect(() => env.reset({ seed: 1.5 })).toThrow(/LaneFollowing-v0/)
    env.close()
    expect(() => env.step([0, 0])).toThrow(/after close/)
  })

  it('renders a top-down RGB frame and a camera RGB frame', () => {
    const env = makeLaneFollowing()
    env.reset({ seed: 0 })
    const frame = env.render()
    expect(frame.width).toBe(400)
    expect(frame.height).toBe(400)
    expect(frame.data.length).toBe(400 * 400 * 3)
    const centre = (200 * 400 + 200) * 3
    expect([frame.data[centre], frame.data[centre + 1], frame.data[centre + 2]]).toEqual([200, 40, 40]) // the car
    const camera = env.cameraFrame()
    expect(camera.width).toBe(64)
    expect(camera.data.length).toBe(64 * 64 * 3)
    const grey = env.step([0, 0]).observation
    const i = 60 * 64 + 5
    const luminance =
      (0.299 * (camera.data[3 * i] ?? 0) +
        0.587 * (camera.data[3 * i + 1] ?? 0) +
        0.114 * (camera.data[3 * i + 2] ?? 0)) /
      255
    expect(luminance).toBeCloseTo(grey[i] ?? 0, 1)
  })

  it('runs 10 000 random steps with resets without error', () => {
    const env = makeEnv('LaneFollowing-v0', { cameraWidth: 32, cameraHeight: 32 })
    const actions = Rng.uniform(Rng.key(7), 20_000, -1, 1)
    env.reset({ seed: 0 })
    let episodes = 0
    for (let t = 0; t < 10_000; t++) {
      const result = env.step([actions[2 * t] ?? 0, actions[2 * t + 1] ?? 0])
      expect(Number.isFinite(result.reward)).toBe(true)
      if (t % 997 === 0) expect(Box.contains(env.observationSpace, result.observation)).toBe(true)
      if (result.terminated || result.truncated) {
        env.reset()
        episodes++
      }
    }
    expect(episodes).toBeGreaterThan(5)
  })
})
