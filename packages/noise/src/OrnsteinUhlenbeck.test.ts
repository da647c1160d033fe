import { ConfigError, decodeOrThrow, Rng } from '@polyak/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DDPG_OU_PARAMS,
  decayedSigma,
  initOu,
  type OuParams,
  OuParamsCodec,
  ouStep,
  resetOu,
} from './OrnsteinUhlenbeck.js'

/** Runs `steps` OU steps from `x0` and returns per-step sums over all dimensions after `burnIn`. */
const longRun = (params: OuParams, dims: number, steps: number, burnIn: number, seed: number) => {
  const key = Rng.key(seed)
  let state = initOu(params, dims)
  let sum = 0
  let sumSq = 0
  let count = 0
  for (let t = 0; t < burnIn + steps; t++) {
    state = ouStep(Rng.foldIn(key, t), state, params).state
    if (t >= burnIn) {
      for (const x of state) {
        sum += x
        sumSq += x * x
      }
      count += dims
    }
  }
  const mean = sum / count
  return { mean, variance: sumSq / count - mean * mean }
}

/** The exact stationary variance of the Euler-discretised process, an AR(1) with coefficient 1 − θdt. */
const discreteVariance = ({ theta, sigma, dt }: OuParams): number => (sigma * sigma * dt) / (1 - (1 - theta * dt) ** 2)

describe('OU stationary statistics', () => {
  it('the discrete stationary variance exceeds σ²/(2θ) by the relative factor θdt/(2 − θdt)', () => {
    // σ²dt / (1 − (1 − θdt)²) = σ² / (θ(2 − θdt)): hand-computed for DDPG's parameters
    expect(discreteVariance(DDPG_OU_PARAMS)).toBeCloseTo(0.04 / (0.15 * (2 - 0.0015)), 12)
    expect(discreteVariance(DDPG_OU_PARAMS)).toBeCloseTo(0.13343, 4)
    for (const params of [DDPG_OU_PARAMS, { theta: 1, mu: 0, sigma: 0.5, dt: 0.05 }]) {
      const continuous = params.sigma ** 2 / (2 * params.theta)
      const relative = discreteVariance(params) / continuous - 1
      const thetaDt = params.theta * params.dt
      expect(relative).toBeCloseTo(thetaDt / (2 - thetaDt), 12)
      expect(relative).toBeLessThan(thetaDt) // 7.5e-4 for DDPG's parameters
    }
  })

  it('DDPG parameters (θ=0.15, σ=0.2, dt=1e-2), μ = 0.5: long-run mean → μ and variance → σ²dt/(1−(1−θdt)²) over 2e5 steps × 8 dims', () => {
    const params = { ...DDPG_OU_PARAMS, mu: 0.5 }
    const { mean, variance } = longRun(params, 8, 200_000, 5_000, 1)
    // autocorrelation 1 − θdt = 0.9985 leaves ~2400 effective samples: SE(mean) ≈ 0.011, SE(var) ≈ 3%
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05)
    expect(Math.abs(variance / discreteVariance(params) - 1)).toBeLessThan(0.1)
    expect(Math.abs(variance / (0.04 / 0.3) - 1)).toBeLessThan(0.1)
  })

  it('faster reversion (θ=1, σ=0.5, dt=1e-2), μ = −1: tighter tolerances over 2e5 steps × 4 dims', () => {
    const params = { theta: 1, mu: -1, sigma: 0.5, dt: 1e-2 }
    const { mean, variance } = longRun(params, 4, 200_000, 2_000, 2)
    // ρ = 0.99: ~16000 effective samples; SE(mean) ≈ 0.0028, SE(var) ≈ 1.1%
    expect(Math.abs(mean + 1)).toBeLessThan(0.012)
    expect(Math.abs(variance / discreteVariance(params) - 1)).toBeLessThan(0.045)
  })
})

