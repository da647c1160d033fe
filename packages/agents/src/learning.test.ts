import { type Batch, decodeOrThrow, fromTransitions, makeTransition, type Params, Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { DdpgConfigCodec } from './ddpg/config.js'
import { makeDdpgLearner } from './ddpg/learning.js'
import { learnerStep } from './learnerStep.js'
import { makeNetworks } from './networks.js'
import { disposeReplaced, disposeTrainState, initTrainState, stateTensors, type TrainState } from './TrainState.js'
import { Td3ConfigCodec } from './td3/config.js'
import { makeTd3Learner } from './td3/learning.js'
import { updateActor } from './updateActor.js'
import { updateCritic } from './updateCritic.js'
import { updateTargets } from './updateTargets.js'

const networks = makeNetworks({ observationSize: 3, actionSize: 1, low: [-2], high: [2], hiddenSizes: [16, 16] })
const optimizer = { learningRate: 1e-3 }

const makeBatch = (seed: number, size = 32): Batch => {
  const u = Rng.uniform(Rng.key(seed), size * 9, -1, 1)
  return fromTransitions(
    Array.from({ length: size }, (_, i) =>
      makeTransition({
        observation: u.subarray(9 * i, 9 * i + 3),
        action: [2 * (u[9 * i + 3] as number)],
        reward: u[9 * i + 4] as number,
        nextObservation: u.subarray(9 * i + 5, 9 * i + 8),
        terminated: (u[9 * i + 8] as number) > 0.8,
        truncated: (u[9 * i + 8] as number) < -0.8,
      }),
    ),
  )
}

const snapshot = (params: Params): number[][] => Object.values(params).map((t) => Array.from(t.dataSync()))
const same = (a: Params, b: Params) => expect(snapshot(a)).toEqual(snapshot(b))
const differs = (a: Params, b: Params) => expect(snapshot(a)).not.toEqual(snapshot(b))

/** Q-learning target by hand from the raw network functions: r + γ(1 − terminated)·min_i Q'_i(s′, μ′(s′)). */
const manualTargetMean = (state: TrainState, batch: Batch, gamma: number): number =>
  tf.tidy(() => {
    const next = tf.tensor2d(batch.nextObservations, [batch.size, 3])
    const action = networks.policy(state.targetActor, next)
    const values = state.targetCritics.map((c) => networks.q(c, next, action).arraySync() as number[])
    const y = Array.from(batch.rewards, (r, i) => {
      const v = Math.min(...values.map((q) => q[i] as number))
      return r + gamma * (1 - (batch.terminated[i] as number)) * v
    })
    return y.reduce((a, b) => a + b, 0) / y.length
  })

describe('update functions', () => {
  it('updateCritic moves only the critics; its target is the hand-computed clipped double-Q target', () => {
    const state = initTrainState(networks, { critics: 2 }, Rng.key(0))
    const batch = makeBatch(1)
    const { state: next, metrics } = updateCritic(networks, { gamma: 0.9, optimizer })(state, batch, Rng.key(2))
    expect(metrics['values/target']).toBeCloseTo(manualTargetMean(state, batch, 0.9), 5)
    expect(metrics.tdErrors).toBeUndefined()
    expect(next.actor).toBe(state.actor)
    expect(next.targetActor).toBe(state.targetActor)
    expect(next.targetCritics).toBe(state.targetCritics)
    expect(next.actorOptimizer).toBe(state.actorOptimizer)
    differs(next.critics[0] as Params, state.critics[0] as Params)
    differs(next.critics[1] as Params, state.critics[1] as Params)
    disposeReplaced(state, next)
    disposeTrainState(next)
  })

  it('updateActor moves only the actor (gradient isolation: the critics keep their values)', () => {
    const state = initTrainState(networks, { critics: 2 }, Rng.key(3))
    const before = snapshot(state.critics[0] as Params)
    const { state: next, metrics } = updateActor(networks, { optimizer })(state, makeBatch(4))
    expect(Number.isFinite(metrics['losses/actor'])).toBe(true)
    expect(next.critics).toBe(state.critics)
    expect(snapshot(next.critics[0] as Params)).toEqual(before)
    differs(next.actor, state.actor)
    disposeReplaced(state, next)
    disposeTrainState(next)
  })

  it('the DPG step raises Q₁(s, μ(s)) on its batch', () => {
    const state = initTrainState(networks, { critics: 1 }, Rng.key(5))
    const batch = makeBatch(6)
    const qOf = (s: TrainState) =>
      tf.tidy(() => {
        const obs = tf.tensor2d(batch.observations, [batch.size, 3])
        return tf.mean(networks.q(s.critics[0] as Params, obs, networks.policy(s.actor, obs))).dataSync()[0] as number
      })
    const { state: next } = updateActor(networks, { optimizer: { learningRate: 1e-2 } })(state, batch)
    expect(qOf(next)).toBeGreaterThan(qOf(state))
    disposeReplaced(state, next)
    disposeTrainState(next)
  })

  it('the critic loss falls when fitting a fixed batch, and prioritized batches get TD errors y − Q₁', () => {
    let state = initTrainState(networks, { critics: 1 }, Rng.key(7))
    const batch = makeBatch(8)
    const update = updateCritic(networks, { gamma: 0.9, optimizer })
    const losses: number[] = []
    for (let i = 0; i < 200; i++) {
      const { state: next, metrics } = update(state, batch, Rng.key(i))
      losses.push(metrics['losses/critic'])
      disposeReplaced(state, next)
      state = next
    }
    expect(losses[199]).toBeLessThan(0.5 * (losses[0] as number))
    const weighted = { ...batch, weights: new Float32Array(batch.size).fill(1) }
    const { state: after, metrics } = update(state, weighted, Rng.key(0))
    expect(metrics.tdErrors).toHaveLength(batch.size)
    const meanSquare = Array.from(metrics.tdErrors ?? []).reduce((a, d) => a + d * d, 0) / batch.size
    expect(metrics['losses/critic']).toBeCloseTo(meanSquare, 4)
    disposeReplaced(state, after)
    disposeTrainState(after)
  })

  it('updateTargets moves each target by τ towards its network and nothing else', () => {
    const state = initTrainState(networks, { critics: 2 }, Rng.key(9))
    const { state: trained } = updateCritic(networks, { gamma: 0.9, optimizer: { learningRate: 0.1 } })(
      state,
      makeBatch(10),
      Rng.key(0),
    )
    const next = updateTargets(0.25)(trained)
    const online = snapshot(trained.critics[1] as Params)
    const old = snapshot(trained.targetCritics[1] as Params)
    snapshot(next.targetCritics[1] as Params).forEach((values, k) => {
      values.forEach((v, j) => {
        const expected = (old[k]?.[j] as number) + 0.25 * ((online[k]?.[j] as number) - (old[k]?.[j] as number))
        expect(v).toBeCloseTo(expected, 6)
      })
    })
    expect(next.critics).toBe(trained.critics)
    disposeReplaced(state, trained)
    disposeReplaced(trained, next)
    disposeTrainState(next)
  })
})

describe('learnerStep, DDPG and TD3', () => {
  it('TD3 moves the actor and targets on every 2nd step only; DDPG on every step', () => {
    const td3 = makeTd3Learner(networks, decodeOrThrow(Td3ConfigCodec, { hiddenSizes: [16, 16] }))
    let state = initTrainState(networks, { critics: 2 }, Rng.key(11))
    const moved: boolean[] = []
    for (let i = 0; i < 4; i++) {
      const { state: next, metrics } = td3(state, makeBatch(12 + i), Rng.foldIn(Rng.key(0), i))
      moved.push(next.actor !== state.actor && next.targetActor !== state.targetActor)
      expect('losses/actor' in metrics).toBe(next.actor !== state.actor)
      disposeReplaced(state, next)
      state = next
    }
    expect(moved).toEqual([false, true, false, true])
    expect(state.step).toBe(4)
    disposeTrainState(state)

    const ddpg = makeDdpgLearner(networks, decodeOrThrow(DdpgConfigCodec, {}))
    const first = initTrainState(networks, { critics: 1 }, Rng.key(13))
    const { state: after } = ddpg(first, makeBatch(14), Rng.key(0))
    expect(after.actor).not.toBe(first.actor)
    disposeReplaced(first, after)
    disposeTrainState(after)
  })

  it('is deterministic: the same state, batch and key give the same parameters', () => {
    const td3 = makeTd3Learner(networks, decodeOrThrow(Td3ConfigCodec, {}))
    const state = initTrainState(networks, { critics: 2 }, Rng.key(15))
    const batch = makeBatch(16)
    const a = td3({ ...state, step: 1 }, batch, Rng.key(3)).state
    const b = td3({ ...state, step: 1 }, batch, Rng.key(3)).state
    same(a.actor, b.actor)
    same(a.critics[1] as Params, b.critics[1] as Params)
    same(a.targetCritics[0] as Params, b.targetCritics[0] as Params)
    for (const s of [a, b]) disposeReplaced(state, s)
    disposeTrainState(state)
  })

  it('keeps the tensor count flat over 1000 TD3 steps when the owner disposes replaced tensors', () => {
    const td3 = makeTd3Learner(networks, decodeOrThrow(Td3ConfigCodec, {}))
    let state = initTrainState(networks, { critics: 2 }, Rng.key(17))
    const batch = { ...makeBatch(18, 16), weights: new Float32Array(16).fill(1), indices: new Int32Array(16) }
    const before = tf.memory().numTensors
    for (let i = 0; i < 1000; i++) {
      const { state: next } = td3(state, batch, Rng.foldIn(Rng.key(1), i))
      disposeReplaced(state, next)
      state = next
    }
    expect(tf.memory().numTensors).toBe(before)
    expect(stateTensors(state).every((t) => !t.isDisposed)).toBe(true)
    disposeTrainState(state)
  })

  it('rejects a bad policy delay and bad config fields by name', () => {
    expect(() => learnerStep({ ...({} as Parameters<typeof learnerStep>[0]), policyDelay: 0 })).toThrow(/policyDelay/)
    expect(() => decodeOrThrow(Td3ConfigCodec, { tua: 0.01 })).toThrow(/tua: unknown key.*tau/)
    expect(() => decodeOrThrow(DdpgConfigCodec, { tau: 1.5 })).toThrow(/tau/)
  })
})
