import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { StepResult } from './Env.js'
import { normalizeObservation } from './normalizeObservation.js'
import { makePendulum } from './Pendulum.js'
import { batchStatistics, initialStatistics, mergeStatistics, normalize } from './RunningStatistics.js'

/** Raw observations of a Pendulum run: the reset and `steps` steps of constant torque. */
const rawObservations = (seed: number, steps: number, torque: number): Float32Array[] => {
  const env = makePendulum()
  const observations = [env.reset({ seed }).observation]
  for (let t = 0; t < steps; t++) observations.push(env.step([torque]).observation)
  return observations
}

describe('normalizeObservation', () => {
  it('running statistics equal Gymnasium start merged with the batch of every observation seen (property)', () => {
    fc.assert(
      fc.property(
        fc.nat(1000),
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        (seed, steps, torque) => {
          const env = normalizeObservation()(makePendulum())
          env.reset({ seed })
          let last: StepResult | undefined
          for (let t = 0; t < steps; t++) last = env.step([torque])
          const raw = rawObservations(seed, steps, torque)
          const expected = mergeStatistics(initialStatistics(3), batchStatistics(raw))
          const actual = env.statistics()
          expect(actual.count).toBeCloseTo(expected.count, 9)
          actual.mean.forEach((m, i) => {
            expect(m).toBeCloseTo(expected.mean[i] ?? Number.NaN, 9)
          })
          actual.variance.forEach((v, i) => {
            expect(v).toBeCloseTo(expected.variance[i] ?? Number.NaN, 9)
          })
          const normalised = normalize(actual, 1e-8)(raw.at(-1) ?? [])
          Array.from(last?.observation ?? []).forEach((x, i) => {
            expect(x).toBeCloseTo(normalised[i] ?? Number.NaN, 4)
          })
        },
      ),
      { numRuns: 25 },
    )
  })

  it('makes the observation space unbounded and keeps reward and flags', () => {
    const env = normalizeObservation()(makePendulum())
    expect(env.observationSpace.low).toEqual([
      Number.NEGATIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ])
    const plain = makePendulum()
    env.reset({ seed: 1 })
    plain.reset({ seed: 1 })
    const a = env.step([1])
    const b = plain.step([1])
    expect([a.reward, a.terminated, a.truncated]).toEqual([b.reward, b.terminated, b.truncated])
  })

  it('frozen statistics do not move, and normalise with the saved values', () => {
    const train = normalizeObservation()(makePendulum())
    train.reset({ seed: 0 })
    for (let t = 0; t < 30; t++) train.step([1])
    const saved = JSON.parse(JSON.stringify(train.statistics()))
    const evaluation = normalizeObservation({ statistics: saved, frozen: true })(makePendulum())
    expect(evaluation.isFrozen()).toBe(true)
    const raw = makePendulum()
    const first = evaluation.reset({ seed: 5 }).observation
    expect(first).toEqual(normalize(saved, 1e-8)(raw.reset({ seed: 5 }).observation))
    for (let t = 0; t < 10; t++) evaluation.step([-1])
    expect(evaluation.statistics()).toEqual(saved)
    train.setFrozen(true)
    const before = train.statistics()
    train.step([0])
    expect(train.statistics()).toBe(before)
    train.setFrozen(false)
    train.step([0])
    expect(train.statistics().count).toBeCloseTo(before.count + 1, 9)
  })

  it('loads statistics from JSON, validating them', () => {
    const env = normalizeObservation()(makePendulum())
    env.loadStatistics({ mean: [0, 0, 1], variance: [1, 1, 4], count: 10 })
    env.setFrozen(true)
    const raw = makePendulum()
    const expected = normalize(
      { mean: [0, 0, 1], variance: [1, 1, 4], count: 10 },
      1e-8,
    )(raw.reset({ seed: 2 }).observation)
    expect(env.reset({ seed: 2 }).observation).toEqual(expected)
    expect(() => env.loadStatistics({ mean: [0], variance: [1], count: 1 })).toThrow('mean: expected 3 values, got 1')
    expect(() => env.loadStatistics({ mean: [0, 0, 0], variance: [1, 1, 1], count: 'x' })).toThrow(
      'count: expected a number >= 0, got "x"',
    )
  })

  it('rejects invalid options, naming them', () => {
    expect(() => normalizeObservation({ epsilon: 0 })(makePendulum())).toThrow('epsilon: expected a number > 0, got 0')
    expect(() => normalizeObservation({ frozen: 'yes' } as never)(makePendulum())).toThrow('frozen: expected boolean')
  })
})
