import { Box, ConfigError, Rng } from '@polyak/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pixelAt } from './Frame.js'
import {
  angleNormalize,
  makePendulum,
  type PendulumState,
  pendulumInitialState,
  pendulumObservation,
  pendulumTransition,
  renderPendulum,
} from './Pendulum.js'
import { GYMNASIUM_REFERENCE } from './test-utils/gymnasiumReference.js'

/** Runs the pure transition from a state through actions; returns every step. */
const rollout = (start: PendulumState, actions: readonly number[]) => {
  const step = pendulumTransition(10)
  let state = start
  return actions.map((a) => {
    const next = step(state, [a])
    state = next.state
    return { ...next, observation: Array.from(pendulumObservation(next.state)) }
  })
}

const MAX_COST = Math.PI ** 2 + 0.1 * 64 + 0.001 * 4

describe('angleNormalize', () => {
  it('wraps with a floor-mod, so negative angles land in [−π, π] (JS % alone would not)', () => {
    expect(angleNormalize(-4)).toBeCloseTo(2 * Math.PI - 4, 15)
    expect(angleNormalize(7)).toBeCloseTo(7 - 2 * Math.PI, 15)
    expect(angleNormalize(-3 * Math.PI - 0.5)).toBeCloseTo(Math.PI - 0.5, 14)
    expect(angleNormalize(0)).toBe(0)
    expect(Object.is(angleNormalize(-Math.PI), -Math.PI)).toBe(true) // Python: ((−π + π) % 2π) − π = −π
    const truncating = ((-4 + Math.PI) % (2 * Math.PI)) - Math.PI
    expect(truncating).toBeCloseTo(-4, 12) // what a plain % would give: not normalised
  })

  it('returns a value in [−π, π] that differs from the input by a multiple of 2π', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e4, max: 1e4, noNaN: true }), (x) => {
        const y = angleNormalize(x)
        const turns = (x - y) / (2 * Math.PI)
        return y >= -Math.PI && y <= Math.PI && Math.abs(turns - Math.round(turns)) < 1e-9
      }),
    )
  })
})

