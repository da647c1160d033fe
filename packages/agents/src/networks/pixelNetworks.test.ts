import {
  decodeOrThrow,
  disposeParams,
  fromTransitions,
  makeTransition,
  type Params,
  prefixParams,
  Rng,
  unprefixParams,
  valueAndGradsOf,
} from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { D4pgConfigCodec } from '../d4pg/config.js'
import { d4pgHead, makeD4pgLearner } from '../d4pg/learning.js'
import { DdpgConfigCodec } from '../ddpg/config.js'
import { makeDdpgLearner } from '../ddpg/learning.js'
import { disposeReplaced, disposeTrainState, initTrainState, stateTensors } from '../TrainState.js'
import { Td3ConfigCodec } from '../td3/config.js'
import { makeTd3Learner } from '../td3/learning.js'
import { updateActor } from '../updateActor.js'
import { makeNetworks, type NetworkArchitecture, pixelsSpecs } from './actorCritic.js'
import { applyConvTorso, initConvTorso } from './convTorso.js'
import { applyMlp, initMlp } from './mlp.js'

/** LaneFollowing's layout, small: an 8 × 8 grey image (64 values, HWC), then speed and steering; 2 actions. */
const IMAGE = 64
const OBS = IMAGE + 2
const spec = { observationSize: OBS, actionSize: 2, low: [-1, 0], high: [1, 2], hiddenSizes: [] }
const pixels: Extract<NetworkArchitecture, { kind: 'pixels' }> = {
  kind: 'pixels',
  image: [8, 8, 1],
  torso: { filters: [4, 8], kernelSize: 3, strides: 2 }, // 8 → 4 → 2: 2·2·8 = 32 features
  headSizes: [16],
}

const observations = (seed: number, batch: number): tf.Tensor2D => {
  const u = Rng.uniformF32(Rng.key(seed), batch * OBS, 0, 1)
  return tf.tensor2d(u, [batch, OBS])
}

const batch = (seed: number, size = 8) => {
  const u = Rng.uniform(Rng.key(seed), size * (2 * OBS + 3), 0, 1)
  const row = 2 * OBS + 3
  return fromTransitions(
    Array.from({ length: size }, (_, i) =>
      makeTransition({
        observation: u.subarray(row * i, row * i + OBS),
        action: u.subarray(row * i + OBS, row * i + OBS + 2),
        reward: u[row * i + OBS + 2] as number,
        nextObservation: u.subarray(row * i + OBS + 3, row * i + row),
        terminated: i % 5 === 0,
        truncated: false,
      }),
    ),
  )
}

const shapes = (params: Params) => Object.fromEntries(Object.entries(params).map(([n, t]) => [n, t.shape]))

