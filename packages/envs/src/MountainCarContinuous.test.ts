import { Box, Rng } from '@polyak/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pixelAt } from './Frame.js'
import {
  type MountainCarState,
  makeMountainCarContinuous,
  mountainCarInitialState,
  mountainCarObservation,
  mountainCarTransition,
  renderMountainCar,
} from './MountainCarContinuous.js'
import { GYMNASIUM_REFERENCE } from './test-utils/gymnasiumReference.js'

/** Runs the pure transition from a (float64, as after a reset) state through actions. */
const rollout = (start: MountainCarState, actions: readonly number[], goalVelocity = 0) => {
  const step = mountainCarTransition(goalVelocity)
  let state = start
  return actions.map((a) => {
    const next = step(state, [a])
    state = next.state
    return { ...next, observation: Array.from(mountainCarObservation(next.state)) }
  })
}

const f32 = Math.fround

describe('mountainCarTransition: hand-computed steps (values printed by Gymnasium for the same state and action)', () => {
  it('the left wall: the position is clipped to −1.2 and a negative velocity becomes 0', () => {
    const steps = rollout({ position: -1.19, velocity: -0.05 }, [-1, -1, 0.5])
    // by hand: v = −0.05 − 0.0015 − 0.0025·cos(−3.57) ≈ −0.0492, x = −1.19 + v < −1.2 → x = −1.2, v = 0
    expect(-0.05 - 0.0015 - 0.0025 * Math.cos(-3.57)).toBeLessThan(-0.01)
    expect(steps[0]?.observation).toEqual([f32(-1.2), 0])
    expect(steps[0]?.reward).toBe(-0.1)
    // from the float32 wall position −1.2000000477, gravity pulls right again
    expect(steps[1]?.observation).toEqual([-1.1992582082748413, 0.0007418958703055978])
    expect(steps[2]?.observation).toEqual([-1.1955219507217407, 0.0037362484727054834])
    expect(steps.map((s) => s.reward)).toEqual([-0.1, -0.1, -0.025])
    expect(steps.some((s) => s.terminated)).toBe(false)
  })

  it('termination at x ≥ 0.45 with v ≥ 0 gives +100 minus the action penalty', () => {
    const [goal] = rollout({ position: 0.44, velocity: 0.02 }, [0.5])
    expect(goal?.terminated).toBe(true)
    expect(goal?.reward).toBe(100 - 0.025)
    expect(goal?.observation).toEqual([0.4601295590400696, 0.02012956142425537])
    const [tooSlow] = rollout({ position: 0.44, velocity: 0.02 }, [0.5], 0.05)
    expect(tooSlow?.terminated).toBe(false)
    expect(tooSlow?.reward).toBe(-0.025)
    const [backwards] = rollout({ position: 0.5, velocity: -0.01 }, [-1])
    expect(backwards?.observation[0]).toBeGreaterThanOrEqual(0.45)
    expect(backwards?.terminated).toBe(false)
  })

  it('the penalty −0.1·a² uses the unclipped action, the force the clipped one', () => {
    const steps = rollout({ position: -0.5, velocity: 0 }, [3, -0.3, 0.1])
    expect(steps.map((s) => s.reward)).toEqual([-0.9, -0.009, -0.0010000000000000002])
    expect(steps[0]?.observation).toEqual([-0.4986768364906311, 0.0013231569901108742])
    expect(rollout({ position: -0.5, velocity: 0 }, [1])[0]?.state).toEqual(steps[0]?.state)
    expect(steps[2]?.observation).toEqual([-0.497345894575119, 0.0006445430917665362])
  })

  it('clips the velocity at 0.07', () => {
    const [step] = rollout({ position: -0.5, velocity: 0.069 }, [1])
    expect(step?.observation).toEqual([-0.4300000071525574, 0.07000000029802322])
  })

  it('stores the state as float32 after every step', () => {
    const [step] = rollout({ position: -0.5234567, velocity: 0.0123456789 }, [0.3])
    const state = step?.state as MountainCarState
    expect(state.position).toBe(f32(state.position))
    expect(state.velocity).toBe(f32(state.velocity))
    expect(state.storedAsFloat32).toBe(true)
    // the float64 result before storage differs from the stored value
    const velocity = 0.0123456789 + 0.3 * 0.0015 - 0.0025 * Math.cos(3 * -0.5234567)
    expect(state.velocity).not.toBe(velocity)
    expect(state.velocity).toBe(f32(velocity))
    expect(state.position).toBe(f32(-0.5234567 + velocity))
  })

  it.each([
    ['float64', (a: number): ArrayLike<number> => [a]],
    ['float32', (a: number): ArrayLike<number> => Float32Array.of(a)],
  ] as const)(
    'matches a 300-step Gymnasium trajectory with %s actions bit for bit (goal and right wall reached)',
    (dtype, asAction) => {
      const reference = GYMNASIUM_REFERENCE.mountainCar[dtype]
      const step = mountainCarTransition(0)
      let state: MountainCarState = { position: reference.start[0], velocity: reference.start[1] }
      let returnSum = 0
      const terminatedSteps: number[] = []
      for (let t = 0; t < reference.steps; t++) {
        const magnitude = 0.5 + ((t * 7919) % 101) / 100
        const next = step(state, asAction(state.velocity >= 0 ? magnitude : -magnitude))
        state = next.state
        returnSum += next.reward
        if (next.terminated) terminatedSteps.push(t)
        if (t % 10 === 9) {
          expect(Array.from(mountainCarObservation(state))).toEqual(reference.observations[(t - 9) / 10])
          expect(next.reward).toBe(reference.rewards[(t - 9) / 10])
        }
      }
      expect(terminatedSteps).toEqual(reference.terminatedSteps)
      expect(terminatedSteps[0]).toBe(106)
      expect(returnSum).toBe(reference.returnSum)
    },
  )

  it('follows NumPy 2 roundings: 3·x in float32 once the state is float32, a float32 action in [−1, 1] makes v float32', () => {
    const f32 = Math.fround
    const stored = { position: f32(-0.5234567), velocity: f32(0.0123), storedAsFloat32: true }
    const gravity = 0.0025 * Math.cos(f32(3 * stored.position))
    const inside = mountainCarTransition(0)(stored, Float32Array.of(0.75)).state
    const push = f32(f32(0.75) * f32(0.0015))
    expect(inside.velocity).toBe(f32(stored.velocity + f32(push - f32(gravity))))
    const clipped = mountainCarTransition(0)(stored, Float32Array.of(1.5)).state
    expect(clipped.velocity).toBe(f32(stored.velocity + f32(0.0015 - gravity)))
    const float64 = mountainCarTransition(0)(stored, [0.75]).state
    expect(float64.velocity).toBe(f32(stored.velocity + (0.75 * 0.0015 - gravity)))
  })
})

