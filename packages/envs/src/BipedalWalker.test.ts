import { Box, ConfigError, Rng } from '@polyak/core'
import { describe, expect, it } from 'vitest'
import {
  BIPEDAL_WALKER_CONSTANTS,
  BIPEDAL_WALKER_HARDCORE_ID,
  BIPEDAL_WALKER_ID,
  type BipedalWalkerEnv,
  type BipedalWalkerTerrain,
  bipedalWalkerShaping,
  generateBipedalWalkerTerrain,
  type HullPose,
  makeBipedalWalker,
} from './BipedalWalker.js'
import { pixelAt } from './Frame.js'
import {
  constant,
  type Trajectory as EnvTrajectory,
  randomPolicy as randomPolicyOfSize,
  rollout as rolloutEnv,
  spyOnPlanckBodies,
} from './test-utils/envRollouts.js'

const { terrainStep: STEP, terrainHeight: TERRAIN_HEIGHT, lidarRange: LIDAR_RANGE } = BIPEDAL_WALKER_CONSTANTS
const FINISH_X = (200 - 10) * STEP
const TORQUE_COST = 0.00035 * 80

interface Trajectory extends EnvTrajectory {
  readonly poses: HullPose[]
}

/** Runs `steps` steps from `reset({ seed })` with `policy(t, observation)`, recording the hull's pose after each. */
const rollout = (
  env: BipedalWalkerEnv,
  seed: number,
  steps: number,
  policy: (t: number, observation: Float32Array) => ArrayLike<number>,
  stopAtTermination = true,
): Trajectory => {
  const poses: HullPose[] = []
  const trajectory = rolloutEnv(env, seed, steps, policy, stopAtTermination, () => poses.push(env.hullPose()))
  return { ...trajectory, poses }
}

/** Uniform random actions in [−1, 1]⁴ from a key, one per step. */
const randomPolicy = (key: Rng.Key, steps: number) => randomPolicyOfSize(key, steps, 4)

const shapingOf = (pose: HullPose | undefined): number => bipedalWalkerShaping(pose?.x ?? Number.NaN, pose?.angle ?? 0)

/**
 * Gymnasium's `BipedalWalkerHeuristics` (the demo controller of bipedal_walker.py): a three-phase gait state machine
 * with PD targets for the hips and knees, on the observation.
 */
const makeHeuristic = () => {
  const [STAY_ON_ONE_LEG, PUT_OTHER_DOWN, PUSH_OFF] = [1, 2, 3]
  const SPEED = 0.29
  const SUPPORT_KNEE_ANGLE = 0.1
  let state = STAY_ON_ONE_LEG
  let moving = 0
  let supporting = 1
  let supportingKneeAngle = SUPPORT_KNEE_ANGLE
  return (_t: number, s: Float32Array): number[] => {
    const v = (i: number): number => s[i] ?? Number.NaN
    const movingBase = 4 + 5 * moving
    const supportingBase = 4 + 5 * supporting
    const hipTarget: (number | undefined)[] = [undefined, undefined]
    const kneeTarget: (number | undefined)[] = [undefined, undefined]
    if (state === STAY_ON_ONE_LEG) {
      hipTarget[moving] = 1.1
      kneeTarget[moving] = -0.6
      supportingKneeAngle += 0.03
      if (v(2) > SPEED) supportingKneeAngle += 0.03
      supportingKneeAngle = Math.min(supportingKneeAngle, SUPPORT_KNEE_ANGLE)
      kneeTarget[supporting] = supportingKneeAngle
      if (v(supportingBase) < 0.1) state = PUT_OTHER_DOWN
    }
    if (state === PUT_OTHER_DOWN) {
      hipTarget[moving] = 0.1
      kneeTarget[moving] = SUPPORT_KNEE_ANGLE
      kneeTarget[supporting] = supportingKneeAngle
      if (v(movingBase + 4) !== 0) {
        state = PUSH_OFF
        supportingKneeAngle = Math.min(v(movingBase + 2), SUPPORT_KNEE_ANGLE)
      }
    }
    if (state === PUSH_OFF) {
      kneeTarget[moving] = supportingKneeAngle
      kneeTarget[supporting] = 1
      if (v(supportingBase + 2) > 0.88 || v(2) > 1.2 * SPEED) {
        state = STAY_ON_ONE_LEG
        moving = 1 - moving
        supporting = 1 - moving
      }
    }
    // Python's `if target:` skips None and 0
    const set = (target: number | undefined): target is number => target !== undefined && target !== 0
    const hip = [0, 0]
    const knee = [0, 0]
    for (const leg of [0, 1]) {
      const base = 4 + 5 * leg
      const h = hipTarget[leg]
      const k = kneeTarget[leg]
      if (set(h)) hip[leg] = 0.9 * (h - v(base)) - 0.25 * v(base + 1)
      if (set(k)) knee[leg] = 4 * (k - v(base + 2)) - 0.25 * v(base + 3)
      hip[leg] = (hip[leg] ?? 0) - (0.9 * (0 - v(0)) - 1.5 * v(1)) // keep the head straight
      knee[leg] = (knee[leg] ?? 0) - 15 * v(3) // damp vertical oscillations
    }
    return [hip[0], knee[0], hip[1], knee[1]].map((a) => Math.min(1, Math.max(-1, 0.5 * (a ?? 0))))
  }
}