describe('makeNetworks: pixels architecture', () => {
  const networks = makeNetworks(spec, undefined, pixels)

  it('draws a conv torso and a head per network: the extras, then (critic) the action, join after the torso', () => {
    const specs = pixelsSpecs(spec, pixels, 1)
    expect(specs.imageSize).toBe(64)
    expect(specs.extraSize).toBe(2)
    expect(specs.actor.inputSize).toBe(32 + 2)
    expect(specs.critic.inputSize).toBe(32 + 2 + 2)
    const actor = networks.initActor(Rng.key(0))
    const critic = networks.initCritic(Rng.key(1))
    expect(shapes(actor)).toEqual({
      'torso/c0/kernel': [3, 3, 1, 4],
      'torso/c0/bias': [4],
      'torso/c1/kernel': [3, 3, 4, 8],
      'torso/c1/bias': [8],
      'head/l0/kernel': [34, 16],
      'head/l0/bias': [16],
      'head/l1/kernel': [16, 2],
      'head/l1/bias': [2],
    })
    expect(shapes(critic)['head/l0/kernel']).toEqual([36, 16])
    expect(shapes(critic)['head/l1/kernel']).toEqual([16, 1])
    tf.tidy(() => {
      const obs = observations(2, 5)
      const actions = networks.policy(actor, obs)
      expect(actions.shape).toEqual([5, 2])
      expect(networks.criticOutput(critic, obs, actions).shape).toEqual([5, 1])
      expect(networks.q(critic, obs, actions).shape).toEqual([5])
    })
    tf.dispose([...Object.values(actor), ...Object.values(critic)])
  })

  it('reads the observation as a row-major HWC image then the extras, and draws torso then head from the key', () => {
    const actor = networks.initActor(Rng.key(3))
    const specs = pixelsSpecs(spec, pixels, 1)
    const [torsoKey, headKey] = Rng.split(Rng.key(3), 2)
    const expected = {
      ...prefixParams('torso/', initConvTorso(specs.torso)(torsoKey)),
      ...prefixParams('head/', initMlp(specs.actor)(headKey)),
    }
    for (const [name, t] of Object.entries(actor))
      expect(t.dataSync(), name).toEqual((expected[name] as tf.Tensor).dataSync())
    tf.tidy(() => {
      const obs = observations(4, 3)
      const images = tf.reshape(tf.slice(obs, [0, 0], [3, IMAGE]), [3, 8, 8, 1]) as tf.Tensor4D
      const features = applyConvTorso(specs.torso)(unprefixParams('torso/', actor), images)
      const raw = applyMlp(specs.actor)(
        unprefixParams('head/', actor),
        tf.concat([features, tf.slice(obs, [0, IMAGE], [3, 2])], 1),
      )
      // scaled to the bounds: [−1, 1] and [0, 2]
      const manual = tf.add(tf.mul(raw, tf.tensor1d([1, 1])), tf.tensor1d([0, 1]))
      const got = networks.policy(actor, obs).dataSync()
      Array.from(manual.dataSync()).forEach((v, i) => {
        expect(got[i]).toBeCloseTo(v, 5)
      })
      // the extras matter: the same image with other speed and steering gives other actions
      const other = tf.concat([tf.slice(obs, [0, 0], [3, IMAGE]), tf.fill([3, 2], 5)], 1) as tf.Tensor2D
      expect(Array.from(networks.policy(actor, other).dataSync())).not.toEqual(Array.from(got))
    })
    disposeParams(actor, expected)
  })

  it('law: the policy stays inside the action bounds for any observation', () => {
    const actor = networks.initActor(Rng.key(5))
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.float({ min: -1e3, max: 1e3, noNaN: true }),
        (seed, scale) => {
          const actions = tf.tidy(() =>
            Array.from(networks.policy(actor, tf.mul(observations(seed, 4), scale)).dataSync()),
          )
          actions.forEach((a, i) => {
            expect(a).toBeGreaterThanOrEqual(i % 2 === 0 ? -1 : 0)
            expect(a).toBeLessThanOrEqual(i % 2 === 0 ? 1 : 2)
          })
        },
      ),
      { numRuns: 30 },
    )
    disposeParams(actor)
  })

  it('the gradients of the DPG loss and of Q reach the torso weights of the actor and of the critic', () => {
    const actor = networks.initActor(Rng.key(6))
    const critic = networks.initCritic(Rng.key(7))
    tf.tidy(() => {
      const obs = observations(8, 6)
      const actorGrads = valueAndGradsOf(
        (p) => tf.neg(tf.mean(networks.q(critic, obs, networks.policy(p, obs)))) as tf.Scalar,
        actor,
      ).grads
      const criticGrads = valueAndGradsOf(
        (p) => tf.mean(tf.square(networks.q(p, obs, tf.zeros([6, 2])))) as tf.Scalar,
        critic,
      ).grads
      for (const grads of [actorGrads, criticGrads]) {
        for (const name of ['torso/c0/kernel', 'torso/c1/kernel', 'torso/c1/bias', 'head/l0/kernel']) {
          const g = grads[name] as tf.Tensor
          expect(Math.max(...Array.from(g.dataSync()).map(Math.abs)), name).toBeGreaterThan(0)
        }
      }
    })
    disposeParams(actor, critic)
  })

  it('rejects an image larger than the observation and a torso that does not fit the image', () => {
    expect(() => makeNetworks(spec, undefined, { ...pixels, image: [8, 9, 1] })).toThrow(
      /height · width · channels <= 66 \(the observation size\), got \[8,9,1\]/,
    )
    expect(() => makeNetworks(spec, undefined, { ...pixels, image: [8, 0, 1] })).toThrow(/positive integers/)
    expect(() =>
      makeNetworks(spec, undefined, {
        ...pixels,
        torso: { filters: [4], kernelSize: 9, strides: 1, padding: 'valid' },
      }),
    ).toThrow(/'valid' kernel does not fit/)
    // an observation that is only the image: no extras
    const only = makeNetworks({ ...spec, observationSize: IMAGE }, undefined, pixels)
    const actor = only.initActor(Rng.key(9))
    expect(actor['head/l0/kernel']?.shape).toEqual([32, 16])
    tf.tidy(() => {
      expect(only.policy(actor, tf.zeros([2, IMAGE])).shape).toEqual([2, 2])
    })
    disposeParams(actor)
  })

  it('DDPG, TD3 and D4PG learners run unchanged on pixel networks: the critic learns, nothing leaks', () => {
    for (const [learner, critics] of [
      [makeDdpgLearner(networks, decodeOrThrow(DdpgConfigCodec, { criticLearningRate: 1e-3 })), 1],
      [makeTd3Learner(networks, decodeOrThrow(Td3ConfigCodec, {})), 2],
    ] as const) {
      let state = initTrainState(networks, { critics }, Rng.key(10))
      expect(Object.keys(state.critics[0] ?? {})).toContain('torso/c0/kernel')
      const count = stateTensors(state).length
      const before = tf.memory().numTensors
      const losses: number[] = []
      for (let i = 0; i < 30; i++) {
        const { state: next, metrics } = learner(state, batch(1), Rng.foldIn(Rng.key(11), i))
        losses.push(metrics['losses/critic'])
        disposeReplaced(state, next)
        state = next
      }
      expect(state.step).toBe(30)
      expect(stateTensors(state).length).toBe(count)
      expect(tf.memory().numTensors).toBe(before)
      expect(losses.every(Number.isFinite)).toBe(true)
      expect(losses[29]).toBeLessThan(losses[0] as number) // a fixed batch
      disposeTrainState(state)
    }
    const d4pgConfig = decodeOrThrow(D4pgConfigCodec, { atoms: 11, vMin: -10, vMax: 10 })
    const categorical = makeNetworks(spec, d4pgHead(d4pgConfig), pixels)
    let state = initTrainState(categorical, { critics: 1 }, Rng.key(12))
    const before = tf.memory().numTensors
    for (let i = 0; i < 3; i++) {
      const { state: next } = makeD4pgLearner(categorical, d4pgConfig)(state, batch(i), Rng.foldIn(Rng.key(13), i))
      disposeReplaced(state, next)
      state = next
    }
    expect(tf.memory().numTensors).toBe(before)
    expect(state.critics[0]?.['head/l1/kernel']?.shape).toEqual([16, 11])
    disposeTrainState(state)
  })

  it("actorTorso 'critic': the actor acts with the first critic's torso and its loss trains only its head (DrQ-v2)", () => {
    const shared = makeNetworks(spec, undefined, { ...pixels, actorTorso: 'critic' })
    const plain = makeNetworks(spec, undefined, pixels)
    const update = updateActor(shared, { optimizer: { learningRate: 1e-2 } })
    const updatePlain = updateActor(plain, { optimizer: { learningRate: 1e-2 } })
    const values = (params: Params, prefix: string) =>
      Object.fromEntries(
        Object.entries(params)
          .filter(([name]) => name.startsWith(prefix))
          .map(([name, p]) => [name, Array.from(p.dataSync())]),
      )
    let state = initTrainState(shared, { critics: 2 }, Rng.key(20))
    expect(values(state.actor, 'torso/')).not.toEqual(values(state.critics[0] as Params, 'torso/'))
    const count = stateTensors(state).length
    const before = tf.memory().numTensors
    for (let i = 0; i < 20; i++) {
      const criticTorso = values(state.critics[0] as Params, 'torso/')
      const criticHead = values(state.critics[0] as Params, 'head/')
      const actorHead = values(state.actor, 'head/')
      const torsoMoments = values(state.actorOptimizer.m, 'torso/')
      const borrowed = {
        ...state.actor,
        ...prefixParams('torso/', unprefixParams('torso/', state.critics[0] as Params)),
      }
      const { state: next, metrics } = update(state, batch(i))
      expect(Number.isFinite(metrics['losses/actor'])).toBe(true)
      expect(values(next.actor, 'torso/')).toEqual(criticTorso) // the critic's torso, exactly
      expect(values(next.critics[0] as Params, 'head/')).toEqual(criticHead) // the critics are untouched
      expect(values(next.actor, 'head/')).not.toEqual(actorHead) // the head learned
      expect(values(next.actorOptimizer.m, 'torso/')).toEqual(torsoMoments) // no moments for the copied torso
      // the head's step is exactly the one a plain actor update takes from the critic's torso (Adam is per tensor)
      const reference = updatePlain({ ...state, actor: borrowed }, batch(i)).state
      expect(values(next.actor, 'head/')).toEqual(values(reference.actor, 'head/'))
      tf.dispose([
        ...Object.values(reference.actor),
        ...Object.values(reference.actorOptimizer.m),
        ...Object.values(reference.actorOptimizer.v),
      ])
      disposeReplaced(state, next)
      state = next
    }
    expect(stateTensors(state).length).toBe(count)
    expect(tf.memory().numTensors).toBe(before)
    // acting: the shared networks' policy with the updated actor is the plain policy with the critic's torso
    const obs = observations(99, 3)
    const withCriticTorso = {
      ...state.actor,
      ...prefixParams('torso/', unprefixParams('torso/', state.critics[0] as Params)),
    }
    expect(Array.from(shared.policy(state.actor, obs).dataSync())).toEqual(
      Array.from(plain.policy(withCriticTorso, obs).dataSync()),
    )
    obs.dispose()
    disposeTrainState(state)
  })
})
