import { ConfigError, Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { defineAgent, replayPlan } from './agent.js'
import { agents } from './agents.js'
import { categoricalHead, scalarHead } from './criticHeads.js'
import { d4pg } from './d4pg/agent.js'
import { fitSupport } from './d4pg/learning.js'
import { ddpg } from './ddpg/agent.js'
import { DdpgConfigCodec } from './ddpg/config.js'
import { makeDdpgLearner } from './ddpg/learning.js'
import { makeNetworks } from './networks.js'
import { disposeReplaced, disposeTrainState, initTrainState } from './TrainState.js'
import { td3 } from './td3/agent.js'
import { randomBatch } from './test-utils/randomBatch.js'

const pendulum = { id: 'Pendulum-v1', rewardRange: [-16.2736044, 0] as const }

describe('agents as values', () => {
  it('the record holds every agent under its own name', () => {
    expect(Object.keys(agents)).toEqual(['ddpg', 'td3', 'd4pg'])
    for (const [name, agent] of Object.entries(agents)) expect(agent.name).toBe(name)
  })

  it('DDPG and TD3 default to 1-step uniform replay with a scalar head; TD3 has two critics', () => {
    const t = td3.prepare({}, pendulum)
    const d = ddpg.prepare({ tau: 0.001 }, pendulum)
    expect([t.critics, d.critics]).toEqual([2, 1])
    expect([t.head, d.head]).toEqual([scalarHead, scalarHead])
    expect([t.config.nStep, t.config.sampler, d.config.nStep, d.config.sampler]).toEqual([1, 'uniform', 1, 'uniform'])
    expect(d.config.tau).toBe(0.001)
    expect(t.config.policyDelay).toBe(2)
  })

  it("D4PG by default is the paper's composition: 5-step, prioritized replay, a support fitted to the task", () => {
    const prepared = d4pg.prepare({}, pendulum)
    expect(prepared.config.nStep).toBe(5)
    expect(prepared.config.sampler).toEqual({
      prioritized: { alpha: 0.6, beta0: 0.4, betaSteps: undefined, epsilon: 1e-6 },
    })
    expect(prepared.config.vMin).toBeCloseTo(-1627.36044, 3)
    expect(prepared.config.vMax).toBe(0)
    expect(prepared.head.outputSize).toBe(51)
    expect(prepared.critics).toBe(1)
    const spec = { observationSize: 3, actionSize: 1, low: [-2], high: [2], hiddenSizes: [8] }
    expect(() => prepared.learner(makeNetworks(spec, prepared.head))).not.toThrow()
  })

  it('D4PG keeps a given support and refuses what it cannot decide, saying what to set', () => {
    expect(d4pg.prepare({ vMin: -10, vMax: 10 }, { id: 'BipedalWalker-v3' }).config.vMin).toBe(-10)
    const refused = (input: unknown, task: { id: string; rewardRange?: readonly [number, number] }) => {
      try {
        d4pg.prepare(input, task)
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError)
        return (error as ConfigError).message
      }
      throw new Error('expected a ConfigError')
    }
    expect(refused({}, { id: 'BipedalWalker-v3' })).toMatch(/BipedalWalker-v3.*set agent\.vMin and agent\.vMax/s)
    expect(refused({ vMin: -5 }, pendulum)).toMatch(/vMax: give vMin and vMax together/)
    expect(refused({ vMin: 5, vMax: 5 }, pendulum)).toMatch(/vMin < vMax/)
    expect(refused({ gamma: 1 }, pendulum)).toMatch(/γ = 1/)
    expect(refused({ atoms: 0 }, pendulum)).toMatch(/atoms/)
  })

  it('replayPlan fills betaSteps with the run’s gradient steps and keeps a given one', () => {
    const run = { steps: 20_000, warmupSteps: 1_000, replayRatio: 0.5 }
    expect(replayPlan(d4pg.prepare({}, pendulum).config, run).sampler).toEqual({
      prioritized: { alpha: 0.6, beta0: 0.4, betaSteps: 9_500, epsilon: 1e-6 },
    })
    const given = d4pg.prepare({ sampler: { prioritized: { betaSteps: 7 } } }, pendulum).config
    expect(replayPlan(given, run)).toEqual({
      nStep: 5,
      sampler: { prioritized: { alpha: 0.6, beta0: 0.4, betaSteps: 7, epsilon: 1e-6 } },
    })
    expect(replayPlan(td3.prepare({}, pendulum).config, run)).toEqual({ nStep: 1, sampler: 'uniform' })
  })
})

