import { mkdtempSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { initMlp, makeNetworks } from '@polyak/agents'
import { fileSystemIO, Rng } from '@polyak/core'
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { actorModel, exportActor, exportActorAtomically } from './exportActor.js'

describe('exportActor', () => {
  it('writes a LayersModel that, loaded back, gives the actions of networks.policy (to 1e-5)', async () => {
    // asymmetric bounds, two action dimensions, two hidden layers: every part of the scaling is exercised
    const networks = makeNetworks({
      observationSize: 5,
      actionSize: 2,
      low: [-2, 0],
      high: [2, 1],
      hiddenSizes: [16, 8],
    })
    const actor = initMlp(networks.actorSpec)(Rng.key(3))
    const before = tf.memory().numTensors
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'polyak-actor-')), 'actor')
    await exportActor(dir, actor, networks.spec, { env: 'Test-v0' })
    expect(tf.memory().numTensors).toBe(before)

    const model = await tf.loadLayersModel(fileSystemIO(dir))
    // large observations drive the tanh into saturation, so the bounds matter too
    const observations = tf.tensor2d(Rng.uniformF32(Rng.key(4), 256 * 5, -6, 6), [256, 5])
    const expected = networks.policy(actor, observations)
    const actual = model.predict(observations) as tf.Tensor2D
    expect(actual.shape).toEqual([256, 2])
    const gap = tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0] as number
    expect(gap).toBeLessThan(1e-5)
    const values = expected.arraySync()
    expect(Math.min(...values.map((a) => a[1] as number))).toBeGreaterThanOrEqual(0)
    expect(Math.max(...values.map((a) => Math.abs(a[0] as number)))).toBeGreaterThan(1) // really scaled by 2
    expect(model.getUserDefinedMetadata()).toMatchObject({ env: 'Test-v0', low: [-2, 0], high: [2, 1] })
    tf.dispose([observations, expected, actual, ...Object.values(actor)])
    model.dispose()
  })

  it('refuses parameters that do not fit the spec', () => {
    const networks = makeNetworks({ observationSize: 3, actionSize: 1, low: [-1], high: [1], hiddenSizes: [8] })
    const actor = initMlp(networks.actorSpec)(Rng.key(0))
    expect(() => actorModel(actor, { ...networks.spec, hiddenSizes: [16] })).toThrow(/no 3×16 layer l0/)
    tf.dispose(Object.values(actor))
  })

  it('exportActorAtomically replaces the folder with the new actor and leaves no temporary folders', async () => {
    const networks = makeNetworks({ observationSize: 3, actionSize: 1, low: [-2], high: [2], hiddenSizes: [4] })
    const root = mkdtempSync(path.join(os.tmpdir(), 'polyak-actor-'))
    const dir = path.join(root, 'actor')
    const observation = tf.tensor2d([[0.5, -0.25, 1]])
    for (const [seed, steps] of [
      [1, 100],
      [2, 200],
    ] as const) {
      const actor = initMlp(networks.actorSpec)(Rng.key(seed))
      await exportActorAtomically(dir, actor, networks.spec, { steps })
      const model = await tf.loadLayersModel(fileSystemIO(dir))
      expect(model.getUserDefinedMetadata()).toMatchObject({ steps })
      const actual = model.predict(observation) as tf.Tensor
      const expected = networks.policy(actor, observation)
      expect(Array.from(actual.dataSync())[0]).toBeCloseTo(Array.from(expected.dataSync())[0] as number, 5)
      tf.dispose([actual, expected, ...Object.values(actor)])
      model.dispose()
    }
    expect(readdirSync(root)).toEqual(['actor'])
    observation.dispose()
  })
})
