import { ConfigError, Rng } from '@polyak/core'
import { describe, expect, it } from 'vitest'
import { pixelAt } from './Frame.js'
import {
  LUNAR_LANDER_CONTINUOUS_ID,
  type LunarLanderEnv,
  lunarLanderShaping,
  makeLunarLanderContinuous,
} from './LunarLander.js'
import { constant, randomPolicy as randomPolicyOfSize, rollout, spyOnPlanckBodies } from './test-utils/envRollouts.js'

/** Uniform random actions in [−1, 1]² from a key, one pair per step. */
const randomPolicy = (key: Rng.Key, steps: number) => randomPolicyOfSize(key, steps, 2)

/** Gymnasium's `heuristic` for the continuous lander (its demo controller), on the observation. */
const heuristic = (_t: number, s: Float32Array): readonly number[] => {
  const v = (i: number): number => s[i] ?? Number.NaN
  const angleTarget = Math.min(0.4, Math.max(-0.4, v(0) * 0.5 + v(2)))
  const hoverTarget = 0.55 * Math.abs(v(0))
  let angleTodo = (angleTarget - v(4)) * 0.5 - v(5)
  let hoverTodo = (hoverTarget - v(1)) * 0.5 - v(3) * 0.5
  if (v(6) !== 0 || v(7) !== 0) {
    angleTodo = 0
    hoverTodo = -v(3) * 0.5
  }
  return [Math.min(1, Math.max(-1, hoverTodo * 20 - 1)), Math.min(1, Math.max(-1, -angleTodo * 20))]
}

