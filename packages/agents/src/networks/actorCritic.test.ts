import { Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { makeNetworks } from './actorCritic.js'
import { initMlp } from './mlp.js'

describe('makeNetworks', () => {
  const networks = makeNetworks({ observationSize: 3, actionSize: 2, low: [-2, 0], high: [2, 1], hiddenSizes: [8] })

  it('law: the policy stays inside the action bounds for any observation', () => {
    const actor = initMlp(networks.actorSpec)(Rng.key(0))
    fc.assert(
      fc.property(fc.array(fc.float({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 3, maxLength: 3 }), (obs) => {
        const [a0, a1] = tf.tidy(() => Array.from(networks.policy(actor, tf.tensor2d([obs])).dataSync()))
        expect(a0).toBeGreaterThanOrEqual(-2)
        expect(a0).toBeLessThanOrEqual(2)
        expect(a1).toBeGreaterThanOrEqual(0)
        expect(a1).toBeLessThanOrEqual(1)
      }),
    )
    tf.dispose(Object.values(actor))
  })

  it('maps a zero pre-activation to the middle of the bounds, and Q has shape [batch]', () => {
    const zeroActor = Object.fromEntries(
      Object.entries(initMlp(networks.actorSpec)(Rng.key(1))).map(([name, t]) => [name, tf.zerosLike(t)]),
    )
    const critic = initMlp(networks.criticSpec)(Rng.key(2))
    tf.tidy(() => {
      const obs = tf.ones([4, 3]) as tf.Tensor2D
      expect(Array.from(networks.policy(zeroActor, obs).dataSync())).toEqual([0, 0.5, 0, 0.5, 0, 0.5, 0, 0.5])
      expect(networks.q(critic, obs, tf.zeros([4, 2])).shape).toEqual([4])
    })
    expect(networks.criticSpec.inputSize).toBe(5)
    tf.dispose([...Object.values(zeroActor), ...Object.values(critic)])
  })

  it('rejects bounds that do not fit the action size or are not ordered', () => {
    const base = { observationSize: 1, actionSize: 1, hiddenSizes: [4] }
    expect(() => makeNetworks({ ...base, low: [-1, -1], high: [1] })).toThrow(/need 1 entries/)
    expect(() => makeNetworks({ ...base, low: [1], high: [1] })).toThrow(/low < high/)
  })
})