describe('mountainCarTransition: properties', () => {
  const state = fc.record({
    position: fc.double({ min: -1.2, max: 0.6, noNaN: true }),
    velocity: fc.double({ min: -0.07, max: 0.07, noNaN: true }),
    storedAsFloat32: fc.boolean(),
  })
  const action = fc.double({ min: -1e3, max: 1e3, noNaN: true })
  const space = makeMountainCarContinuous().observationSpace

  it('keeps the position in [−1.2, 0.6] and the velocity in [−0.07, 0.07] (as float32), the observation in the space', () => {
    fc.assert(
      fc.property(state, action, (s, a) => {
        const next = mountainCarTransition(0)(s, [a])
        expect(next.state.position).toBeGreaterThanOrEqual(f32(-1.2))
        expect(next.state.position).toBeLessThanOrEqual(f32(0.6))
        expect(Math.abs(next.state.velocity)).toBeLessThanOrEqual(f32(0.07))
        expect(Box.contains(space, mountainCarObservation(next.state))).toBe(true)
      }),
    )
  })

  it('reward = 100·terminated − 0.1·a²; terminated exactly when x ≥ 0.45 and v ≥ 0', () => {
    fc.assert(
      fc.property(state, action, (s, a) => {
        const next = mountainCarTransition(0)(s, [a])
        expect(next.reward).toBe((next.terminated ? 100 : 0) - a * a * 0.1)
        if (next.terminated) expect(next.state.position).toBeGreaterThanOrEqual(f32(0.45))
        if (next.state.position < 0.449) expect(next.terminated).toBe(false)
      }),
    )
  })
})

describe('mountainCarInitialState', () => {
  it('draws x in [−0.6, −0.4) with v = 0, as float64', () => {
    const positions = Array.from({ length: 200 }, (_, seed) => mountainCarInitialState(Rng.key(seed)))
    for (const { position, velocity } of positions) {
      expect(position).toBeGreaterThanOrEqual(-0.6)
      expect(position).toBeLessThan(-0.4)
      expect(velocity).toBe(0)
    }
    expect(positions.some((s) => s.position !== f32(s.position))).toBe(true)
  })

  it('takes low and high from the options and rejects low > high', () => {
    expect(mountainCarInitialState(Rng.key(1), { low: -0.5, high: -0.5 })).toEqual({ position: -0.5, velocity: 0 })
    expect(() => mountainCarInitialState(Rng.key(1), { low: 0, high: -0.5 })).toThrow(
      'Invalid reset options of MountainCarContinuous-v0:\n  - low: expected <= high (-0.5), got 0',
    )
    expect(() => mountainCarInitialState(Rng.key(1), { low: 'a' })).toThrow('low: expected a finite number, got "a"')
  })
})

describe('makeMountainCarContinuous', () => {
  it('has the spaces of MountainCarContinuous-v0 (bounds as float32)', () => {
    const env = makeMountainCarContinuous()
    expect(env.observationSpace).toEqual({
      shape: [2],
      low: [f32(-1.2), f32(-0.07)],
      high: [f32(0.6), f32(0.07)],
    })
    expect(env.actionSpace).toEqual({ shape: [1], low: [-1], high: [1] })
  })

  it('rejects an unknown option, naming it', () => {
    expect(() => makeMountainCarContinuous({ goal_velocity: 0 } as never)).toThrow(
      /goal_velocity: unknown key \(expected one of: goalVelocity\)/,
    )
  })

  it('renders the track and the car', () => {
    const frame = renderMountainCar({ position: -0.5, velocity: 0 })
    expect([frame.width, frame.height, frame.data.length]).toEqual([600, 400, 600 * 400 * 3])
    const scale = 600 / 1.8
    const x = Math.round((-0.5 + 1.2) * scale)
    const trackY = Math.round(399 - (Math.sin(-1.5) * 0.45 + 0.55) * scale)
    expect(pixelAt(frame, x, trackY)).toEqual([0, 0, 0])
    expect(pixelAt(frame, x, trackY - 20)).toEqual([0, 0, 0]) // the car body above the track
    expect(pixelAt(frame, x, 5)).toEqual([255, 255, 255])
    const moved = renderMountainCar({ position: 0.2, velocity: 0 })
    expect(pixelAt(moved, x, trackY - 20)).toEqual([255, 255, 255])
  })
})