describe('a new algorithm is one record', () => {
  it('DDPG with clipped double Q: two critics through the shared learner, no tensor left behind', () => {
    const ddpgDoubleQ = defineAgent({
      name: 'ddpg-double-q',
      config: DdpgConfigCodec,
      critics: () => 2,
      head: () => scalarHead,
      learner: makeDdpgLearner,
    })
    const prepared = ddpgDoubleQ.prepare({ hiddenSizes: [8] }, pendulum)
    expect([prepared.name, prepared.critics, prepared.config.nStep]).toEqual(['ddpg-double-q', 2, 1])
    const spec = { observationSize: 2, actionSize: 1, low: [-1], high: [1], hiddenSizes: [8] }
    const networks = makeNetworks(spec, prepared.head)
    const step = prepared.learner(networks)
    const batch = randomBatch(5, 8)
    let state = initTrainState(networks, { critics: prepared.critics }, Rng.key(1))
    const before = tf.memory().numTensors
    for (let i = 0; i < 20; i++) {
      const next = step(state, batch, Rng.foldIn(Rng.key(2), i)).state
      disposeReplaced(state, next)
      state = next
    }
    expect(tf.memory().numTensors).toBe(before)
    expect(state.critics).toHaveLength(2)
    expect(state.step).toBe(20)
    disposeTrainState(state)
  })
})

describe('the fitted support', () => {
  it('holds every n-step target of rewards in the recorded bounds: no mass is clipped (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: 0.5, max: 0.995, noNaN: true }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
        (low, width, gamma, n, u) => {
          const config = fitSupport({ ...d4pg.config.defaults, gamma, vMin: undefined, vMax: undefined } as never, {
            id: 'T',
            rewardRange: [low, low + width],
          }) as { vMin: number; vMax: number; atoms: number }
          const head = categoricalHead({ atoms: 11, vMin: config.vMin, vMax: config.vMax })
          // an n-step return of rewards in [low, high] lies in [low, high]·(1 − γⁿ)/(1 − γ)
          const span = (1 - gamma ** n) / (1 - gamma)
          const rewards = u.map((x) => (low + x * width) * span)
          const clipped = tf.tidy(() =>
            head.clippedMass?.(
              {
                rewards: tf.tensor1d(rewards),
                discounts: tf.fill([4], gamma ** n) as tf.Tensor1D,
                terminated: tf.zeros([4]) as tf.Tensor1D,
              },
              [tf.randomNormal([4, 11], 0, 3, 'float32', 1) as tf.Tensor2D],
            ),
          )
          expect(clipped?.dataSync()[0]).toBeLessThan(1e-6)
          clipped?.dispose()
        },
      ),
      { numRuns: 60 },
    )
  })

  it('a reward range too narrow for float32 is widened like a constant reward (found by the property above)', () => {
    const fitted = fitSupport({ ...d4pg.config.defaults, gamma: 0.5, vMin: undefined, vMax: undefined } as never, {
      id: 'T',
      rewardRange: [-1.4383700082871364e-33, -1.4383700082871364e-33 + 8.552847072295026e-50],
    }) as { vMin: number; vMax: number }
    expect(fitted.vMax - fitted.vMin).toBeCloseTo(4, 6)
    expect(() => categoricalHead({ atoms: 11, vMin: fitted.vMin, vMax: fitted.vMax })).not.toThrow()
  })

  it('a too-narrow support shows: the mass of shifted atoms outside it is reported', () => {
    const head = categoricalHead({ atoms: 5, vMin: -10, vMax: 0 })
    const before = tf.memory().numTensors
    const clipped = tf.tidy(() =>
      head.clippedMass?.(
        { rewards: tf.tensor1d([-5, 0]), discounts: tf.tensor1d([1, 1]), terminated: tf.tensor1d([0, 0]) },
        [tf.zeros([2, 5]) as tf.Tensor2D], // uniform over [-10, -7.5, -5, -2.5, 0]
      ),
    )
    // sample 1: −5 + z is below −10 for z ∈ {−7.5, −10} (2 of 5 atoms); sample 2: nothing clipped
    expect(clipped?.dataSync()[0]).toBeCloseTo((2 / 5 + 0) / 2, 6)
    clipped?.dispose()
    expect(tf.memory().numTensors).toBe(before)
    expect(scalarHead.clippedMass).toBeUndefined()
  })
})