/** The segments a lidar ray can hit: the terrain edges and the obstacles' sides. */
const terrainSegments = (terrain: BipedalWalkerTerrain): [number, number, number, number][] => {
  const segments: [number, number, number, number][] = []
  for (let i = 0; i + 1 < terrain.x.length; i++) {
    segments.push([terrain.x[i] ?? 0, terrain.y[i] ?? 0, terrain.x[i + 1] ?? 0, terrain.y[i + 1] ?? 0])
  }
  for (const { vertices } of terrain.obstacles) {
    vertices.forEach(([x0, y0], k) => {
      const [x1, y1] = vertices[(k + 1) % vertices.length] ?? [x0, y0]
      segments.push([x0, y0, x1, y1])
    })
  }
  return segments
}

/** An independent lidar: the nearest crossing of each ray with the terrain's segments, as a fraction of its length. */
const expectedLidar = (terrain: BipedalWalkerTerrain, pose: HullPose): number[] => {
  const segments = terrainSegments(terrain)
  return Array.from({ length: 10 }, (_, i) => {
    const dx = Math.sin((1.5 * i) / 10) * LIDAR_RANGE
    const dy = -Math.cos((1.5 * i) / 10) * LIDAR_RANGE
    let nearest = 1
    for (const [ax, ay, bx, by] of segments) {
      const ex = bx - ax
      const ey = by - ay
      const denominator = dx * ey - dy * ex
      if (denominator === 0) continue
      const t = ((ax - pose.x) * ey - (ay - pose.y) * ex) / denominator
      const s = ((ax - pose.x) * dy - (ay - pose.y) * dx) / denominator
      if (t >= 0 && t <= 1 && s >= 0 && s <= 1) nearest = Math.min(nearest, t)
    }
    return nearest
  })
}

const maxStep = (ys: readonly number[]): number => {
  let max = 0
  for (let i = 1; i < ys.length; i++) max = Math.max(max, Math.abs((ys[i] ?? 0) - (ys[i - 1] ?? 0)))
  return max
}