describe('pendulumTransition: hand-computed steps (values printed by Gymnasium for the same state and action)', () => {
  it('a negative angle: cost on the pre-step state with norm(−4) = 2π − 4, then five steps', () => {
    const steps = rollout({ theta: -4, thetaDot: 1 }, [0.5, -3, 2, 1.5, -0.25])
    // step 1 by hand: cost = (2π − 4)² + 0.1·1² + 0.001·0.5², θ̇' = 1 + (15 sin(−4) + 3·0.5)·0.05, θ' = −4 + θ̇'·0.05
    const thetaDot1 = 1 + (15 * Math.sin(-4) + 1.5) * 0.05
    expect(steps[0]?.reward).toBeCloseTo(-((2 * Math.PI - 4) ** 2 + 0.1 + 0.00025), 13)
    expect(steps[0]?.state.thetaDot).toBeCloseTo(thetaDot1, 15)
    expect(steps[0]?.state.theta).toBeCloseTo(-4 + thetaDot1 * 0.05, 15)
    const gymnasium = [
      { reward: -5.313185146920741, theta: -3.9178699064259526, thetaDot: 1.642601871480946 },
      { reward: -5.868531035861593, theta: -3.82446626282787, thetaDot: 1.8680728719616573 },
      { reward: -6.398268964553725, theta: -3.69239918679518, thetaDot: 2.6413415206537967 },
      { reward: -7.412091224449453, theta: -3.5294555614554164, thetaDot: 3.2588725067952797 },
      { reward: -8.64511501404072, theta: -3.35420402614465, thetaDot: 3.505030706215319 },
    ]
    steps.forEach((step, i) => {
      expect(step.reward).toBeCloseTo(gymnasium[i]?.reward ?? Number.NaN, 12)
      expect(step.state.theta).toBeCloseTo(gymnasium[i]?.theta ?? Number.NaN, 12)
      expect(step.state.thetaDot).toBeCloseTo(gymnasium[i]?.thetaDot ?? Number.NaN, 12)
      expect(step.terminated).toBe(false)
    })
    expect(steps[4]?.observation).toEqual([-0.9774832129478455, 0.21101318299770355, 3.505030632019043])
  })

  it('clips a torque beyond ±2 (in the dynamics and in the cost)', () => {
    const [up, down] = rollout({ theta: 0.5, thetaDot: -0.2 }, [3.5, -5])
    // u = 2: cost = 0.25 + 0.1·0.04 + 0.001·4 = 0.258; θ̇' = −0.2 + (15 sin 0.5 + 6)·0.05
    expect(up?.reward).toBeCloseTo(-0.258, 14)
    expect(up?.state.thetaDot).toBeCloseTo(-0.2 + (15 * Math.sin(0.5) + 6) * 0.05, 15)
    expect(up?.state.thetaDot).toBeCloseTo(0.4595691539531523, 14)
    expect(down?.reward).toBeCloseTo(-0.2986268479423424, 14)
    expect(down?.state.thetaDot).toBeCloseTo(0.53416617353478, 14)
    const unclipped = pendulumTransition(10)({ theta: 0.5, thetaDot: -0.2 }, [2])
    expect(unclipped).toEqual(pendulumTransition(10)({ theta: 0.5, thetaDot: -0.2 }, [3.5]))
  })

  it('clips the angular velocity at ±8, and the angle moves by the clipped velocity', () => {
    const [fast] = rollout({ theta: 1, thetaDot: 7.8 }, [2])
    expect(fast?.state).toEqual({ theta: 1.4, thetaDot: 8 })
    expect(fast?.reward).toBeCloseTo(-(1 + 0.1 * 7.8 ** 2 + 0.004), 13)
    expect(fast?.observation).toEqual([0.1699671447277069, 0.9854497313499451, 8])
    const [slow] = rollout({ theta: -1, thetaDot: -7.9 }, [-2])
    expect(slow?.state).toEqual({ theta: -1.4, thetaDot: -8 })
    expect(slow?.reward).toBeCloseTo(-7.245, 14)
  })

  it('does not wrap θ in the state', () => {
    const [step] = rollout({ theta: 7, thetaDot: 1 }, [0])
    expect(step?.state.theta).toBeGreaterThan(7)
  })

  it('uses gravity g', () => {
    const state = { theta: 1, thetaDot: 0 }
    const onMars = pendulumTransition(3.71)(state, [0])
    expect(onMars.state.thetaDot).toBeCloseTo(1.5 * 3.71 * Math.sin(1) * 0.05, 15)
  })

  it.each([
    ['float64', (a: number): ArrayLike<number> => [a]],
    ['float32', (a: number): ArrayLike<number> => Float32Array.of(a)],
  ] as const)(
    'matches a 200-step Gymnasium trajectory with %s actions (torques often beyond the bound)',
    (dtype, asAction) => {
      const reference = GYMNASIUM_REFERENCE.pendulum[dtype]
      const step = pendulumTransition(10)
      let state: PendulumState = { theta: reference.start[0], thetaDot: reference.start[1] }
      let returnSum = 0
      for (let t = 0; t < reference.steps; t++) {
        const next = step(state, asAction((((t * 7919) % 801) - 400) / 100))
        state = next.state
        returnSum += next.reward
        if (t % 10 === 9) {
          expect(Array.from(pendulumObservation(state))).toEqual(reference.observations[(t - 9) / 10])
          expect(next.reward).toBeCloseTo(reference.rewards[(t - 9) / 10] ?? Number.NaN, 12)
        }
      }
      expect(returnSum).toBeCloseTo(reference.returnSum, 10)
    },
  )

  it('rounds the torque terms to float32 for a Float32Array action, as NumPy 2 does', () => {
    const state = { theta: 0.3, thetaDot: 0.1 }
    const a = Math.fround(1.3)
    const float64 = pendulumTransition(10)(state, [a])
    const float32 = pendulumTransition(10)(state, Float32Array.of(a))
    const f32 = Math.fround
    expect(float64.reward - float32.reward).toBeCloseTo(f32(f32(0.001) * f32(a * a)) - 0.001 * a * a, 15)
    expect(float64.reward).not.toBe(float32.reward)
    expect(float32.state.thetaDot).toBe(0.1 + (15 * Math.sin(0.3) + f32(3 * a)) * 0.05)
    expect(float64.state.thetaDot).toBe(0.1 + (15 * Math.sin(0.3) + 3 * a) * 0.05)
  })
})

describe('pendulumTransition: properties', () => {
  const state = fc.record({
    theta: fc.double({ min: -100, max: 100, noNaN: true }),
    thetaDot: fc.double({ min: -8, max: 8, noNaN: true }),
  })
  const torque = fc.double({ min: -1e6, max: 1e6, noNaN: true })

  it('reward in [−16.2736044, 0], never terminal, next θ̇ in [−8, 8], observation inside the space', () => {
    const space = makePendulum().observationSpace
    fc.assert(
      fc.property(state, torque, (s, a) => {
        const next = pendulumTransition(10)(s, [a])
        expect(next.reward).toBeLessThanOrEqual(0)
        expect(next.reward).toBeGreaterThanOrEqual(-16.2736044)
        expect(next.reward).toBeGreaterThanOrEqual(-MAX_COST)
        expect(next.terminated).toBe(false)
        expect(Math.abs(next.state.thetaDot)).toBeLessThanOrEqual(8)
        expect(Box.contains(space, pendulumObservation(next.state))).toBe(true)
      }),
    )
  })

  it('does not mutate the state it is given', () => {
    fc.assert(
      fc.property(state, torque, (s, a) => {
        const frozen = Object.freeze({ ...s })
        pendulumTransition(10)(frozen, [a])
        expect(frozen).toEqual(s)
      }),
    )
  })
})