describe('LunarLanderContinuous-v3', () => {
  it('has an 8-dimensional observation, a Box(−1, 1, (2,)) action space and fresh float32 observations', () => {
    const env = makeLunarLanderContinuous()
    expect(env.id).toBe(LUNAR_LANDER_CONTINUOUS_ID)
    expect(env.observationSpace.shape).toEqual([8])
    expect(env.observationSpace.low).toEqual([-2.5, -2.5, -10, -10, Math.fround(-2 * Math.PI), -10, 0, 0])
    expect(env.observationSpace.high).toEqual([2.5, 2.5, 10, 10, Math.fround(2 * Math.PI), 10, 1, 1])
    expect(env.actionSpace).toEqual({ shape: [2], low: [-1, -1], high: [1, 1] })
    const { observation, info } = env.reset({ seed: 0 })
    expect(observation).toBeInstanceOf(Float32Array)
    expect(observation.length).toBe(8)
    expect(info).toEqual({})
    // starts near the top centre, no leg contact
    expect(Math.abs(observation[0] ?? Number.NaN)).toBeLessThan(0.1)
    expect(observation[1]).toBeGreaterThan(1.3)
    expect([observation[6], observation[7]]).toEqual([0, 0])
    const first = env.step([0, 0])
    const copy = Float32Array.from(first.observation)
    const second = env.step([0, 0])
    expect(second.observation).not.toBe(first.observation)
    expect(first.observation).toEqual(copy)
    expect(first.truncated).toBe(false)
  })

  it('is deterministic: the same seed gives the same 300 steps, another seed does not', () => {
    const policy = randomPolicy(Rng.key(7), 300)
    const a = rollout(makeLunarLanderContinuous(), 42, 300, policy, false)
    const b = rollout(makeLunarLanderContinuous(), 42, 300, policy, false)
    const c = rollout(makeLunarLanderContinuous(), 43, 300, policy, false)
    expect(a.observations.length).toBe(301)
    expect(b).toEqual(a)
    expect(c.observations[0]).not.toEqual(a.observations[0])
    expect(c.rewards).not.toEqual(a.rewards)
  })

  it('does not depend on earlier episodes: a reseeded env replays the episode of a fresh one', () => {
    const policy = randomPolicy(Rng.key(3), 200)
    const fresh = rollout(makeLunarLanderContinuous(), 5, 200, policy, false)
    const used = makeLunarLanderContinuous()
    rollout(used, 9, 150, randomPolicy(Rng.key(4), 150), false)
    used.reset()
    used.step([1, 1])
    expect(rollout(used, 5, 200, policy, false)).toEqual(fresh)
  })

  it('continues its key stream on a reset without a seed', () => {
    const env = makeLunarLanderContinuous()
    const first = env.reset({ seed: 1 }).observation
    const second = env.reset().observation
    expect(second).not.toEqual(first)
    env.reset({ seed: 1 })
    expect(env.reset().observation).toEqual(second)
  })

  it('with zero action the lander falls and the episode ends with ±100 within 1000 steps', () => {
    const env = makeLunarLanderContinuous()
    for (const seed of [0, 1, 2, 3]) {
      const { observations, rewards, terminated } = rollout(env, seed, 1000, constant([0, 0]))
      expect(terminated.at(-1)).toBe(true)
      expect([-100, 100]).toContain(rewards.at(-1))
      expect(observations.at(-1)?.[1]).toBeLessThan(observations[0]?.[1] ?? Number.NaN)
    }
  })

  it('the main engine at full throttle raises the vertical velocity relative to zero action', () => {
    const env = makeLunarLanderContinuous()
    for (const seed of [0, 1, 2]) {
      const off = rollout(env, seed, 5, constant([0, 0]))
      const on = rollout(env, seed, 5, constant([1, 0]))
      expect(on.observations[5]?.[3]).toBeGreaterThan((off.observations[5]?.[3] ?? Number.NaN) + 0.05)
    }
  })

  it('the lateral engines turn the lander in opposite directions for a = [0, 1] and [0, −1]', () => {
    const env = makeLunarLanderContinuous()
    for (const seed of [0, 1, 2]) {
      const omega = (lateral: number): number => rollout(env, seed, 3, constant([0, lateral])).observations[3]?.[5] ?? 0
      const base = omega(0)
      const right = omega(1) - base
      const left = omega(-1) - base
      expect(Math.abs(right)).toBeGreaterThan(1e-3)
      expect(Math.abs(left)).toBeGreaterThan(1e-3)
      expect(Math.sign(right)).toBe(-Math.sign(left))
      // lateral > 0.5 fires the left engine, which turns the lander clockwise (negative ω), as in Gymnasium
      expect(right).toBeLessThan(0)
    }
  })

  it('|lateral| ≤ 0.5 fires no lateral engine and main ≤ 0 no main engine: the same trajectory as [0, 0]', () => {
    const env = makeLunarLanderContinuous()
    const reference = rollout(env, 11, 60, constant([0, 0]), false)
    for (const action of [
      [0, 0.5],
      [0, -0.5],
      [0, 0.3],
      [-1, -0.49],
      [-0.2, 0.1],
    ]) {
      expect(rollout(env, 11, 60, constant(action), false)).toEqual(reference)
    }
    // and actions outside the Box are clipped: [3, −7] flies as [1, −1]
    expect(rollout(env, 11, 60, constant([3, -7]), false)).toEqual(rollout(env, 11, 60, constant([1, -1]), false))
  })

  it('the shaping reward telescopes over an episode without fuel, up to the terminal ±100', () => {
    const env = makeLunarLanderContinuous()
    for (const seed of [0, 4]) {
      const { observations, rewards, terminated } = rollout(env, seed, 1000, constant([0, 0]))
      const last = rewards.length - 1
      expect(terminated[last]).toBe(true)
      for (let t = 0; t < last; t++) {
        const delta = lunarLanderShaping(observations[t + 1] ?? []) - lunarLanderShaping(observations[t] ?? [])
        expect(rewards[t]).toBeCloseTo(delta, 3)
      }
      // Gymnasium replaces (not adds to) the terminal step's reward by ±100
      const sum = rewards.reduce((a, b) => a + b, 0)
      const telescoped =
        lunarLanderShaping(observations[last] ?? []) - lunarLanderShaping(observations[0] ?? []) + (rewards[last] ?? 0)
      expect(Math.abs(rewards[last] ?? 0)).toBe(100)
      expect(sum).toBeCloseTo(telescoped, 2)
    }
  })

  it('charges 0.3·m_power for the main engine and 0.03·s_power for the lateral ones', () => {
    const env = makeLunarLanderContinuous()
    for (const [action, fuel] of [
      [[1, 0], 0.3],
      [[0.5, 0], 0.3 * 0.75],
      [[0, 0.8], 0.03 * 0.8],
      [[0, -1], 0.03],
      [[1, 1], 0.33],
    ] as const) {
      const { observations, rewards } = rollout(env, 2, 3, constant(action))
      for (let t = 0; t < 3; t++) {
        const delta = lunarLanderShaping(observations[t + 1] ?? []) - lunarLanderShaping(observations[t] ?? [])
        expect(rewards[t]).toBeCloseTo(delta - fuel, 3)
      }
    }
  })

  it("Gymnasium's heuristic controller lands: every episode ends at rest (+100) with a return above 200", () => {
    const env = makeLunarLanderContinuous()
    for (const seed of [0, 1, 2, 3, 4]) {
      const { rewards, terminated } = rollout(env, seed, 1000, heuristic)
      expect(terminated.at(-1)).toBe(true)
      expect(rewards.at(-1)).toBe(100)
      expect(rewards.reduce((a, b) => a + b, 0)).toBeGreaterThan(200)
    }
  })

  it("replays planck 1.5.0's landing: seed 0 under the heuristic ends after 179 steps as recorded there", () => {
    // Recorded on planck 1.5.0 (polygon mass right) before the switch to 1.4.2 + correctMassData (planckMass.ts), which
    // replays it to the last bit of the observation (the return to 6e-13); bare 1.4.2 lands a step later, 0.002 apart.
    const { observations, rewards, terminated } = rollout(makeLunarLanderContinuous(), 0, 1000, heuristic)
    expect(terminated.length).toBe(179)
    expect(terminated.at(-1)).toBe(true)
    expect(rewards.reduce((a, b) => a + b, 0)).toBeCloseTo(274.87352177722767, 8)
    const expected = [-0.019716145, -0.007403534, 0, 0, -0.001729637, 0, 1, 1]
    observations.at(-1)?.forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] ?? Number.NaN, 6)
    })
  })

  it('runs a random policy for 10k steps with resets without error and without leaking planck bodies', () => {
    // every body created (4 per reset: ground, lander, two legs) must be destroyed by the next reset or by close()
    const { created, destroyed } = spyOnPlanckBodies()
    try {
      const env = makeLunarLanderContinuous()
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
          expect(destroyed.mock.calls.length).toBe(created.mock.calls.length - 4)
        }
      }
      expect(resets).toBeGreaterThan(10)
      expect(maxBodies).toBe(4)
      expect(created.mock.calls.length).toBe(4 * resets)
      env.close()
      expect(env.physicsBodyCount()).toBe(0)
      expect(destroyed.mock.calls.length).toBe(created.mock.calls.length)
      env.close()
      expect(() => env.step([0, 0])).toThrow(/LunarLanderContinuous-v3: step\(\) called after close\(\)/)
      expect(() => env.reset()).toThrow(/after close/)
      expect(() => env.render()).toThrow(/after close/)
    } finally {
      created.mockRestore()
      destroyed.mockRestore()
    }
  })

  it('rejects invalid actions with errors naming the env', () => {
    const env = makeLunarLanderContinuous()
    expect(() => env.step([0, 0])).toThrow(/LunarLanderContinuous-v3: call reset\(\) before step\(\)/)
    env.reset({ seed: 0 })
    expect(() => env.step([0])).toThrow(RangeError)
    expect(() => env.step([0])).toThrow(/LunarLanderContinuous-v3: invalid action: expected 2 values/)
    expect(() => env.step([0, 0, 0])).toThrow(/LunarLanderContinuous-v3: invalid action/)
    expect(() => env.step([0, Number.NaN])).toThrow(/LunarLanderContinuous-v3: invalid action: element 1/)
    expect(() => env.step([Number.POSITIVE_INFINITY, 0])).toThrow(/LunarLanderContinuous-v3: invalid action: element 0/)
    expect(() => env.reset({ seed: 1.5 })).toThrow(/LunarLanderContinuous-v3: reset: seed must be a safe integer/)
    expect(() => env.reset({ options: { x_init: 1 } })).toThrow(ConfigError)
    // a rejected action leaves the episode untouched
    const replay = makeLunarLanderContinuous()
    replay.reset({ seed: 0 })
    expect(env.step([0.7, 0.7])).toEqual(replay.step([0.7, 0.7]))
  })

  it('validates its options: gravity in (−12, 0), no unknown keys', () => {
    expect(() => makeLunarLanderContinuous({ gravity: 0 })).toThrow(ConfigError)
    expect(() => makeLunarLanderContinuous({ gravity: -12 })).toThrow(/gravity/)
    expect(() => makeLunarLanderContinuous({ wind: true } as never)).toThrow(/wind/)
  })

  it('weaker gravity falls slower, and wind changes the flight', () => {
    const vy = (env: LunarLanderEnv): number => rollout(env, 6, 30, constant([0, 0])).observations[30]?.[3] ?? 0
    expect(vy(makeLunarLanderContinuous({ gravity: -5 }))).toBeGreaterThan(vy(makeLunarLanderContinuous()) + 0.1)
    const calm = rollout(makeLunarLanderContinuous(), 6, 30, constant([0, 0]))
    const windy = rollout(makeLunarLanderContinuous({ enableWind: true }), 6, 30, constant([0, 0]))
    expect(windy.observations[0]).not.toEqual(calm.observations[0])
    expect(windy.observations[30]?.[0]).not.toBeCloseTo(calm.observations[30]?.[0] ?? 0, 3)
  })

  it('renders a 600 × 400 RGB frame: black sky, white ground, yellow flags and the lilac lander', () => {
    const env = makeLunarLanderContinuous()
    env.reset({ seed: 3 })
    let observation: Float32Array = new Float32Array(8)
    for (let t = 0; t < 40; t++) observation = env.step([0, 0]).observation
    const frame = env.render()
    expect(frame.width).toBe(600)
    expect(frame.height).toBe(400)
    expect(frame.data.length).toBe(600 * 400 * 3)
    expect(pixelAt(frame, 0, 0)).toEqual([0, 0, 0])
    expect(pixelAt(frame, 300, 399)).toEqual([255, 255, 255])
    // the flag at x = 8 (pixel 240) on the pad at H/4 (pixel row 300): its cloth is 45 rows above
    expect(pixelAt(frame, 245, 255)).toEqual([204, 204, 0])
    // the lander's origin lies inside its polygon
    const scale = 30
    const x = ((observation[0] ?? 0) * 10 + 10) * scale
    const y = ((observation[1] ?? 0) * (400 / scale / 2) + 400 / scale / 4 + 18 / scale) * scale
    expect(pixelAt(frame, Math.round(x), Math.round(400 - y))).toEqual([128, 102, 230])
    // every call draws a new frame: painting over one leaves the next untouched
    frame.data.fill(7)
    expect(pixelAt(env.render(), 0, 0)).toEqual([0, 0, 0])
  })
})