describe('BipedalWalker-v3 and BipedalWalkerHardcore-v3', () => {
  it('has a 24-dimensional observation with plausible starting values and a Box(−1, 1, (4,)) action space', () => {
    for (const hardcore of [false, true]) {
      const env = makeBipedalWalker({ hardcore })
      expect(env.id).toBe(hardcore ? BIPEDAL_WALKER_HARDCORE_ID : BIPEDAL_WALKER_ID)
      expect(env.actionSpace).toEqual({ shape: [4], low: [-1, -1, -1, -1], high: [1, 1, 1, 1] })
      expect(env.observationSpace.shape).toEqual([24])
      const pi = Math.fround(Math.PI)
      const leg = [pi, 5, pi, 5, 5]
      expect(env.observationSpace.high).toEqual([pi, 5, 5, 5, ...leg, ...leg, ...new Array(10).fill(1)])
      expect(env.observationSpace.low).toEqual([
        -pi,
        -5,
        -5,
        -5,
        ...[-pi, -5, -pi, -5, 0],
        ...[-pi, -5, -pi, -5, 0],
        ...new Array(10).fill(-1),
      ])
      const { observation, info } = env.reset({ seed: 0 })
      expect(observation).toBeInstanceOf(Float32Array)
      expect(observation.length).toBe(24)
      expect(info).toEqual({})
      expect(Box.contains(env.observationSpace, observation)).toBe(true)
      // standing at the middle of the start pad, hull level, both feet on the ground, knees slightly bent
      const pose = env.hullPose()
      expect(pose.x).toBeCloseTo((STEP * 20) / 2, 1)
      expect(pose.y).toBeGreaterThan(TERRAIN_HEIGHT + 2)
      expect(Math.abs(observation[0] ?? Number.NaN)).toBeLessThan(0.01)
      expect([observation[8], observation[13]]).toEqual([1, 1])
      expect(observation[6]).toBeGreaterThan(0.8)
      expect(observation[11]).toBeGreaterThan(0.8)
      const first = env.step([0, 0, 0, 0])
      const copy = Float32Array.from(first.observation)
      const second = env.step([0, 0, 0, 0])
      expect(second.observation).not.toBe(first.observation)
      expect(first.observation).toEqual(copy)
      expect(first.truncated).toBe(false)
    }
  })

  it('is deterministic: the same seed gives the same 300 steps, another seed does not', () => {
    for (const hardcore of [false, true]) {
      const policy = randomPolicy(Rng.key(7), 300)
      const a = rollout(makeBipedalWalker({ hardcore }), 42, 300, policy, false)
      const b = rollout(makeBipedalWalker({ hardcore }), 42, 300, policy, false)
      const c = rollout(makeBipedalWalker({ hardcore }), 43, 300, policy, false)
      expect(a.observations.length).toBe(301)
      expect(b).toEqual(a)
      expect(c.observations[0]).not.toEqual(a.observations[0])
      expect(c.rewards).not.toEqual(a.rewards)
    }
  })

  it('does not depend on earlier episodes, and continues its key stream on a reset without a seed', () => {
    const policy = randomPolicy(Rng.key(3), 200)
    const fresh = rollout(makeBipedalWalker({ hardcore: true }), 5, 200, policy, false)
    const used = makeBipedalWalker({ hardcore: true })
    rollout(used, 9, 150, randomPolicy(Rng.key(4), 150), false)
    used.reset()
    used.step([1, -1, 1, -1])
    expect(rollout(used, 5, 200, policy, false)).toEqual(fresh)

    const env = makeBipedalWalker()
    env.reset({ seed: 1 })
    const firstTerrain = env.terrain()
    env.reset()
    const secondTerrain = env.terrain()
    expect(secondTerrain.y).not.toEqual(firstTerrain.y)
    env.reset({ seed: 1 })
    expect(env.terrain()).toEqual(firstTerrain)
    env.reset()
    expect(env.terrain()).toEqual(secondTerrain)
  })

  it('with zero action the legs go limp: no torque cost, the reward telescopes, the hull falls and ends it with −100', () => {
    const env = makeBipedalWalker()
    for (const seed of [0, 1, 2]) {
      const { observations, poses, rewards, terminated } = rollout(env, seed, 1000, constant([0, 0, 0, 0]))
      const last = rewards.length - 1
      expect(terminated[last]).toBe(true)
      expect(rewards[last]).toBe(-100)
      expect(last).toBeGreaterThan(50)
      for (const o of observations) expect(Number.isFinite(o[0])).toBe(true)
      for (let t = 0; t < last; t++) {
        expect(terminated[t]).toBe(false)
        expect(observations[t + 1]?.[0]).toBe(Math.fround(poses[t + 1]?.angle ?? Number.NaN))
        expect(rewards[t]).toBeCloseTo(shapingOf(poses[t + 1]) - shapingOf(poses[t]), 10)
      }
      // the first 50 steps: only shaping, which sums to the change of the potential
      const sum50 = rewards.slice(0, 50).reduce((a, b) => a + b, 0)
      expect(sum50).toBeCloseTo(shapingOf(poses[50]) - shapingOf(poses[0]), 9)
      // the walker sank: the hull is lower at the end, and it did not walk anywhere
      expect(poses[last + 1]?.y).toBeLessThan((poses[0]?.y ?? 0) - 1)
      expect(Math.abs((poses[last + 1]?.x ?? 0) - (poses[0]?.x ?? 0))).toBeLessThan(4)
    }
  })

  it('charges 0.00035·80·Σ clip(|a|, 0, 1) for the motors on top of the shaping change', () => {
    const env = makeBipedalWalker()
    for (const action of [
      [1, 1, 1, 1],
      [-1, 0.5, 0, -0.25],
      [3, -7, 0.1, -0.9], // outside the Box: the torque is clipped, the direction kept
      [0.3, -0.3, 0.3, -0.3],
    ]) {
      const cost = TORQUE_COST * action.reduce((sum, a) => sum + Math.min(1, Math.abs(a)), 0)
      const { poses, rewards } = rollout(env, 2, 5, constant(action))
      for (let t = 0; t < rewards.length; t++) {
        if (rewards[t] === -100) continue
        expect(rewards[t]).toBeCloseTo(shapingOf(poses[t + 1]) - shapingOf(poses[t]) - cost, 10)
      }
    }
    // the sign picks the motor's direction: opposite hip commands swing the hip joint opposite ways
    const forward = rollout(env, 2, 5, constant([1, 0, 0, 0])).observations[5]?.[5] ?? 0
    const backward = rollout(env, 2, 5, constant([-1, 0, 0, 0])).observations[5]?.[5] ?? 0
    expect(forward).toBeGreaterThan(0.1)
    expect(backward).toBeLessThan(-0.1)
    // an action beyond ±1 drives exactly as ±1
    expect(rollout(env, 2, 30, constant([5, -5, 2, -2])).observations).toEqual(
      rollout(env, 2, 30, constant([1, -1, 1, -1])).observations,
    )
  })

  it('a kick that tips the walker over ends the episode with −100 when the hull hits the ground', () => {
    const env = makeBipedalWalker()
    for (const seed of [0, 3]) {
      // both hips forward at full torque while the knees fold: the walker sits down backwards
      const { rewards, terminated, poses } = rollout(env, seed, 500, constant([1, -1, 1, -1]))
      expect(terminated.at(-1)).toBe(true)
      expect(rewards.at(-1)).toBe(-100)
      expect(terminated.slice(0, -1).every((done) => !done)).toBe(true)
      expect(poses.at(-1)?.y).toBeLessThan(TERRAIN_HEIGHT + 1.5)
    }
  })

  it('lidar: fractions in [0, 1] equal to the nearest crossing with the terrain, shrinking as the hull sinks', () => {
    for (const hardcore of [false, true]) {
      const env = makeBipedalWalker({ hardcore })
      for (const seed of [0, 1, 2, 3, 4, 5]) {
        const { observations, poses } = rollout(env, seed, 80, randomPolicy(Rng.key(seed), 80))
        const terrain = env.terrain()
        observations.forEach((observation, t) => {
          const lidar = Array.from(observation.subarray(14))
          for (const value of lidar) {
            expect(value).toBeGreaterThanOrEqual(0)
            expect(value).toBeLessThanOrEqual(1)
          }
          const expected = expectedLidar(terrain, poses[t] as HullPose)
          lidar.forEach((value, i) => {
            expect(value).toBeCloseTo(expected[i] ?? Number.NaN, 5)
          })
        })
      }
    }
    // on the flat start pad the downward ray reads the hull's height; it shrinks as the limp walker sinks
    const { observations, poses } = rollout(makeBipedalWalker(), 0, 1000, constant([0, 0, 0, 0]))
    for (let t = 0; t < observations.length; t++) {
      expect(observations[t]?.[14]).toBeCloseTo(((poses[t]?.y ?? 0) - TERRAIN_HEIGHT) / LIDAR_RANGE, 6)
    }
    expect(observations.at(-1)?.[14]).toBeLessThan((observations[0]?.[14] ?? 0) - 0.2)
  })

  it('hardcore terrain has stumps, stairs and pits; normal terrain is only grass', () => {
    const kinds = new Set<string>()
    let deepestDrop = 0
    for (let seed = 0; seed < 8; seed++) {
      const normal = makeBipedalWalker()
      normal.reset({ seed })
      const grass = normal.terrain()
      expect(grass.x.length).toBe(200)
      expect(grass.obstacles).toEqual([])
      expect(normal.physicsBodyCount()).toBe(199 + 5)
      expect(maxStep(grass.y)).toBeLessThan(0.25) // a smooth random walk
      const hard = makeBipedalWalker({ hardcore: true })
      hard.reset({ seed })
      const rough = hard.terrain()
      expect(rough.obstacles.length).toBeGreaterThan(5)
      expect(hard.physicsBodyCount()).toBe(199 + 5 + rough.obstacles.length)
      for (const obstacle of rough.obstacles) kinds.add(obstacle.kind)
      deepestDrop = Math.max(deepestDrop, maxStep(rough.y))
      // both start on the same flat pad of 20 points at TERRAIN_HEIGHT
      for (const terrain of [grass, rough]) {
        expect(terrain.y.slice(0, 20)).toEqual(new Array(20).fill(TERRAIN_HEIGHT))
        terrain.x.forEach((x, i) => {
          expect(x).toBe(i * STEP)
        })
      }
    }
    expect([...kinds].sort()).toEqual(['pit', 'stairs', 'stump'])
    expect(deepestDrop).toBeCloseTo(4 * STEP, 6) // a pit's floor lies 4 steps down
    // the generator is a pure function of its key
    expect(generateBipedalWalkerTerrain(Rng.key(11), true)).toEqual(generateBipedalWalkerTerrain(Rng.key(11), true))
    expect(generateBipedalWalkerTerrain(Rng.key(11), true)).not.toEqual(generateBipedalWalkerTerrain(Rng.key(12), true))
  })

  it("Gymnasium's heuristic walker makes progress, and finishes a course with a return above 300", () => {
    const env = makeBipedalWalker()
    let finished = 0
    for (const seed of [0, 1, 2, 3]) {
      // as Gymnasium's demo loop: the first step with [0, 0, 0, 0], then the heuristic on each new observation
      const heuristic = makeHeuristic()
      const policy = (t: number, s: Float32Array) => (t === 0 ? [0, 0, 0, 0] : heuristic(t, s))
      const { rewards, terminated, poses } = rollout(env, seed, 1600, policy)
      // forward progress within 500 steps (or before a fall)
      const at500 = poses[Math.min(500, poses.length - 1)]
      expect((at500?.x ?? 0) - (poses[0]?.x ?? 0)).toBeGreaterThan(10)
      if (terminated.at(-1) === true && rewards.at(-1) !== -100) {
        // the end of the terrain terminates without a penalty
        expect(poses.at(-1)?.x).toBeGreaterThan(FINISH_X)
        expect(rewards.reduce((a, b) => a + b, 0)).toBeGreaterThan(300)
        finished++
      }
    }
    expect(finished).toBeGreaterThanOrEqual(1)
  })

  it("replays planck 1.5.0's walks: 200 heuristic steps on seed 0, normal and hardcore, as recorded there", () => {
    // Recorded on planck 1.5.0 (polygon mass right) before the switch to 1.4.2 + correctMassData (planckMass.ts), which
    // replays them to 4e-7 (the mass data's last bits differ from planck's, see docs/install-size.md); on bare 1.4.2
    // the walker falls after 191 steps (−100).
    const recorded = [
      {
        hardcore: false,
        x: 10.546833022318081,
        sum: 20.77616407550306,
        observation: [
          -0.019189019, 0.03804577, 0.39211372, -0.018911922, -0.018318808, -0.950174, 0.14193144, 0.41528246, 1,
          1.0391574, -0.7519535, -0.4133065, 1, 0, 0.4184337, 0.42639503, 0.4460355, 0.47883573, 0.5225487, 0.6019729,
          0.70825607, 0.86542827, 1, 1,
        ],
      },
      {
        hardcore: true,
        x: 10.7196780053048,
        sum: 19.985765148436144,
        observation: [
          -0.3062775, -0.010854552, 0.49471402, -0.008936323, 0.54283166, 0.66137695, -0.54207516, -0.08980447, 0,
          0.27966854, -0.8236291, -0.26099917, 0.55065304, 1, 0.43879566, 0.44735676, 0.4683986, 0.50212675, 0.5498791,
          0.62025654, 0.73009574, 1, 1, 1,
        ],
      },
    ]
    for (const { hardcore, x, sum, observation } of recorded) {
      const heuristic = makeHeuristic()
      const policy = (t: number, s: Float32Array) => (t === 0 ? [0, 0, 0, 0] : heuristic(t, s))
      const { observations, rewards, poses } = rollout(makeBipedalWalker({ hardcore }), 0, 200, policy)
      expect(rewards.length).toBe(200)
      expect(rewards.reduce((a, b) => a + b, 0)).toBeCloseTo(sum, 6)
      expect(poses.at(-1)?.x).toBeCloseTo(x, 6)
      observations.at(-1)?.forEach((value, i) => {
        expect(value).toBeCloseTo(observation[i] ?? Number.NaN, 5)
      })
    }
  })

  it('runs a random policy for 10k steps in each mode with resets, without error or leaked planck bodies', () => {
    const { created, destroyed } = spyOnPlanckBodies()
    try {
      for (const hardcore of [false, true]) {
        created.mockClear()
        destroyed.mockClear()
        const env = makeBipedalWalker({ hardcore })
        expect(env.physicsBodyCount()).toBe(0)
        const steps = 10_000
        const policy = randomPolicy(Rng.key(99), steps)
        env.reset({ seed: 99 })
        let resets = 1
        let maxBodies = 0
        for (let t = 0; t < steps; t++) {
          const { observation, reward, terminated } = env.step(policy(t))
          expect(Number.isFinite(reward)).toBe(true)
          expect(observation.every(Number.isFinite)).toBe(true)
          maxBodies = Math.max(maxBodies, env.physicsBodyCount())
          if (terminated || t % 1000 === 999) {
            env.reset()
            resets++
            // everything but the new episode's bodies has been destroyed
            expect(destroyed.mock.calls.length).toBe(created.mock.calls.length - env.physicsBodyCount())
          }
        }
        expect(resets).toBeGreaterThan(10)
        expect(maxBodies).toBeLessThan(hardcore ? 300 : 205)
        env.close()
        expect(env.physicsBodyCount()).toBe(0)
        expect(destroyed.mock.calls.length).toBe(created.mock.calls.length)
        env.close()
        expect(() => env.step([0, 0, 0, 0])).toThrow(/step\(\) called after close\(\)/)
        expect(() => env.reset()).toThrow(/after close/)
        expect(() => env.render()).toThrow(/after close/)
      }
    } finally {
      created.mockRestore()
      destroyed.mockRestore()
    }
  })

  it('rejects invalid actions, seeds and options with errors naming the env', () => {
    const env = makeBipedalWalker()
    expect(() => env.step([0, 0, 0, 0])).toThrow(/BipedalWalker-v3: call reset\(\) before step\(\)/)
    expect(() => env.hullPose()).toThrow(/BipedalWalker-v3: call reset\(\) before hullPose\(\)/)
    env.reset({ seed: 0 })
    expect(() => env.step([0, 0, 0])).toThrow(RangeError)
    expect(() => env.step([0, 0, 0])).toThrow(/BipedalWalker-v3: invalid action: expected 4 values/)
    expect(() => env.step([0, 0, 0, 0, 0])).toThrow(/BipedalWalker-v3: invalid action/)
    expect(() => env.step([0, Number.NaN, 0, 0])).toThrow(/BipedalWalker-v3: invalid action: element 1/)
    expect(() => env.step([0, 0, 0, Number.NEGATIVE_INFINITY])).toThrow(/invalid action: element 3/)
    expect(() => env.reset({ seed: 0.5 })).toThrow(/BipedalWalker-v3: reset: seed must be a safe integer/)
    expect(() => env.reset({ options: { metadata: {} } })).toThrow(ConfigError)
    expect(() => makeBipedalWalker({ hardcore: true }).step([0, 0, 0, 0])).toThrow(/BipedalWalkerHardcore-v3: call/)
    expect(() => makeBipedalWalker({ hardcore: 1 } as never)).toThrow(/hardcore/)
    expect(() => makeBipedalWalker({ hard: true } as never)).toThrow(/hard/)
    // a rejected action leaves the episode untouched
    const replay = makeBipedalWalker()
    replay.reset({ seed: 0 })
    expect(env.step([0.7, -0.7, 0.2, 0])).toEqual(replay.step([0.7, -0.7, 0.2, 0]))
  })

  it('renders a 600 × 400 RGB frame: sky, green ground, start flag, purple hull, white obstacles', () => {
    const env = makeBipedalWalker()
    env.reset({ seed: 3 })
    for (let t = 0; t < 5; t++) env.step([0, 0, 0, 0])
    const pose = env.hullPose()
    const scroll = Math.max(0, pose.x - 600 / 30 / 5)
    const frame = env.render()
    expect(frame.width).toBe(600)
    expect(frame.height).toBe(400)
    expect(frame.data.length).toBe(600 * 400 * 3)
    expect(pixelAt(frame, 300, 190)).toEqual([215, 215, 255]) // below the clouds, above everything else
    expect(pixelAt(frame, 300, 399)).toEqual([102, 153, 76])
    expect(pixelAt(frame, 30, 310)).toEqual([102, 153, 76])
    const flagX = Math.round((STEP * 3 - scroll) * 30)
    expect(pixelAt(frame, flagX + 6, 255)).toEqual([230, 51, 0])
    expect(pixelAt(frame, Math.round((pose.x - scroll) * 30), Math.round(400 - pose.y * 30))).toEqual([127, 51, 229])
    // every call draws a new frame
    frame.data.fill(7)
    expect(pixelAt(env.render(), 300, 399)).toEqual([102, 153, 76])

    const hard = makeBipedalWalker({ hardcore: true })
    hard.reset({ seed: 0 })
    // the first obstacle follows the start pad, in view: its centre is white, whatever its kind
    const vertices = hard.terrain().obstacles[0]?.vertices ?? []
    expect(vertices.length).toBe(4)
    const hardScroll = Math.max(0, hard.hullPose().x - 600 / 30 / 5)
    const cx = Math.round((vertices.reduce((sum, [x]) => sum + x, 0) / 4 - hardScroll) * 30)
    const cy = Math.round(400 - (vertices.reduce((sum, [, y]) => sum + y, 0) / 4) * 30)
    expect(cx).toBeLessThan(600)
    expect(pixelAt(hard.render(), cx, cy)).toEqual([255, 255, 255])
  })
})