describe('ouStep', () => {
  it('with σ = 0 decays to μ geometrically: x_t − μ = (1 − θdt)^t (x_0 − μ) (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -10, max: 10, noNaN: true }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        fc.double({ min: 1e-3, max: 0.1, noNaN: true }),
        fc.integer({ min: 0, max: 60 }),
        (x0, mu, theta, dt, steps) => {
          const params = { theta, mu, sigma: 0, dt }
          let state = initOu(params, 2, [x0, mu])
          for (let t = 0; t < steps; t++) state = ouStep(Rng.key(t), state, params).state
          const expected = mu + (1 - theta * dt) ** steps * (x0 - mu)
          expect(state[0]).toBeCloseTo(expected, 9)
          expect(state[1]).toBeCloseTo(mu, 12)
        },
      ),
    )
  })

  it('hand-computed step: x′ = x + θ(μ − x)dt + σ√dt·ε with ε from Rng.normal(key)', () => {
    const params = { theta: 0.5, mu: 1, sigma: 0.3, dt: 0.04 }
    const key = Rng.key(7)
    const eps = Rng.normal(key, 2)
    const state = Float64Array.of(2, -1)
    const { noise, state: next } = ouStep(key, state, params)
    const expected = [
      2 + 0.5 * (1 - 2) * 0.04 + 0.3 * 0.2 * (eps[0] as number),
      -1 + 0.5 * 2 * 0.04 + 0.06 * (eps[1] as number),
    ]
    expect(next[0]).toBeCloseTo(expected[0] as number, 12)
    expect(next[1]).toBeCloseTo(expected[1] as number, 12)
    expect(Array.from(noise)).toEqual(expected.map(Math.fround))
    // pure: the input state is untouched and the same key gives the same step
    expect(Array.from(state)).toEqual([2, -1])
    expect(ouStep(key, state, params)).toEqual({ noise, state: next })
    expect(next).not.toBe(state)
  })
})

describe('initOu / resetOu', () => {
  it('starts at μ by default, at x0 when given, and resets to μ', () => {
    const params = { ...DDPG_OU_PARAMS, mu: 0.25 }
    expect(Array.from(initOu(params, 3))).toEqual([0.25, 0.25, 0.25])
    expect(Array.from(initOu(params, 2, 1))).toEqual([1, 1])
    expect(Array.from(initOu(params, 2, [1, -1]))).toEqual([1, -1])
    const state = Float64Array.of(3, 4)
    expect(Array.from(resetOu(params, state))).toEqual([0.25, 0.25])
    expect(Array.from(state)).toEqual([3, 4])
    expect(() => initOu(params, 2, [1])).toThrow(RangeError)
    expect(() => initOu(params, -1)).toThrow(RangeError)
  })
})

describe('OuParamsCodec', () => {
  it('fills DDPG defaults and rejects typos and out-of-range values', () => {
    expect(decodeOrThrow(OuParamsCodec, {})).toEqual({ theta: 0.15, mu: 0, sigma: 0.2, dt: 0.01 })
    expect(decodeOrThrow(OuParamsCodec, { sigma: 0, mu: -1 })).toEqual({ theta: 0.15, mu: -1, sigma: 0, dt: 0.01 })
    expect(() => decodeOrThrow(OuParamsCodec, { sigmaa: 0.3 })).toThrow(/did you mean 'sigma'/)
    expect(() => decodeOrThrow(OuParamsCodec, { theta: 0 })).toThrow(ConfigError)
    expect(() => decodeOrThrow(OuParamsCodec, { dt: -1 })).toThrow(ConfigError)
    expect(() => decodeOrThrow(OuParamsCodec, { sigma: -0.1 })).toThrow(ConfigError)
  })
})

describe('decayedSigma', () => {
  it('halves every half-life', () => {
    expect(decayedSigma(0.2, 250, 0)).toBe(0.2)
    expect(decayedSigma(0.2, 250, 250)).toBeCloseTo(0.1, 15)
    expect(decayedSigma(0.2, 250, 500)).toBeCloseTo(0.05, 15)
    expect(decayedSigma(0.2, 250, 125)).toBeCloseTo(0.2 / Math.SQRT2, 15)
    expect(() => decayedSigma(0.2, 0, 1)).toThrow(RangeError)
    expect(() => decayedSigma(0.2, 10, -1)).toThrow(RangeError)
  })

  it('is monotone non-increasing in the episode (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.nat(5000),
        fc.nat(5000),
        (s, h, a, b) => decayedSigma(s, h, Math.min(a, b)) >= decayedSigma(s, h, Math.max(a, b)),
      ),
    )
  })
})