describe('pendulumInitialState', () => {
  it('draws θ in [−π, π) and θ̇ in [−1, 1) by default', () => {
    for (let seed = 0; seed < 200; seed++) {
      const { theta, thetaDot } = pendulumInitialState(Rng.key(seed))
      expect(Math.abs(theta)).toBeLessThanOrEqual(Math.PI)
      expect(Math.abs(thetaDot)).toBeLessThanOrEqual(1)
    }
  })

  it('takes the half-widths x_init and y_init from the options', () => {
    expect(pendulumInitialState(Rng.key(3), { x_init: 0, y_init: 0 })).toEqual({ theta: 0, thetaDot: 0 })
    for (let seed = 0; seed < 50; seed++) {
      const { theta, thetaDot } = pendulumInitialState(Rng.key(seed), { x_init: 0.1, y_init: 5 })
      expect(Math.abs(theta)).toBeLessThanOrEqual(0.1)
      expect(Math.abs(thetaDot)).toBeLessThanOrEqual(5)
    }
    const wide = Array.from({ length: 50 }, (_, seed) => pendulumInitialState(Rng.key(seed), { y_init: 5 }).thetaDot)
    expect(Math.max(...wide.map(Math.abs))).toBeGreaterThan(1)
  })

  it('rejects invalid reset options, naming the field', () => {
    expect(() => pendulumInitialState(Rng.key(0), { x_init: -1 })).toThrow(
      new ConfigError(['x_init: expected a number >= 0, got -1'], 'reset options of Pendulum-v1'),
    )
    expect(() => pendulumInitialState(Rng.key(0), { xinit: 1 })).toThrow(/xinit: unknown key .*did you mean 'x_init'\?/)
  })
})

describe('makePendulum', () => {
  it('has the spaces of Pendulum-v1', () => {
    const env = makePendulum()
    expect(env.observationSpace).toEqual({ shape: [3], low: [-1, -1, -8], high: [1, 1, 8] })
    expect(env.actionSpace).toEqual({ shape: [1], low: [-2], high: [2] })
    expect(env.id).toBe('Pendulum-v1')
  })

  it('steps from the reset state with the pure transition, returning fresh observations', () => {
    const env = makePendulum()
    const { observation } = env.reset({ seed: 5 })
    const start = pendulumInitialState(Rng.split(Rng.key(5))[0] as Rng.Key)
    expect(observation).toEqual(pendulumObservation(start))
    const result = env.step([1.5])
    const expected = pendulumTransition(10)(start, [1.5])
    expect(result.reward).toBe(expected.reward)
    expect(result.observation).toEqual(pendulumObservation(expected.state))
    expect(result.observation).not.toBe(observation)
    expect(result.truncated).toBe(false)
    expect(result.info).toEqual({})
  })

  it('rejects an invalid option, naming it', () => {
    expect(() => makePendulum({ g: Number.NaN })).toThrow('g: expected a finite number, got NaN')
  })

  it('rejects invalid actions with a message naming the env and the problem', () => {
    const env = makePendulum()
    env.reset({ seed: 0 })
    expect(() => env.step([0, 1])).toThrow(
      'Pendulum-v1: invalid action: expected 1 value (action space of shape [1]), got 2',
    )
    expect(() => env.step([Number.NaN])).toThrow(
      'Pendulum-v1: invalid action: element 0 must be a finite number, got NaN',
    )
    expect(() => env.step(Float32Array.of(Number.POSITIVE_INFINITY))).toThrow('got Infinity')
    expect(() => env.step([])).toThrow('got 0')
  })

  it('renders the rod: hanging down paints below the axle, upright paints above', () => {
    const down = renderPendulum({ theta: Math.PI, thetaDot: 0 })
    expect(down.width).toBe(500)
    expect(down.data.length).toBe(500 * 500 * 3)
    expect(pixelAt(down, 250, 250)).toEqual([0, 0, 0]) // the axle
    expect(pixelAt(down, 250, 330)).toEqual([204, 77, 77])
    expect(pixelAt(down, 250, 170)).toEqual([255, 255, 255])
    const up = renderPendulum({ theta: 0, thetaDot: 0 })
    expect(pixelAt(up, 250, 170)).toEqual([204, 77, 77])
    const left = renderPendulum({ theta: Math.PI / 2, thetaDot: 0 }) // counter-clockwise from upright
    expect(pixelAt(left, 170, 250)).toEqual([204, 77, 77])
  })
})
