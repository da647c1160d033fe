import { decodeOrThrow, fromTransitions, makeTransition, type Params, Rng } from '@polyak/core'
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
import { makeNetworks, type NetworkArchitecture, parkourSpecs } from './actorCritic.js'
import { initMlp } from './mlp.js'

/** BipedalWalker's shape: 14 proprioceptive values, then 10 lidar values; 4 actions in [−1, 1]. */
const spec = { observationSize: 24, actionSize: 4, low: [-1, -1, -1, -1], high: [1, 1, 1, 1], hiddenSizes: [16] }
const parkour: NetworkArchitecture = { kind: 'parkour', terrain: [14, 24], torsoSizes: [16], headSizes: [16] }

const batch = (seed: number, size = 16) => {
  const u = Rng.uniform(Rng.key(seed), size * 53, -1, 1)
  return {
    ...fromTransitions(
      Array.from({ length: size }, (_, i) =>
        makeTransition({
          observation: u.subarray(53 * i, 53 * i + 24),
          action: u.subarray(53 * i + 24, 53 * i + 28),
          reward: u[53 * i + 28] as number,
          nextObservation: u.subarray(53 * i + 29, 53 * i + 53),
          terminated: i % 7 === 0,
          truncated: false,
        }),
      ),
    ),
    weights: new Float32Array(size).fill(1),
  }
}

describe('makeNetworks: MLP init through initActor/initCritic', () => {
  it('initActor/initCritic draw exactly what initMlp draws from the specs (checkpoints and resumes unchanged)', () => {
    const networks = makeNetworks(spec)
    expect(networks.architecture).toEqual({ kind: 'mlp' })
    fc.assert(
      fc.property(fc.nat(10_000), (seed) => {
        const pairs: Array<[Params, Params]> = [
          [networks.initActor(Rng.key(seed)), initMlp(networks.actorSpec)(Rng.key(seed))],
          [networks.initCritic(Rng.key(seed)), initMlp(networks.criticSpec)(Rng.key(seed))],
        ]
        for (const [a, b] of pairs) {
          expect(Object.keys(a)).toEqual(Object.keys(b))
          for (const [name, t] of Object.entries(a)) expect(t.dataSync()).toEqual((b[name] as tf.Tensor).dataSync())
          tf.dispose([...Object.values(a), ...Object.values(b)])
        }
      }),
      { numRuns: 10 },
    )
  })
})

describe('makeNetworks: Parkour architecture', () => {
  const head = d4pgHead(decodeOrThrow(D4pgConfigCodec, { atoms: 11, vMin: -10, vMax: 10, hiddenSizes: [16] }))
  const networks = makeNetworks(spec, head, parkour)

  it('builds two-stream actor and critic (proprioception = the rest, terrain = the range, action after the torsos)', () => {
    const specs = parkourSpecs(spec, parkour as Extract<NetworkArchitecture, { kind: 'parkour' }>, 11)
    expect(specs.actor.torsos.map((t) => [t.name, t.indices.length])).toEqual([
      ['proprioception', 14],
      ['terrain', 10],
    ])
    expect(specs.critic.extraInputSize).toBe(4)
    const actor = networks.initActor(Rng.key(0))
    const critic = networks.initCritic(Rng.key(1))
    expect(actor['terrain/l0/kernel']?.shape).toEqual([10, 16])
    expect(actor['head/l1/kernel']?.shape).toEqual([16, 4])
    expect(critic['head/l0/kernel']?.shape).toEqual([16 + 16 + 4, 16])
    expect(critic['head/l1/kernel']?.shape).toEqual([16, 11])
    tf.tidy(() => {
      const obs = tf.randomUniform([5, 24], -5, 5) as tf.Tensor2D
      const actions = networks.policy(actor, obs)
      expect(actions.shape).toEqual([5, 4])
      expect(Math.max(...Array.from(actions.dataSync()).map(Math.abs))).toBeLessThanOrEqual(1)
      expect(networks.criticOutput(critic, obs, actions).shape).toEqual([5, 11])
      expect(networks.q(critic, obs, actions).shape).toEqual([5])
    })
    tf.dispose([...Object.values(actor), ...Object.values(critic)])
  })

  it('rejects a terrain range outside the observation or covering all of it', () => {
    const arch = (terrain: readonly [number, number]): NetworkArchitecture => ({ ...parkour, terrain })
    expect(() => makeNetworks(spec, undefined, arch([14, 25]))).toThrow(/0 <= start < end <= 24/)
    expect(() => makeNetworks(spec, undefined, arch([5, 5]))).toThrow(/0 <= start < end/)
    expect(() => makeNetworks(spec, undefined, arch([0, 24]))).toThrow(/no proprioception/)
    // terrain in the middle: proprioception is the two sides, gathered
    expect(() => makeNetworks(spec, undefined, arch([4, 8]))).not.toThrow()
  })

  it('D4PG, DDPG and TD3 learners run unchanged on Parkour networks: the loss falls, nothing leaks', () => {
    const d4pg = makeD4pgLearner(
      networks,
      decodeOrThrow(D4pgConfigCodec, { atoms: 11, vMin: -10, vMax: 10, criticLearningRate: 1e-2 }),
    )
    let state = initTrainState(networks, { critics: 1 }, Rng.key(2))
    expect(Object.keys(state.critics[0] ?? {})).toContain('terrain/l0/kernel')
    const before = tf.memory().numTensors
    const losses: number[] = []
    for (let i = 0; i < 100; i++) {
      const { state: next, metrics } = d4pg(state, batch(1), Rng.foldIn(Rng.key(3), i))
      losses.push(metrics['losses/critic'])
      expect(Number.isFinite(metrics['losses/actor'] ?? Number.NaN)).toBe(true)
      disposeReplaced(state, next)
      state = next
    }
    expect(tf.memory().numTensors).toBe(before)
    expect(losses[99]).toBeLessThan((losses[0] as number) - 0.1) // cross-entropy on a fixed batch
    disposeTrainState(state)

    const scalar = makeNetworks(spec, undefined, parkour)
    for (const [learner, critics] of [
      [makeDdpgLearner(scalar, decodeOrThrow(DdpgConfigCodec, {})), 1],
      [makeTd3Learner(scalar, decodeOrThrow(Td3ConfigCodec, {})), 2],
    ] as const) {
      let s = initTrainState(scalar, { critics }, Rng.key(4))
      const count = stateTensors(s).length
      for (let i = 0; i < 4; i++) {
        const { state: next } = learner(s, batch(i), Rng.foldIn(Rng.key(5), i))
        disposeReplaced(s, next)
        s = next
      }
      expect(s.step).toBe(4)
      expect(stateTensors(s).length).toBe(count)
      disposeTrainState(s)
    }
  })
})
