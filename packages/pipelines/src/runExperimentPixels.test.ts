import { ConfigError, decodeOrThrow } from '@polyak/core'
import * as tf from '@tensorflow/tfjs-core'
import { lastValueFrom, toArray } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { NetworksConfigCodec } from './config.js'
import { disposeExperimentSnapshot } from './ExperimentSnapshot.js'
import { runExperiment } from './runExperiment.js'

/** LaneFollowing-v0 with a 16 × 16 grey camera: observations of 16·16 + 2 = 258 values. */
const config = {
  algo: 'td3' as const,
  env: 'LaneFollowing-v0',
  envOptions: { cameraWidth: 16, cameraHeight: 16 },
  steps: 40,
  seed: 2,
  warmupSteps: 30,
  batchSize: 8,
  bufferSize: 64,
  evalEpisodes: 0,
  networks: {
    kind: 'pixels' as const,
    image: [16, 16, 1] as [number, number, number],
    torso: { filters: [4, 8], kernelSize: 4, strides: 2 },
    headSizes: [16],
  },
}

const issuesOf = (run: () => unknown): readonly string[] => {
  try {
    run()
  } catch (error) {
    if (error instanceof ConfigError) return error.issues
    throw error
  }
  return []
}

describe('runExperiment with pixel networks', () => {
  it('fills the torso and head defaults', () => {
    expect(decodeOrThrow(NetworksConfigCodec, { kind: 'pixels', image: [64, 64, 1] })).toEqual({
      kind: 'pixels',
      image: [64, 64, 1],
      torso: { filters: [16, 32, 32, 64], kernelSize: 4, strides: 2, padding: 'same' },
      headSizes: [256, 256],
    })
  })

  it('rejects an image that does not fit the observation and bad image values, naming the field; accepts worker actors', () => {
    expect(issuesOf(() => runExperiment({ ...config, networks: { ...config.networks, image: [16, 17, 1] } }))).toEqual([
      'networks.image: expected [height, width, channels] with height · width · channels <= 258 (the observation size of LaneFollowing-v0), got [16,17,1] (272 values)',
    ])
    expect(
      issuesOf(() => runExperiment({ ...config, networks: { ...config.networks, image: [16, 16, 0] } })),
    ).toContain('networks.image.2: expected an integer > 0, got 0')
    expect(issuesOf(() => runExperiment({ ...config, actors: { kind: 'workers' } }))).toEqual([]) // pixels act in workers
    expect(
      issuesOf(() =>
        runExperiment({
          ...config,
          networks: { ...config.networks, torso: { filters: [4], kernelSize: 20, strides: 1, padding: 'valid' } },
        }),
      )[0],
    ).toMatch(/^networks\.torso: .*'valid' kernel does not fit its 16×16 input/)
    expect(
      issuesOf(() => runExperiment({ ...config, networks: { ...config.networks, torso: { filter: [4] } } } as never)),
    ).toContain(
      "networks.torso.filter: unknown key (expected one of: filters, kernelSize, strides, padding); did you mean 'filters'?",
    )
  })

  it('trains TD3 from LaneFollowing-v0 camera images and frees every tensor', async () => {
    const before = tf.memory().numTensors
    const events = await lastValueFrom(runExperiment(config).pipe(toArray()))
    const updates = events.filter((e) => e.type === 'update')
    expect(updates).toHaveLength(10) // one per step after the warm-up
    for (const e of updates) expect(Number.isFinite(e.metrics['losses/critic'])).toBe(true)
    const final = events.at(-1)
    if (final?.type !== 'final') throw new Error('no final event')
    expect(final.snapshot.train.actor['torso/c0/kernel']?.shape).toEqual([4, 4, 1, 4])
    expect(final.snapshot.train.critics[0]?.['head/l0/kernel']?.shape).toEqual([4 * 4 * 8 + 2 + 2, 16])
    disposeExperimentSnapshot(final.snapshot)
    expect(tf.memory().numTensors).toBe(before)
  })
})
